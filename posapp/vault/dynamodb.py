"""The DynamoDB vault: items encrypted and signed in process, item keys from AWS KMS.

Only ciphertext, signatures and masked metadata reach DynamoDB. Direct materials ask KMS for
a data key per item (a CloudTrail record per card access); :class:`CachedMaterials` keep
versioned keys in a meta table, wrapped by KMS; :class:`SealedMaterials` wrap each item key
for back office's RSA key, with no KMS call (``dynamodb_materials``).
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import threading
import uuid
from collections.abc import Callable, Collection, Iterator, Sequence

import botocore.exceptions
from dynamodb_encryption_sdk.encrypted import CryptoConfig
from dynamodb_encryption_sdk.material_providers import CryptographicMaterialsProvider
from dynamodb_encryption_sdk.material_providers.store.meta import MetaStoreAttributeNames

from posapp.audit.chain import Anchor
from posapp.card import Card, Pan
from posapp.vault import item_format
from posapp.vault.aws import AwsClients, conditional_failure, may_have_landed, translate
from posapp.vault.base import (Check, ImportRecord, TokenNotFound, VaultEntry, VaultError, VaultIdentity,
                               VaultOutcomeUnknown, VaultUnavailable, check_token, is_bookkeeping)
from posapp.vault.dynamodb_audit import AuditItems
from posapp.vault.dynamodb_bulk import DynamoDbBulk
from posapp.vault.dynamodb_materials import CachedMaterials, materials_provider
from posapp.vault.dynamodb_sealed_health import SealedHealth
from posapp.vault.dynamodb_sealing import SealedMaterials, TillSecrets, till_audit_key
from posapp.vault.dynamodb_health import DynamoDbHealth
from posapp.vault.dynamodb_identity import IdentityItem
from posapp.vault.dynamodb_tills import DynamoDbTillRegistry
from posapp.vault.dynamodb_keys import KeyLifecycle, seal
from posapp.vault.rekeying import Progress, RekeyReport
from posapp.clock import utc_now

log = logging.getLogger(__name__)

_TOKEN_NAME = {"#t": item_format.PARTITION_KEY}


class DynamoDbVault:
    """Thread-safe; building it makes no network call (materials load on first use).

    ``table`` holds the items, ``kms_key_id`` is the ARN of the KMS key that protects their
    keys; ``cached`` and ``sealed`` None mean direct materials (a KMS data key per item)."""

    def __init__(self, table: str, kms_key_id: str, clients: AwsClients, *, workstation: str,
                 cached: CachedMaterials | None = None, sealed: SealedMaterials | None = None,
                 signer: Callable[[], TillSecrets | None] = lambda: None, till: bool = False,
                 clock: Callable[[], datetime.datetime] = utc_now,
                 new_token: Callable[[], uuid.UUID] = uuid.uuid4):
        self._table = table
        self._key_id = kms_key_id
        self._cached = cached
        self._sealed = sealed
        self._clients = clients
        self._db = clients.dynamodb
        self._workstation = workstation
        self._till = till
        self._clock = clock
        self._new_token = new_token
        self._materials: CryptographicMaterialsProvider | None = None
        self._config_lock = threading.Lock()
        self._bulk = DynamoDbBulk(self._db, self._table, self._errors)
        self._identity = IdentityItem(self._db, self._table, self._errors)
        self._audit = AuditItems(self._db, clients.kms, table, kms_key_id, self._errors,
                                 sealing_key=sealed.back_office_key if sealed else None,
                                 till_copy=till_audit_key(sealed) if sealed and till else None)
        self._keys = KeyLifecycle(clients, table, kms_key_id, cached, errors=self._errors, source=self._crypto,
                                  audit=self._audit, signer=signer, tills=self.till_registry)
        sealed_health = (SealedHealth(clients, kms_key_id, sealed.back_office_key, errors=self._errors,
                                      writing=self._writing_crypto, till=till) if sealed else None)
        self._health = DynamoDbHealth(clients, table, kms_key_id, errors=self._errors, crypto=self._crypto,
                                      meta_table=cached.meta_table if cached else None, till=till,
                                      sealed=sealed_health)

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as error:
            log.info("vault request failed: %r", error)
            raise translate(error, table=self._table, key_arn=self._key_id, till=self._till) from None

    def _crypto(self) -> CryptoConfig:
        """A fresh config per operation: the SDK's configs are not safe to share between threads."""
        with self._config_lock:
            if self._materials is None:
                with self._errors():
                    self._materials = materials_provider(self._clients, self._table, self._key_id, self._cached,
                                                         self._sealed, self.till_registry, till=self._till)
        return item_format.crypto_config(self._materials, self._table)

    def _writing_crypto(self) -> CryptoConfig:
        """A config of the configured materials alone: what this workstation writes with."""
        return item_format.crypto_config(self._crypto().materials_provider.writing(), self._table)

    def tokenize(self, card: Card, *, orders_seen: int | None = None,
                 expires_at: datetime.datetime | None = None) -> str:
        config = self._crypto()
        token = str(self._new_token())
        item = item_format.plaintext_item(token, card, workstation=self._workstation, created_at=self._clock(),
                                          orders_seen=orders_seen, expires_at=expires_at)
        with self._errors():
            stored = seal(item, config, key_id=self._key_id, table=self._table)
            try:
                self._db.put_item(TableName=self._table, Item=stored, ExpressionAttributeNames=_TOKEN_NAME,
                                  ConditionExpression="attribute_not_exists(#t)")
            except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as error:
                if not may_have_landed(error):
                    raise
                self._confirm_put(token, stored, error)
        return token

    def _confirm_put(self, token: str, sent: item_format.Item, error: Exception) -> None:
        """Return if the item we sent is stored after all; otherwise raise a truthful error.

        botocore retries a PutItem whose answer was lost; if the lost attempt stored the
        item, the retry fails its own condition. Only a consistent read tells which.
        """
        log.info("vault put of %s failed (%r); reading it back", token, error)
        try:
            found = self._db.get_item(TableName=self._table, Key={item_format.PARTITION_KEY: {"S": token}},
                                      ConsistentRead=True).get("Item")
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as read_error:
            log.info("reading vault item %s back failed: %r", token, read_error)
            raise VaultOutcomeUnknown(token) from None
        if found == sent:  # the same ciphertext and signature: an attempt of ours stored it
            log.info("vault item %s was stored by an attempt whose answer was lost", token)
            return
        if found is not None:
            raise VaultError(f"vault token {token} is taken by another item (the token source is broken); "
                             "this card was not stored") from None
        if conditional_failure(error):
            raise VaultUnavailable(f"the card vault reported token {token} as taken but holds no item under it; "
                                   "this card was not stored: try again") from None
        raise error

    def tokenize_many(self, cards: Sequence[Card], import_id: str, *,
                      expires_at: Sequence[datetime.datetime | None] | None = None) -> list[str]:
        if expires_at is not None and len(expires_at) != len(cards):
            raise ValueError(f"{len(expires_at)} expiry times for {len(cards)} cards")
        config = self._crypto()
        created_at = self._clock()
        pairs = [(str(self._new_token()), card) for card in cards]
        expiries = dict(zip((token for token, _ in pairs), expires_at or ()))

        def encrypt(token: str, card: Card) -> item_format.Item:
            plain = item_format.plaintext_item(token, card, workstation=self._workstation, created_at=created_at,
                                               origin=item_format.Origin.IMPORT, import_id=import_id,
                                               expires_at=expiries.get(token))
            return seal(plain, config, key_id=self._key_id, table=self._table)

        self._bulk.store(pairs, encrypt)
        return [token for token, _ in pairs]

    def present(self, tokens: Collection[str]) -> set[str]:
        return self._bulk.present(tokens)

    def detokenize(self, token: str) -> Pan:
        return self.card(token).pan

    def card(self, token: str) -> Card:
        check_token(token)
        config = self._crypto()
        with self._errors():
            response = self._db.get_item(TableName=self._table, Key={item_format.PARTITION_KEY: {"S": token}},
                                         ConsistentRead=True)
            if "Item" not in response:
                raise TokenNotFound(token)
            return item_format.decrypt(token, response["Item"], config)

    def verify(self, token: str) -> None:
        self.detokenize(token)

    def entry(self, token: str) -> VaultEntry:
        check_token(token)
        with self._errors():
            found = self._db.get_item(TableName=self._table, Key={item_format.PARTITION_KEY: {"S": token}},
                                      ConsistentRead=True).get("Item")
        if found is None:
            raise TokenNotFound(token)
        return item_format.entry(token, found)

    def delete(self, token: str) -> None:
        check_token(token)
        with self._errors():
            try:
                self._db.delete_item(TableName=self._table, Key={item_format.PARTITION_KEY: {"S": token}},
                                     ExpressionAttributeNames=_TOKEN_NAME, ConditionExpression="attribute_exists(#t)")
            except botocore.exceptions.ClientError as error:
                if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise
                raise TokenNotFound(token) from None

    def entries(self) -> Iterator[VaultEntry]:
        pages = self._db.get_paginator("scan").paginate(
            TableName=self._table,
            ProjectionExpression="#t, created_at, origin, import_id, orders_seen, expires_at, key_version",
            ExpressionAttributeNames=_TOKEN_NAME)
        with self._errors():
            for page in pages:
                for item in page["Items"]:
                    if is_bookkeeping(item[item_format.PARTITION_KEY]["S"]):
                        continue
                    yield item_format.entry(item[item_format.PARTITION_KEY]["S"], item)

    # The vault's identity and its import runs live in one plain item beside the cards.
    def identity(self) -> VaultIdentity:
        return self._identity.read()

    def pair(self, history_id: str) -> None:
        self._identity.pair(history_id)

    def advance_reconcile_epoch(self, expected: str | None, new: str) -> bool:
        return self._identity.advance_reconcile_epoch(expected, new)

    def audit_key(self) -> bytes:
        return self._audit.key()

    def anchors(self) -> dict[str, Anchor]:
        return self._audit.anchors()

    def record_anchor(self, anchor: Anchor) -> None:
        self._audit.record(anchor)

    def begin_import(self, record: ImportRecord) -> None:
        self._identity.begin_import(record)

    def pending_imports(self) -> list[ImportRecord]:
        return self._identity.pending_imports()

    def end_import(self, import_id: str) -> None:
        self._identity.end_import(import_id)

    def provision(self) -> None:
        """Create the vault table (the meta table too in cached mode), its identity and audit key; harmless twice."""
        with self._errors():
            self._create_table(self._table, [(item_format.PARTITION_KEY, "S", "HASH")])
            self._identity.create()
            self._audit.key()  # made here, by the administrator: a till may not write bookkeeping items
            ttl = self._db.describe_time_to_live(TableName=self._table)["TimeToLiveDescription"]
            if ttl.get("TimeToLiveStatus") not in ("ENABLED", "ENABLING"):
                self._db.update_time_to_live(TableName=self._table, TimeToLiveSpecification={
                    "Enabled": True, "AttributeName": "expires_at"})
            self._enable_point_in_time_recovery(self._table)
            if self._cached is not None:
                self._create_table(self._cached.meta_table, [(MetaStoreAttributeNames.PARTITION.value, "S", "HASH"),
                                                             (MetaStoreAttributeNames.SORT.value, "N", "RANGE")])
                self._enable_point_in_time_recovery(self._cached.meta_table)

    def _create_table(self, name: str, keys: list[tuple[str, str, str]]) -> None:
        try:
            self._db.create_table(
                TableName=name,
                AttributeDefinitions=[{"AttributeName": key, "AttributeType": kind} for key, kind, _ in keys],
                KeySchema=[{"AttributeName": key, "KeyType": role} for key, _, role in keys],
                BillingMode="PAY_PER_REQUEST",
                SSESpecification={"Enabled": True},
            )
            log.info("created DynamoDB table %s", name)
        except botocore.exceptions.ClientError as error:
            if error.response["Error"]["Code"] != "ResourceInUseException":
                raise
        self._db.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 2, "MaxAttempts": 60})

    def _enable_point_in_time_recovery(self, name: str) -> None:
        try:
            self._db.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification={
                "PointInTimeRecoveryEnabled": True})
        except botocore.exceptions.ClientError as error:
            # DynamoDB Local and some emulators do not have backups; the vault still works.
            log.warning("point-in-time recovery could not be enabled on %s (%s); enable it in AWS",
                        name, error.response["Error"]["Code"])

    def till_registry(self) -> DynamoDbTillRegistry:  # the tills whose items back office trusts
        return DynamoDbTillRegistry(self._db, self._table, self._errors)

    def checks(self) -> list[Check]:
        return self._health.checks()

    def key_rotation(self) -> bool | None:
        return self._health.key_rotation()

    def rekey(self, to_key: str | None, progress: Progress) -> RekeyReport:
        return self._keys.rekey(to_key, progress)

    def rotate_materials(self) -> str:
        return self._keys.rotate_materials()

    def excess_permissions(self) -> list[str]:
        return self._health.excess_permissions()
