"""The DynamoDB vault's key lifecycle: a rekey to a new KMS key, new cached-material versions.

Direct materials name the KMS key ARN as an item's key version; cached materials name the
meta store's material and version ("posapp-pan-vault#3"), whose keys are wrapped by the KMS
key that was configured when the version was made.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

import botocore.exceptions
from dynamodb_encryption_sdk.encrypted import CryptoConfig
from dynamodb_encryption_sdk.material_providers.aws_kms import AwsKmsCryptographicMaterialsProvider
from dynamodb_encryption_sdk.exceptions import NoKnownVersionError
from dynamodb_encryption_sdk.material_providers.store.meta import MetaStore

from posapp.errors import InvalidInput
from posapp.pan_detect import contains_pan
from posapp.vault import item_format
from posapp.vault.aws import AwsClients, key_region, translate
from posapp.vault.dynamodb_audit import AuditItems
from posapp.vault.dynamodb_bulk import Errors
from posapp.vault.dynamodb_rekey import CHECKPOINT, DynamoDbRekey
from posapp.vault.dynamodb_sealing import fetch_public_key, is_sealing_key
from posapp.vault.till_secrets import registered
from posapp.vault.sealing import load_back_office_key, till_materials
from posapp.vault.till_registry import TillRegistry, require_trusted
from posapp.vault.pinned import meta_version, pin
from posapp.vault.rekeying import Progress, RekeyReport

if TYPE_CHECKING:
    from posapp.vault.dynamodb import CachedMaterials
    from posapp.vault.till_secrets import TillSecrets

log = logging.getLogger(__name__)

# A bookkeeping item: which KMS key wraps each material version posapp made (version -> key ARN).
MATERIAL_KEYS = {item_format.PARTITION_KEY: {"S": "posapp:material-keys"}}


def seal(item: item_format.Item, config: CryptoConfig, *, key_id: str, table: str) -> item_format.Item:
    """Encrypt and sign a new ``item`` of ``table`` with ``config`` (materials of KMS key ``key_id``),
    naming the key version that protects it (see item_format.KEY_VERSION)."""
    pinned, description = pin(item, config)
    version = meta_version(description)
    item[item_format.KEY_VERSION] = {"S": key_id if version is None else f"{table}#{version}"}
    return item_format.encrypt(item, pinned)


class KeyLifecycle:
    """Rekey and material rotation for the vault ``table`` whose items are read with ``source``
    configs; ``kms_key_id`` is the configured key, ``cached`` the cached materials or None."""

    def __init__(self, clients: AwsClients, table: str, kms_key_id: str, cached: CachedMaterials | None, *,
                 errors: Errors, source: Callable[[], CryptoConfig], audit: AuditItems,
                 signer: Callable[[], TillSecrets | None], tills: Callable[[], TillRegistry]):
        self._signer = signer  # this workstation's till key: a rekey to sealed materials signs with it
        self._tills = tills
        self._clients = clients
        self._table = table
        self._key_id = kms_key_id
        self._cached = cached
        self._errors = errors
        self._source = source
        self._audit = audit

    def rekey(self, to_key: str | None, progress: Progress) -> RekeyReport:
        """Re-encrypt every card item under the KMS key ``to_key`` (an ARN in the configured key's
        region), resuming an interrupted run to it (see :mod:`posapp.vault.dynamodb_rekey`). An RSA
        key moves items to sealed materials, signed by this workstation's registered till key.
        Raises InvalidInput (no or another kind of key) and VaultUnavailable."""
        sealing_key = self._check_key(to_key)
        self._audit.wrap_for(to_key, sealing_key)  # first: a till pointed at the new key early can sign in
        kms = self._provider(to_key)
        if sealing_key is not None:
            signer = require_trusted(self._tills(), registered(self._signer()))
            sealed = till_materials(signer.till_id, signer.signing_key, load_back_office_key(sealing_key), to_key)

            def target() -> CryptoConfig:
                return item_format.crypto_config(sealed, self._table)
            key_version = to_key
        elif self._cached is None:
            def target() -> CryptoConfig:
                return item_format.crypto_config(kms, self._table)
            key_version = to_key
        else:  # the version an interrupted or earlier run made for this key, else a new one wrapped by it
            store = self._store(kms)
            version = self._pending_version() or self._newest_version_of(to_key, store) or self._new_version(store, to_key)
            with self._errors():
                provider = store.get_or_create_provider(self._table, version)

            def target() -> CryptoConfig:
                return item_format.crypto_config(provider, self._table)
            key_version = f"{self._table}#{version}"
        log.info("re-keying vault table %s to %s", self._table, key_version)
        return DynamoDbRekey(self._clients.dynamodb, self._table, self._errors, source=self._source,
                             target=target, key_version=key_version).run(progress)

    def rotate_materials(self) -> str:
        """Start a new material version (wrapped by the configured key) in the meta store; its
        name ("table#version"). Sales use it once their ``version_ttl`` ends; items of older
        versions stay readable. Raises InvalidInput for direct materials, VaultUnavailable."""
        if self._cached is None:
            raise InvalidInput("rotate-materials is for cached materials: direct materials take a new KMS data "
                               "key for every card (rotate the KMS key, or re-key with 'posapp vault rekey')")
        version = self._new_version(self._store(self._provider(self._key_id)), self._key_id)
        return f"{self._table}#{version}"

    def _check_key(self, to_key: str | None) -> bytes | None:
        """Refuse a ``to_key`` that is not a usable key; its public key (DER) where it is sealed
        materials' RSA key, else None."""
        if not to_key:
            raise InvalidInput("the DynamoDB vault is re-keyed to a KMS key: give --to-key ARN")
        if contains_pan(to_key):  # every sentence below repeats the ARN: never one that holds a card number
            raise InvalidInput("--to-key holds what looks like a card number: give the new key's ARN")
        region = key_region(to_key)
        if region is None or ":key/" not in to_key:
            raise InvalidInput("--to-key must be a KMS key ARN: arn:aws:kms:REGION:ACCOUNT:key/ID")
        if region != self._clients.kms_region:
            raise InvalidInput(f"--to-key must be a key in {self._clients.kms_region}, the region of "
                               f"[vault] kms_key_id; {to_key} is in {region}")
        try:
            key = self._clients.kms.describe_key(KeyId=to_key)["KeyMetadata"]
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as error:
            if isinstance(error, botocore.exceptions.ClientError) and \
                    error.response.get("Error", {}).get("Code") == "NotFoundException":  # a mistyped ARN
                raise InvalidInput(f"--to-key {to_key} names no KMS key in {region}: check the ARN") from None
            raise translate(error, table=self._table, key_arn=to_key) from None
        sealing = is_sealing_key(key)
        if not sealing and (key.get("KeyUsage", "ENCRYPT_DECRYPT") != "ENCRYPT_DECRYPT"
                            or key.get("KeySpec", "SYMMETRIC_DEFAULT") != "SYMMETRIC_DEFAULT"):
            raise InvalidInput(f"KMS key {to_key} is neither a symmetric encryption key nor an RSA_3072 "
                               "encryption key (sealed materials)")
        if key.get("KeyState", "Enabled") != "Enabled":
            raise InvalidInput(f"KMS key {to_key} is {key['KeyState']}: enable it before re-keying")
        if not sealing:
            return None
        if self._cached is not None:
            raise InvalidInput("a rekey to sealed materials runs with direct materials configured: cached "
                               "materials would re-encrypt under a new meta store version instead")
        with self._errors():
            return fetch_public_key(self._clients.kms, to_key)

    def _provider(self, key_id: str) -> AwsKmsCryptographicMaterialsProvider:
        return AwsKmsCryptographicMaterialsProvider(
            key_id=key_id, regional_clients={self._clients.kms_region: self._clients.kms})

    def _store(self, kms: AwsKmsCryptographicMaterialsProvider) -> MetaStore:
        with self._errors():
            return MetaStore(table=self._clients.dynamodb_resource.Table(self._cached.meta_table),
                             materials_provider=kms)

    def _new_version(self, store: MetaStore, key_id: str) -> int:
        """A new material version wrapped by KMS key ``key_id``, noted in ``posapp:material-keys``."""
        with self._errors():
            store.new_provider(self._table)
            version = store.max_version(self._table)
            self._clients.dynamodb.update_item(
                TableName=self._table, Key=MATERIAL_KEYS, UpdateExpression="SET #v = :key",
                ExpressionAttributeNames={"#v": str(version)}, ExpressionAttributeValues={":key": {"S": key_id}})
        log.info("vault table %s: new material version %d", self._table, version)
        return version

    def _newest_version_of(self, key_id: str, store: MetaStore) -> int | None:
        """The newest material version, if a rekey or rotation made it for ``key_id``: running a
        rekey again (after tills moved to the new key) then moves only what is not under it yet."""
        with self._errors():
            try:
                newest = store.max_version(self._table)
            except NoKnownVersionError:  # no sale made a version yet
                return None
            noted = self._clients.dynamodb.get_item(TableName=self._table, Key=MATERIAL_KEYS,
                                                    ConsistentRead=True).get("Item", {})
        return newest if noted.get(str(newest), {}).get("S") == key_id else None

    def _pending_version(self) -> int | None:
        """The material version an interrupted rekey of this table was moving items to."""
        with self._errors():
            kept = self._clients.dynamodb.get_item(TableName=self._table, Key=CHECKPOINT,
                                                   ConsistentRead=True).get("Item")
        name, _, version = (kept or {}).get("target", {}).get("S", "").rpartition("#")
        return int(version) if name == self._table and version.isdigit() else None
