"""The DynamoDB vault's health checks for ``posapp doctor``, and the evidence ``doctor --pci`` needs:
key rotation, and what the workstation's credentials may do beyond the till policy."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import boto3
import botocore.exceptions
from dynamodb_encryption_sdk.encrypted import CryptoConfig

from posapp.vault import item_format
from posapp.vault.aws import AwsClients
from posapp.vault.base import Check, VaultUnavailable
from posapp.vault.dynamodb_bulk import Errors
from posapp.vault.dynamodb_sealed_health import SealedHealth

_DENIED = frozenset({"AccessDeniedException", "AccessDenied"})
# The till policy lets a till decrypt the audit journal's key and nothing else (packaging/aws).
PROBE_CONTEXT = {"posapp": "permission probe"}


def denied(error: BaseException) -> bool:
    """Whether ``error`` (or an error behind it) is AWS refusing the caller's permission."""
    cause = item_format.backend_cause(error) if not isinstance(error, botocore.exceptions.ClientError) else error
    return (isinstance(cause, botocore.exceptions.ClientError)
            and cause.response.get("Error", {}).get("Code") in _DENIED)


class DynamoDbHealth:
    """Checks of ``table`` and KMS key ``key_id``; ``crypto`` gives a fresh CryptoConfig, ``errors``
    turns botocore errors into VaultErrors, ``meta_table`` is None for direct materials; ``till``
    means the credentials hold the till role, which may not read a card back."""

    def __init__(self, clients: AwsClients, table: str, key_id: str, *, errors: Errors,
                 crypto: Callable[[], CryptoConfig], meta_table: str | None, till: bool,
                 sealed: SealedHealth | None = None):
        self._clients, self._table, self._key_id = clients, table, key_id
        self._errors, self._crypto = errors, crypto
        self._meta_table, self._till, self._sealed = meta_table, till, sealed

    def checks(self) -> list[Check]:
        """Credentials, tables, key, its rotation and an encryption round trip, cheapest first; with
        cached materials, a line saying what they let this workstation read."""
        checks = [
            ("AWS credentials", self._check_credentials),
            ("vault table", self._check_table),
            ("KMS key", self._check_key),
            ("KMS key rotation", self._check_rotation),
            ("encryption round trip", self._check_round_trip),
        ]
        if self._sealed is not None:  # an RSA key: KMS rotates none, and a sale never calls KMS
            checks[3:] = [("back office key", self._sealed.check_pinned_key),
                          ("KMS key rotation", lambda: "KMS does not rotate RSA keys: rotate by re-keying the vault "
                                                       "to a new key (posapp vault rekey --to-key)"),
                          ("encryption round trip", self._sealed.check_round_trip)]
        if self._meta_table is not None:
            checks.append(("cached materials", lambda: (
                f"this workstation holds key material from {self._meta_table} that also decrypts every card "
                "in the vault; direct materials keep a till from reading cards")))
        return checks

    def _check_credentials(self) -> str:
        credentials = boto3.session.Session().get_credentials()
        if credentials is None:
            raise VaultUnavailable("no AWS credentials found: set up a profile, environment variables or SSO")
        return f"found ({credentials.method})"

    def _check_table(self) -> str:
        names = [self._table] + ([self._meta_table] if self._meta_table is not None else [])
        with self._errors():
            for name in names:
                status = self._clients.dynamodb.describe_table(TableName=name)["Table"]["TableStatus"]
                if status != "ACTIVE":
                    raise VaultUnavailable(f"table {name} is {status}, not ACTIVE")
        return ", ".join(names) + " ACTIVE"

    def _check_key(self) -> str:
        with self._errors():
            key = self._clients.kms.describe_key(KeyId=self._key_id)["KeyMetadata"]
        if key.get("KeyState") != "Enabled" or key.get("KeyUsage") != "ENCRYPT_DECRYPT":
            raise VaultUnavailable(f"KMS key {self._key_id} is {key.get('KeyState')}, "
                                   f"usage {key.get('KeyUsage')}: it must be Enabled for ENCRYPT_DECRYPT")
        return f"{self._key_id} Enabled"

    def _check_rotation(self) -> str:
        if not self.key_rotation():
            raise VaultUnavailable(f"KMS key {self._key_id} does not rotate automatically: turn rotation on "
                                   f"(aws kms enable-key-rotation --key-id {self._key_id})")
        return "automatic rotation on"

    def _check_round_trip(self) -> str:
        config = self._crypto()
        materials = "direct" if self._meta_table is None else "cached"
        with self._errors():
            try:
                item_format.round_trip(config)
            except Exception as error:
                if not (self._till and denied(error)):
                    raise
                return (f"an item was encrypted and signed ({materials} materials); reading it back was refused, "
                        "as the till role intends")
        return f"an item was encrypted, signed and read back ({materials} materials)"

    def key_rotation(self) -> bool | None:
        """Whether KMS rotates the key automatically; None for sealed materials' RSA key, which KMS
        never rotates. Raises VaultUnavailable."""
        if self._sealed is not None:
            return None
        with self._errors():
            return bool(self._clients.kms.get_key_rotation_status(KeyId=self._key_id)["KeyRotationEnabled"])

    def excess_permissions(self) -> list[str]:
        """The operations outside the till policy that AWS lets these credentials do.

        Each probe is harmless: a one-item scan of keys only, a read of a token that names no
        card, and decrypting a data key made for the probe. Raises VaultUnavailable for any
        other failure than a refusal."""
        probes = {
            "dynamodb:Scan": lambda: self._clients.dynamodb.scan(
                TableName=self._table, Limit=1, ProjectionExpression="#t",
                ExpressionAttributeNames={"#t": item_format.PARTITION_KEY}),
            "dynamodb:GetItem on cards": lambda: self._clients.dynamodb.get_item(
                TableName=self._table, Key={item_format.PARTITION_KEY: {"S": str(uuid.uuid4())}}),
            "kms:Decrypt beyond the audit key": self._decrypt_probe,
        }
        allowed = []
        for name, probe in probes.items():
            with self._errors():
                try:
                    probe()
                except botocore.exceptions.ClientError as error:
                    if denied(error):
                        continue
                    raise
            allowed.append(name)
        return allowed

    def _decrypt_probe(self) -> None:
        kms = self._clients.kms
        if self._sealed is not None:
            self._sealed.unseal_probe()
            return
        blob = kms.generate_data_key(KeyId=self._key_id, NumberOfBytes=32,
                                     EncryptionContext=PROBE_CONTEXT)["CiphertextBlob"]
        kms.decrypt(KeyId=self._key_id, CiphertextBlob=blob, EncryptionContext=PROBE_CONTEXT)
