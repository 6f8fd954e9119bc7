"""Sealed materials on DynamoDB: the back office's key pair is an asymmetric KMS key.

The key (KeySpec RSA_3072 or RSA_4096, KeyUsage ENCRYPT_DECRYPT) is named by ``[vault]
kms_key_id``. A till holds its public key, fetched once by ``posapp setup`` and pinned in its
settings, and wraps each item key with it locally: a sale makes no KMS call. Back office unwraps
through KMS ``Decrypt`` with ``RSAES_OAEP_SHA_256``: the private key never leaves KMS.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import botocore.exceptions

from posapp.errors import InvalidInput
from posapp.vault.sealing import WRAPPING_ALGORITHM, Unseal, load_back_office_key
from posapp.vault.till_secrets import TillSecrets

_KEY_SPECS = ("RSA_3072", "RSA_4096")


@dataclass(frozen=True, repr=False)
class SealedMaterials:
    """A sealed till's materials: ``back_office_key`` is the pinned public key of ``[vault]
    kms_key_id`` (DER SubjectPublicKeyInfo), ``till`` loads this till's signing key and audit key
    on first need (None where the till holds none: it was never registered)."""

    back_office_key: bytes
    till: Callable[[], TillSecrets | None]


def fetch_public_key(kms: object, key_id: str) -> bytes:
    """The public key (DER SubjectPublicKeyInfo) of the asymmetric KMS key ``key_id``, from
    ``GetPublicKey``. Raises InvalidInput where ``key_id`` is not an enabled RSA encryption key of
    at least 3072 bits, and botocore's errors for the call itself."""
    try:
        answer = kms.get_public_key(KeyId=key_id)
    except botocore.exceptions.ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("UnsupportedOperationException", "InvalidKeyUsageException"):
            raise InvalidInput(f"KMS key {key_id} is not an asymmetric key: sealed materials need an "
                               "RSA_3072 key for encryption (KeyUsage ENCRYPT_DECRYPT)") from None
        raise
    # KMS answers KeySpec and the older CustomerMasterKeySpec; some emulators only the latter.
    spec = answer.get("KeySpec") or answer.get("CustomerMasterKeySpec")
    if spec not in _KEY_SPECS or answer.get("KeyUsage") != "ENCRYPT_DECRYPT" \
            or WRAPPING_ALGORITHM not in answer.get("EncryptionAlgorithms", ()):
        raise InvalidInput(f"KMS key {key_id} is {spec} for {answer.get('KeyUsage')}: sealed "
                           "materials need an RSA_3072 key for encryption (KeyUsage ENCRYPT_DECRYPT)")
    der = answer["PublicKey"]
    try:
        load_back_office_key(der)
    except ValueError as error:
        raise InvalidInput(f"KMS key {key_id}: {error}") from None
    return der


def kms_unseal(kms: object) -> Unseal:
    """Unwraps through KMS ``Decrypt`` with the RSA key an item names (its ARN); raises botocore's
    errors, InvalidCiphertextException for a wrapped key that is not the key's."""
    def unseal(key_arn: str, wrapped: bytes) -> bytes:
        return kms.decrypt(KeyId=key_arn, CiphertextBlob=wrapped, EncryptionAlgorithm=WRAPPING_ALGORITHM)["Plaintext"]
    return unseal


def is_sealing_key(key_metadata: dict) -> bool:
    """Whether a DescribeKey answer's ``KeyMetadata`` is a key sealed materials wrap for."""
    return key_metadata.get("KeySpec") in _KEY_SPECS and key_metadata.get("KeyUsage") == "ENCRYPT_DECRYPT"


def till_audit_key(sealed: SealedMaterials) -> Callable[[], bytes | None]:
    """A sealed till's copy of the audit key, made by 'posapp till register', as it cannot open the
    vault's; None before it is registered (the administrator registering it reads the vault's)."""
    def audit_key() -> bytes | None:
        held = sealed.till()
        return held.audit_key if held is not None else None
    return audit_key
