"""The local vault's AES-256 wrapping key and HMAC-SHA256 signing key.

Created once, with the vault, and kept in the OS keyring under the vault's id. Where no
keyring backend works (a headless till) they go to a key file readable by the user alone,
with a warning. Keys are never created for a vault that already holds items: losing keys
must be loud, not silently replaced by new ones that cannot read the old items.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from dynamodb_encryption_sdk.delegated_keys.jce import JceNameLocalDelegatedKey
from dynamodb_encryption_sdk.identifiers import EncryptionKeyType, KeyEncodingType
from dynamodb_encryption_sdk.material_providers.wrapped import WrappedCryptographicMaterialsProvider

from posapp.config import KeyringUnavailable, read_secret, write_secret
from posapp.vault.base import VaultUnavailable

log = logging.getLogger(__name__)


@dataclass(frozen=True, repr=False)
class LocalKeys:
    wrapping: bytes
    signing: bytes

    @classmethod
    def generate(cls) -> LocalKeys:
        return cls(secrets.token_bytes(32), secrets.token_bytes(32))

    def encode(self) -> str:
        return json.dumps({"wrapping": base64.b64encode(self.wrapping).decode(),
                           "signing": base64.b64encode(self.signing).decode()})

    @classmethod
    def decode(cls, text: str) -> LocalKeys:
        data = json.loads(text)
        keys = cls(base64.b64decode(data["wrapping"]), base64.b64decode(data["signing"]))
        if len(keys.wrapping) != 32 or len(keys.signing) != 32:
            raise ValueError("wrong key length")
        return keys

    def materials_provider(self) -> WrappedCryptographicMaterialsProvider:
        wrapping = JceNameLocalDelegatedKey(key=self.wrapping, algorithm="AES",
                                            key_type=EncryptionKeyType.SYMMETRIC,
                                            key_encoding=KeyEncodingType.RAW)
        signing = JceNameLocalDelegatedKey(key=self.signing, algorithm="HmacSHA256",
                                           key_type=EncryptionKeyType.SYMMETRIC,
                                           key_encoding=KeyEncodingType.RAW)
        return WrappedCryptographicMaterialsProvider(wrapping_key=wrapping, unwrapping_key=wrapping,
                                                     signing_key=signing)


def _secret_name(vault_id: str) -> str:
    return f"local-vault-keys:{vault_id}"


def create(vault_id: str, key_file: Path) -> LocalKeys:
    """New keys for a new vault: into the keyring, else into a private key file."""
    keys = LocalKeys.generate()
    try:
        write_secret(_secret_name(vault_id), keys.encode())
        if read_secret(_secret_name(vault_id)) == keys.encode():
            return keys
        reason = "the system keyring did not keep the key"
    except KeyringUnavailable as error:
        reason = str(error)
    _write_key_file(key_file, keys)
    log.info("system keyring unusable: %s", reason)
    log.warning("no working system keyring: the local vault keys are in %s, readable by this user only", key_file)
    return keys


def load(vault_id: str, key_file: Path) -> LocalKeys:
    """The keys of an existing vault, from the keyring or the key file."""
    try:
        stored = read_secret(_secret_name(vault_id))
    except KeyringUnavailable:
        stored = None
    if stored is None and key_file.is_file():
        stored = key_file.read_text(encoding="ascii")
    if stored is None:
        raise VaultUnavailable(
            f"the keys of the local card vault (id {vault_id}) are missing from the system keyring and "
            f"from {key_file}; restore them from a backup: new keys could not read the stored cards")
    try:
        return LocalKeys.decode(stored)
    except (ValueError, KeyError, TypeError):
        raise VaultUnavailable(f"the keys of the local card vault (id {vault_id}) are damaged") from None


def _write_key_file(path: Path, keys: LocalKeys) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with open(descriptor, "w", encoding="ascii") as stream:
        stream.write(keys.encode())
