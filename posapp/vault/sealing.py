"""Sealed materials: a till stores cards that it cannot read back.

Each item's content key is wrapped with the back office's RSA public key, with RSA-OAEP
(hash and MGF1 SHA-256, no label: what KMS calls ``RSAES_OAEP_SHA_256``), and the item is
signed with the till's own ECDSA P-256 key. The material description (signed with the item)
names the till and its key, so back office verifies each item with the key registered for that
till. A till holds the back office's public key and its own signing key: neither opens an item.

Why not the SDK's own keys: its "RSA/ECB/OAEPWithSHA-256AndMGF1Padding" masks with SHA-1 (Java's
meaning), which KMS will not open, and it has no ECDSA signatures. ECDSA P-256 over RSA-2048 for
the till: an item is encrypted and signed in half the time (about 0.34 against 0.67 ms:
bench/sealed.py, sealed_tokenize_ms), and 64-byte keys in the registry.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from dynamodb_encryption_sdk.delegated_keys import DelegatedKey
from dynamodb_encryption_sdk.delegated_keys.jce import JceNameLocalDelegatedKey
from dynamodb_encryption_sdk.exceptions import SignatureVerificationError, UnwrappingError, WrappingError
from dynamodb_encryption_sdk.identifiers import EncryptionKeyType, KeyEncodingType
from dynamodb_encryption_sdk.material_providers import CryptographicMaterialsProvider
from dynamodb_encryption_sdk.material_providers.wrapped import WrappedCryptographicMaterialsProvider
from dynamodb_encryption_sdk.materials.wrapped import WrappedCryptographicMaterials

TILL_ID = "posapp-till"  # material description: the till that signed the item
TILL_KEY_ID = "posapp-till-key"  # material description: which of its keys (see key_id)
SEALED_FOR = "posapp-sealed-for"  # material description: the back-office key (KMS key ARN, or "local")
SIGNATURE_ALGORITHM = "SHA256withECDSA"
WRAPPING_ALGORITHM = "RSAES_OAEP_SHA_256"  # KMS's name, written in each item's description
OAEP = padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None)

# Unwraps a content key wrapped with a back-office public key, given the key's name (an item's
# SEALED_FOR) and the wrapped key: KMS Decrypt, or the local private key.
Unseal = Callable[[str, bytes], bytes]


class UntrustedSigner(SignatureVerificationError):
    """The till an item names is not one back office trusts: ``reason`` says why, naming the till."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


class NoOpeningKey(UnwrappingError):
    """Asked to open a sealed item with a till's materials, which hold no key that opens one."""


def key_id(public_key: ec.EllipticCurvePublicKey | rsa.RSAPublicKey) -> str:
    """A public key's fingerprint, "sha256:" and 32 hex digits of the SHA-256 of its DER form."""
    return "sha256:" + hashlib.sha256(public_der(public_key)).hexdigest()[:32]


def public_der(public_key: ec.EllipticCurvePublicKey | rsa.RSAPublicKey) -> bytes:
    """The key as DER SubjectPublicKeyInfo (what KMS GetPublicKey answers)."""
    return public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def load_back_office_key(der: bytes) -> rsa.RSAPublicKey:
    """The back office's public key from DER SubjectPublicKeyInfo; ValueError unless it is RSA of
    at least 3072 bits (KMS RSA_3072 or RSA_4096)."""
    key = serialization.load_der_public_key(der)
    if not isinstance(key, rsa.RSAPublicKey) or key.key_size < 3072:
        raise ValueError("the back office's key must be an RSA public key of at least 3072 bits")
    return key


def load_till_public_key(der: bytes) -> ec.EllipticCurvePublicKey:
    """A till's verification key from DER SubjectPublicKeyInfo; ValueError unless it is ECDSA P-256."""
    key = serialization.load_der_public_key(der)
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
        raise ValueError("a till's key must be an ECDSA P-256 public key")
    return key


class _SealingKey(DelegatedKey):
    """Wraps content keys with the back office's RSA public key; unwraps through ``unseal``, if any."""

    def __init__(self, public_key: rsa.RSAPublicKey | None, unseal: Unseal | None, sealed_for: str = ""):
        self._public_key, self._unseal, self._sealed_for = public_key, unseal, sealed_for

    @property
    def algorithm(self) -> str:
        return WRAPPING_ALGORITHM

    def wrap(self, algorithm, content_key, additional_associated_data=None):
        if self._public_key is None or algorithm != WRAPPING_ALGORITHM:
            raise WrappingError("no sealing key for this algorithm")
        return self._public_key.encrypt(content_key, OAEP)

    def unwrap(self, algorithm, wrapped_key, wrapped_key_algorithm, wrapped_key_type,
               additional_associated_data=None):
        if self._unseal is None:
            raise NoOpeningKey("sealed materials: this workstation holds no key that opens items")
        if algorithm != WRAPPING_ALGORITHM or wrapped_key_type is not EncryptionKeyType.SYMMETRIC:
            raise UnwrappingError("not a sealed item key")
        return JceNameLocalDelegatedKey(key=self._unseal(self._sealed_for, wrapped_key), algorithm=wrapped_key_algorithm,
                                        key_type=EncryptionKeyType.SYMMETRIC, key_encoding=KeyEncodingType.RAW)


