"""The back office's key pair of a local vault with sealed materials: in local mode this
workstation is its own back office.

An RSA-3072 private key, kept as the local vault keys are (``local_keys``): in the OS keyring
under the vault's id when the keyring is one known to keep secrets after posapp exits, else in
a key file readable by the user alone, with a warning. The key file names the vault it belongs
to and wins when it exists. The key is made on first need by a sealed local vault, under
vault.db's write lock, and never while items sealed for it exist: losing it loses those cards,
and that must be loud, not hidden behind a new key that opens none of them.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import sqlite3
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from dynamodb_encryption_sdk.exceptions import UnwrappingError

from posapp.secrets import KeyringUnavailable, keeps_secrets, keyring_name, read_secret, write_secret
from posapp.vault import key_files
from posapp.vault.local_keys import KeysLost, KeysMismatch
from posapp.vault.sealing import OAEP

log = logging.getLogger(__name__)

SEALED_FOR = "local"  # what sealed local items name as their back-office key (``sealing.SEALED_FOR``)
KEY_VERSION = "sealed:local"  # what they name as their key version (``item_format.KEY_VERSION``)
KEY_FILE_NAME = "back-office.key"
_KEY_BITS = 3072

Connection = Callable[[], AbstractContextManager[sqlite3.Connection]]


def sealed_items(db: sqlite3.Connection) -> int:
    """How many stored items name sealed local materials (read unverified: enough to know
    whether a lost key strands cards)."""
    return db.execute("SELECT COUNT(*) FROM vault_items WHERE json_extract(item, '$.key_version.S') = ?",
                      (KEY_VERSION,)).fetchone()[0]


def _secret_name(vault_id: str) -> str:
    return f"local-back-office-key:{vault_id}"


class BackOfficeKey:
    """The back-office key pair of local vault ``vault_id`` (reached through ``connection``),
    loaded once; ``key_file``: where it is kept when no keyring keeps it. Thread-safe."""

    def __init__(self, vault_id: str, key_file: Path, connection: Connection):
        self._vault_id, self._key_file, self._connection = vault_id, key_file, connection
        self._key: rsa.RSAPrivateKey | None = None
        self._lock = threading.Lock()

    def private_key(self) -> rsa.RSAPrivateKey:
        """The key as kept; never makes one. Raises KeysLost (missing or damaged), KeysMismatch
        (the key file is another vault's), VaultUnavailable, KeyringLocked or KeyringTimeout."""
        with self._lock:
            if self._key is None:
                found = self._load()
                if found is None:
                    with self._connection() as db:
                        raise KeysLost(self._lost(sealed_items(db)))
                self._key = found
            return self._key

    def made_if_missing(self) -> rsa.RSAPrivateKey:
        """The key, made and kept first if there is none and no item is sealed for one. Raises
        KeysLost where items are sealed for a key that is missing (no key is made), and as
        :meth:`private_key`."""
        with self._lock:
            if self._key is None:
                self._key = self._load() or self._make()
            return self._key

    def unseal(self, sealed_for: str, wrapped: bytes) -> bytes:
        """An item key wrapped for this key (``sealing.Unseal``); UnwrappingError for an item sealed
        for another back office, ValueError for a wrapped key this key does not open."""
        if sealed_for != SEALED_FOR:
            raise UnwrappingError("sealed for another back office's key")
        return self.private_key().decrypt(wrapped, OAEP)

    def _make(self) -> rsa.RSAPrivateKey:
        # Under the write lock: a second process making one at once waits, then finds this one.
        with self._connection() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                key = self._load()
                if key is None:
                    sealed = sealed_items(db)
                    if sealed:
                        raise KeysLost(self._lost(sealed))
                    key = rsa.generate_private_key(public_exponent=65537, key_size=_KEY_BITS)
                    self._store(key)
                    log.info("made the back office key of local card vault %s", self._vault_id)
            finally:
                db.execute("ROLLBACK")  # nothing was written to vault.db: the lock alone was wanted
        return key

    def _lost(self, sealed: int) -> str:
        return (f"the back office key of the local card vault (id {self._vault_id}) is missing from the system "
                f"keyring and from {self._key_file}, and {sealed} stored cards are sealed for it: restore it from "
                f"a backup; a new key could not open them")

    def _load(self) -> rsa.RSAPrivateKey | None:
        data = key_files.read(self._key_file)
        if data is not None:
            return self._decoded(data.decode("ascii", "replace"), str(self._key_file))
        try:
            stored = read_secret(_secret_name(self._vault_id))
        except KeyringUnavailable:
            return None
        return None if stored is None else self._decoded(stored, "the system keyring")

    def _decoded(self, text: str, where: str) -> rsa.RSAPrivateKey:
        try:
            data = json.loads(text)
            # posapp made this key and keeps it where only this user reads it: the check for keys
            # from elsewhere would cost about 0.2 s per process, one per sale from the command line.
            key = serialization.load_der_private_key(base64.b64decode(data["private_key"], validate=True),
                                                     password=None, unsafe_skip_rsa_key_validation=True)
            if not isinstance(key, rsa.RSAPrivateKey) or key.key_size < _KEY_BITS:
                raise ValueError
            vault_id = data["vault_id"]
        except (ValueError, KeyError, TypeError, binascii.Error):
            raise KeysLost(f"the back office key of card vault {self._vault_id} in {where} is damaged: "
                           f"restore it from a backup") from None
        if vault_id != self._vault_id:
            raise KeysMismatch(where, self._vault_id)
        return key

    def _store(self, key: rsa.RSAPrivateKey) -> None:
        der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        text = json.dumps({"vault_id": self._vault_id, "private_key": base64.b64encode(der).decode()})
        if keeps_secrets():
            try:
                write_secret(_secret_name(self._vault_id), text)
                if read_secret(_secret_name(self._vault_id)) == text:
                    return
                reason = "the system keyring did not keep the key"
            except KeyringUnavailable as error:
                reason = str(error)
        else:
            reason = f"{keyring_name()} is not known to keep secrets after posapp exits"
        key_files.remove_temp_files(self._key_file)
        key_files.write_whole(self._key_file, text.encode("ascii"))
        log.warning("no working system keyring (%s): the back office key of the local vault is in %s, "
                    "readable by this user only", reason, self._key_file)
