"""The audit journal's key and anchors in the DynamoDB vault table, out of the order database.

The key is a KMS data key: the table keeps only its ciphertext, bound by an encryption
context to this table and purpose, so KMS refuses a blob that was changed or moved; every
till and back office with the vault's key reads the same audit key and can verify every
workstation's chain; ``posapp provision`` makes it, as tills may not write it. With sealed
materials the key is wrapped by the back office's RSA key, and each till keeps a copy that
``posapp till register`` gives it. Anchors are
attributes of one item, each moved only forward by a conditional update. Both items are
bookkeeping: no token can name them.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

import botocore.exceptions

from posapp.audit.chain import KEY_BYTES, Anchor
from posapp.vault.base import VaultError, VaultNotPermitted, VaultUnavailable
from posapp.vault.dynamodb_bulk import Errors
from posapp.vault.item_format import PARTITION_KEY
from posapp.vault.sealing import OAEP, WRAPPING_ALGORITHM, load_back_office_key

_KEY_ITEM = {PARTITION_KEY: {"S": "posapp:audit-key"}}
_ANCHORS_ITEM = {PARTITION_KEY: {"S": "posapp:audit-anchors"}}


class AuditItems:
    """The audit items of ``table`` through the boto3 clients ``db`` and ``kms``, the key wrapped by
    KMS key ``key_id``; ``errors`` turns botocore errors into VaultErrors.

    Sealed materials: ``sealing_key`` is the public key (DER) of ``key_id``, an RSA key, which wraps
    the audit key with RSA-OAEP (no encryption context: RSA keys take none); a sealed till reads
    its own copy through ``till_copy`` instead, as it may not decrypt with that key (None: it holds
none yet, and the administrator registering it reads the vault's)."""

    def __init__(self, db: object, kms: object, table: str, key_id: str, errors: Errors, *,
                 sealing_key: bytes | None = None, till_copy: Callable[[], bytes | None] | None = None):
        self._db, self._kms = db, kms
        self._table, self._key_id = table, key_id
        self._errors = errors
        self._sealing_key, self._till_copy = sealing_key, till_copy
        self._key: bytes | None = None

    def _context(self) -> dict[str, str]:
        return {"posapp": "audit journal key", "table": self._table}

    def key(self) -> bytes:
        """The audit key; ``posapp provision`` makes it (a vault provisioned before that: whichever
        workstation comes first, if its role may). Raises VaultNotPermitted where it is missing and
        this workstation's role may not store it."""
        if self._key is None and self._till_copy is not None:
            self._key = self._till_copy()
            if self._key is None:  # not registered: the administrator registering it may read the vault's
                try:
                    self._key = self._vault_copy()
                except VaultNotPermitted:  # the till's own role may not: say what it lacks
                    raise VaultUnavailable("this till holds no copy of the audit journal key, as it is not "
                                           "registered: an administrator runs 'posapp till register' on it") from None
        if self._key is None:
            self._key = self._vault_copy()
        return self._key

    def _vault_copy(self) -> bytes:
        """The key wrapped in the vault table, made first where it is missing."""
        with self._errors():
            item = self._db.get_item(TableName=self._table, Key=_KEY_ITEM, ConsistentRead=True).get("Item")
            if item is None:
                item = self._create()
            # A rekey wraps it for the new key too: tills on either key read it.
            own = item.get(f"wrapped:{self._key_id}")
            try:
                return self._unwrap(own["B"] if own else item["wrapped"]["B"], sealed=own is not None)
            except botocore.exceptions.ClientError as error:
                if error.response["Error"]["Code"] != "InvalidCiphertextException":
                    raise
                raise VaultError(f"the audit key in vault table {self._table} was changed or does not belong "
                                 f"to KMS key {self._key_id}: restore the table from a backup") from None

    def _unwrap(self, wrapped: bytes, *, sealed: bool) -> bytes:
        """``sealed``: the wrapping under this workstation's own key, by name (else the first one)."""
        if self._sealing_key is None:
            return self._kms.decrypt(CiphertextBlob=wrapped, KeyId=self._key_id,
                                     EncryptionContext=self._context())["Plaintext"]
        if sealed:
            return self._kms.decrypt(CiphertextBlob=wrapped, KeyId=self._key_id,
                                     EncryptionAlgorithm=WRAPPING_ALGORITHM)["Plaintext"]
        # Sealed settings on a vault whose key is wrapped by its symmetric key alone (an administrator
        # registering a till before any rekey): KMS finds the key in the blob, and checks the context.
        return self._kms.decrypt(CiphertextBlob=wrapped, EncryptionContext=self._context())["Plaintext"]

    def _create(self) -> dict:
        if self._sealing_key is not None:  # wrapped here: no KMS call, and any role can
            wrapped = load_back_office_key(self._sealing_key).encrypt(secrets.token_bytes(KEY_BYTES), OAEP)
        else:
            wrapped = self._kms.generate_data_key(KeyId=self._key_id, NumberOfBytes=KEY_BYTES,
                                                  EncryptionContext=self._context())["CiphertextBlob"]
        item = {**_KEY_ITEM, "wrapped": {"B": wrapped}}
        if self._sealing_key is not None:  # named too: an RSA wrapping is read as one only by its name
            item[f"wrapped:{self._key_id}"] = {"B": wrapped}
        try:
            self._db.put_item(TableName=self._table, Item=item, ExpressionAttributeNames={"#t": PARTITION_KEY},
                              ConditionExpression="attribute_not_exists(#t)")
        except botocore.exceptions.ClientError as error:
            if error.response["Error"]["Code"] in ("AccessDeniedException", "AccessDenied"):  # a till's role
                raise VaultNotPermitted(f"vault table {self._table} has no audit journal key yet, and this "
                                        "workstation may not make it: run 'posapp provision' as an administrator"
                                        ) from None
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            # Another till made it first: use its key, never a second one.
            return self._db.get_item(TableName=self._table, Key=_KEY_ITEM, ConsistentRead=True)["Item"]
        return item

    def wrap_for(self, key_id: str, sealing_key: bytes | None = None) -> None:
        """Keep the audit key wrapped by KMS key ``key_id`` as well (a rekey to it), beside the
        wrapping tills on the configured key read; the key itself never changes. ``sealing_key``:
        the public key (DER) where ``key_id`` is an RSA key of sealed materials."""
        plain = self.key()
        with self._errors():
            if sealing_key is not None:
                wrapped = load_back_office_key(sealing_key).encrypt(plain, OAEP)
            else:
                wrapped = self._kms.encrypt(KeyId=key_id, Plaintext=plain,
                                            EncryptionContext=self._context())["CiphertextBlob"]
            self._db.update_item(TableName=self._table, Key=_KEY_ITEM, UpdateExpression="SET #w = :w",
                                 ConditionExpression="attribute_exists(#o)",  # "wrapped" is a reserved word
                                 ExpressionAttributeNames={"#w": f"wrapped:{key_id}", "#o": "wrapped"},
                                 ExpressionAttributeValues={":w": {"B": wrapped}})

    def anchors(self) -> dict[str, Anchor]:
        """Every workstation's anchor."""
        with self._errors():
            item = self._db.get_item(TableName=self._table, Key=_ANCHORS_ITEM, ConsistentRead=True).get("Item", {})
        found = (Anchor.from_json(value["S"]) for name, value in item.items() if name.startswith("anchor:"))
        return {anchor.workstation: anchor for anchor in found}

    def record(self, anchor: Anchor) -> None:
        """Keep ``anchor`` unless its workstation's kept one is as far along."""
        names = {"#s": f"seq:{anchor.workstation}", "#a": f"anchor:{anchor.workstation}"}
        with self._errors():
            try:
                self._db.update_item(
                    TableName=self._table, Key=_ANCHORS_ITEM, UpdateExpression="SET #s = :seq, #a = :anchor",
                    ConditionExpression="attribute_not_exists(#s) OR #s < :seq", ExpressionAttributeNames=names,
                    ExpressionAttributeValues={":seq": {"N": str(anchor.seq)}, ":anchor": {"S": anchor.to_json()}})
            except botocore.exceptions.ClientError as error:
                if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise  # else: a later anchor of that workstation is kept already