class _TillKey(DelegatedKey):
    """A till's ECDSA P-256 key: signs with the private key, verifies with the public one."""

    def __init__(self, private_key: ec.EllipticCurvePrivateKey | None, public_key: ec.EllipticCurvePublicKey,
                 till_id: str):
        self._private_key, self._public_key, self._till_id = private_key, public_key, till_id

    @property
    def algorithm(self) -> str:
        return SIGNATURE_ALGORITHM

    def signing_algorithm(self) -> str:
        return SIGNATURE_ALGORITHM

    def sign(self, algorithm, data):
        if self._private_key is None or algorithm != SIGNATURE_ALGORITHM:
            raise SignatureVerificationError("no till signing key for this algorithm")
        return self._private_key.sign(data, ec.ECDSA(hashes.SHA256()))

    def verify(self, algorithm, signature, data):
        try:
            if algorithm != SIGNATURE_ALGORITHM:
                raise InvalidSignature
            self._public_key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            raise UntrustedSigner(f"its signature is not that of till {self._till_id}'s key") from None


def till_materials(till_id: str, till_key: ec.EllipticCurvePrivateKey, back_office_key: rsa.RSAPublicKey,
                   sealed_for: str) -> CryptographicMaterialsProvider:
    """What a till writes items with: each item's content key wrapped for ``back_office_key`` (named
    ``sealed_for``: its KMS key ARN, or "local"), the item signed with ``till_key`` and naming
    ``till_id`` and the key. Reading with it raises NoOpeningKey: the till holds no key that opens
    an item."""
    description = {TILL_ID: till_id, TILL_KEY_ID: key_id(till_key.public_key()), SEALED_FOR: sealed_for}
    return WrappedCryptographicMaterialsProvider(signing_key=_TillKey(till_key, till_key.public_key(), till_id),
                                                 wrapping_key=_SealingKey(back_office_key, None),
                                                 unwrapping_key=_SealingKey(None, None),
                                                 material_description=description)


# Answers the verification key of a till: its id and the key id an item names -> its public key;
# raises UntrustedSigner where the till is unknown, revoked, or registered with another key.
TillKeys = Callable[[str, str], ec.EllipticCurvePublicKey]


class BackOfficeMaterials(CryptographicMaterialsProvider):
    """What back office reads sealed items with: each item verified with the key registered for the
    till it names (``till_keys``), its content key unwrapped by ``unseal``. Writes nothing."""

    def __init__(self, till_keys: TillKeys, unseal: Unseal):
        self._till_keys, self._unseal = till_keys, unseal

    def encryption_materials(self, encryption_context):
        """Refused: back office reads sealed items and writes none (WrappingError)."""
        raise WrappingError("back office does not write sealed items")

    def decryption_materials(self, encryption_context):
        """The keys of the item ``encryption_context`` describes; UntrustedSigner where the till it
        names is not trusted, before any key is unwrapped."""
        description = encryption_context.material_description
        till, till_key, sealed_for = (description.get(name) for name in (TILL_ID, TILL_KEY_ID, SEALED_FOR))
        if not till or not till_key or not sealed_for:
            raise UntrustedSigner("it names no till")
        # The till is checked before the key is unwrapped: an untrusted item costs no KMS call.
        verifying = _TillKey(None, self._till_keys(till, till_key), till)
        return WrappedCryptographicMaterials(signing_key=verifying, unwrapping_key=_SealingKey(None, self._unseal, sealed_for),
                                             material_description=dict(description))

    def refresh(self) -> None:
        """Nothing is cached here (the SDK's provider interface)."""


def is_sealed(material_description: dict[str, str]) -> bool:
    """Whether an item's (unverified) material description is that of sealed materials."""
    return TILL_ID in material_description


def private_key_text(private_key: ec.EllipticCurvePrivateKey) -> str:
    """The till's private key as base64 PKCS#8 DER, for the OS keyring (one line, no PEM armour)."""
    der = private_key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
    return base64.b64encode(der).decode()


def load_private_key_text(text: str) -> ec.EllipticCurvePrivateKey:
    """The key :func:`private_key_text` wrote; ValueError for anything else."""
    key = serialization.load_der_private_key(base64.b64decode(text, validate=True), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise ValueError("not a till's ECDSA P-256 key")
    return key


def new_till_key() -> ec.EllipticCurvePrivateKey:
    """A new till signing key (ECDSA P-256)."""
    return ec.generate_private_key(ec.SECP256R1())
