"""The local vault's AES-256 wrapping key and HMAC-SHA256 signing key.

Created once, with the vault, and kept in the OS keyring under the vault's id, but only
when the keyring is one known to keep secrets after posapp exits; otherwise (a headless
till, an unknown backend) in a key file readable by the user alone, with a warning. The
key file is written whole or not at all and names the vault it belongs to. Keys are never
created for a vault that already holds items: losing keys must be loud, not silently
replaced by new ones that cannot read the old items. The vault records a fingerprint of
its keys, so keys of another vault are refused before they store anything.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import secrets
import uuid
from dataclasses import dataclass
from pathlib import Path

from dynamodb_encryption_sdk.material_providers import CryptographicMaterialsProvider

from posapp.errors import IntegrityFailure
from posapp.secrets import KeyringUnavailable, keeps_secrets, keyring_name, read_secret, write_secret
from posapp.vault import key_files, local_generations
from posapp.vault.base import VaultError, VaultUnavailable

log = logging.getLogger(__name__)

_FINGERPRINT_LABEL = b"posapp local vault key check"
_AUDIT_KEY_LABEL = b"posapp audit journal key"


class KeysLost(VaultError, IntegrityFailure):
    """The vault's keys are missing or damaged: only a backup can bring them back."""


class KeysMismatch(VaultError, IntegrityFailure):
    """Keys that do not belong to this vault: using them would strand every stored card."""

    def __init__(self, where: str, vault_id: str):
        super().__init__(f"the keys in {where} do not belong to card vault {vault_id}: "
                         f"restore the right key file from a backup")


@dataclass(frozen=True, repr=False)
class LocalKeys:
    """The local vault's two 32-byte keys; ``repr`` is off so that no log shows them.

    ``version`` counts the keys a rekey made (1: the vault's first keys); ``previous`` holds the
    older keys a rekey still needs to read items, until no item needs them; ``audit`` is the audit
    journal's key once the signing key it was derived from is replaced (it never changes)."""

    wrapping: bytes
    signing: bytes
    version: int = 1
    audit: bytes | None = None
    previous: tuple[LocalKeys, ...] = ()

    @classmethod
    def generate(cls) -> LocalKeys:
        """New random keys from the OS's secure random source."""
        return cls(secrets.token_bytes(32), secrets.token_bytes(32))

    @property
    def key_version(self) -> str:
        """What items encrypted with these keys name as their key version ("local-2")."""
        return f"local-{self.version}"

    def rotated(self) -> LocalKeys:
        """New random keys, one version on, keeping these (to read the items they protect) and the audit key."""
        fresh = LocalKeys.generate()
        return LocalKeys(fresh.wrapping, fresh.signing, self.version + 1, self.audit_key(),
                         (LocalKeys(self.wrapping, self.signing, self.version), *self.previous))

    def without_previous(self) -> LocalKeys:
        """These keys alone, once no item needs the older ones."""
        return LocalKeys(self.wrapping, self.signing, self.version, self.audit)

    def encode(self, vault_id: str) -> str:
        """The keys as the JSON text kept in the keyring or the key file, naming ``vault_id``."""
        data: dict[str, object] = {"vault_id": vault_id, **self._fields()}
        if self.audit is not None:
            data["audit"] = base64.b64encode(self.audit).decode()
        if self.previous:
            data["previous"] = [older._fields() for older in self.previous]
        return json.dumps(data)

    def _fields(self) -> dict[str, object]:
        return {"wrapping": base64.b64encode(self.wrapping).decode(), "signing": base64.b64encode(self.signing).decode(),
                **({"version": self.version} if self.version != 1 else {})}

    @classmethod
    def decode(cls, text: str) -> tuple[LocalKeys, str | None]:
        """The keys and the vault id they name (None in files written before ids were).

        Raises ValueError, KeyError or TypeError for anything but whole, well-formed keys."""
        data = json.loads(text)
        audit = _key(data["audit"]) if "audit" in data else None
        keys = cls(_key(data["wrapping"]), _key(data["signing"]), _version(data), audit,
                   tuple(cls(_key(older["wrapping"]), _key(older["signing"]), _version(older))
                         for older in data.get("previous", [])))
        vault_id = data.get("vault_id")
        if vault_id is not None and (not isinstance(vault_id, str) or str(uuid.UUID(vault_id)) != vault_id):
            raise ValueError("not a vault id")
        return keys, vault_id

    def fingerprint(self, vault_id: str) -> str:
        """Binds the keys to one vault; reveals nothing about them."""
        return hmac.new(self.signing, _FINGERPRINT_LABEL + vault_id.encode(), hashlib.sha256).hexdigest()

    def audit_key(self) -> bytes:
        """The audit journal's 32-byte chain key, derived from the first signing key under its own label
        (and kept as it was when that key is replaced): it lives wherever the vault keys live, never in
        the order database."""
        return self.audit or hmac.new(self.signing, _AUDIT_KEY_LABEL, hashlib.sha256).digest()

    def matches(self, fingerprint: str, vault_id: str) -> bool:
        """Whether these keys, or the older ones they keep (a rekey was interrupted before vault.db
        recorded the new ones), are the keys ``fingerprint`` was made from."""
        return any(hmac.compare_digest(keys.fingerprint(vault_id), fingerprint) for keys in (self, *self.previous))

    def check(self, fingerprint: str, vault_id: str, where: str) -> None:  # raises KeysMismatch unless matches
        if not self.matches(fingerprint, vault_id):
            raise KeysMismatch(where, vault_id)

    def materials_provider(self) -> CryptographicMaterialsProvider:
        """SDK materials: item keys wrapped with AES (``wrapping``), items signed with HMAC-SHA256;
        items of older keys still kept are read with those (see ``local_generations``)."""
        return local_generations.provider(self)


def _key(text: object) -> bytes:
    key = base64.b64decode(text, validate=True)  # TypeError for what is not text
    if len(key) != 32:
        raise ValueError("wrong key length")
    return key


def _version(data: dict) -> int:
    if type(version := data.get("version", 1)) is not int or version < 1:
        raise ValueError("not a key version")
    return version


def _secret_name(vault_id: str) -> str:
    return f"local-vault-keys:{vault_id}"


def create_or_adopt(key_file: Path) -> tuple[str, LocalKeys]:
    """Keys and an id for a vault that has neither an id nor items.

    The caller must hold the vault's write lock: a key file found here then belongs to no
    committed vault. A whole one is adopted (the creation that wrote it died before its
    commit); a damaged one protects nothing and is replaced. Raises VaultUnavailable (the
    file cannot be written), KeyringLocked or KeyringTimeout.
    """
    key_files.remove_temp_files(key_file)
    leftover = _read_key_file(key_file)
    if isinstance(leftover, tuple):
        keys, vault_id = leftover
        if vault_id is None:  # written by an older posapp that died before its commit
            vault_id = str(uuid.uuid4())
            _write_key_file(key_file, keys, vault_id)
        log.warning("resumed the creation of card vault %s with the keys in %s", vault_id, key_file)
        return vault_id, keys
    if leftover is not None:
        log.warning("replacing %s, left unfinished by an interrupted start (%s)", key_file, leftover)
    vault_id, keys = str(uuid.uuid4()), LocalKeys.generate()
    if leftover is None and keeps_secrets():
        try:
            write_secret(_secret_name(vault_id), keys.encode(vault_id))
            if read_secret(_secret_name(vault_id)) == keys.encode(vault_id):
                return vault_id, keys
            reason = "the system keyring did not keep the key"
        except KeyringUnavailable as error:
            reason = str(error)
    elif leftover is None:
        reason = f"{keyring_name()} is not known to keep secrets after posapp exits"
    else:
        reason = "the keys were going to this file when posapp was interrupted"
    _write_key_file(key_file, keys, vault_id)
    log.warning("no working system keyring (%s): the local vault keys are in %s, readable by this user only",
                reason, key_file)
    return vault_id, keys


def load(vault_id: str, key_file: Path) -> tuple[LocalKeys, str]:
    """The keys of an existing vault and where they were found (for sentences).

    The key file wins when it exists: it is where the keys went when the keyring was not
    used, and a headless till then never waits on a keyring. Raises KeysLost (missing or
    damaged), KeyringLocked or KeyringTimeout."""
    found = _read_key_file(key_file)
    if isinstance(found, str):
        raise KeysLost(f"the key file {key_file} of card vault {vault_id} is damaged ({found}): "
                       f"restore it from a backup")
    if found is not None:
        return found[0], str(key_file)
    try:
        stored = read_secret(_secret_name(vault_id))
    except KeyringUnavailable:
        stored = None
    if stored is None:
        raise KeysLost(
            f"the keys of the local card vault (id {vault_id}) are missing from the system keyring and "
            f"from {key_file}; restore them from a backup: new keys could not read the stored cards")
    try:
        return LocalKeys.decode(stored)[0], "the system keyring"
    except (ValueError, KeyError, TypeError):
        raise KeysLost(f"the keys of card vault {vault_id} in the system keyring are damaged: "
                       f"restore them from a backup") from None


def save(vault_id: str, key_file: Path, keys: LocalKeys) -> None:
    """Replace the vault's keys whole where they are kept: the key file if there is one, else the keyring.
    Raises VaultUnavailable (nothing was replaced), KeyringLocked or KeyringTimeout."""
    if key_file.exists():
        return _write_key_file(key_file, keys, vault_id)
    write_secret(_secret_name(vault_id), keys.encode(vault_id))
    if read_secret(_secret_name(vault_id)) != keys.encode(vault_id):
        raise VaultUnavailable("the system keyring did not keep the local vault's new keys: try again")


def key_file_vault(path: Path) -> str | None:
    """The vault id a whole key file names; None where there is no whole key file."""
    leftover = _read_key_file(path)
    return leftover[1] if isinstance(leftover, tuple) else None


def _read_key_file(path: Path) -> tuple[LocalKeys, str | None] | str | None:
    """None if there is no key file, (keys, vault id) if it is whole, else what is wrong with it.

    Raises VaultUnavailable if it cannot be read at all."""
    data = key_files.read(path)
    if data is None:
        return None
    if not data.strip():
        return "empty"
    try:
        return LocalKeys.decode(data.decode("ascii"))
    except (ValueError, KeyError, TypeError):
        return "not a whole posapp key file"


def _write_key_file(path: Path, keys: LocalKeys, vault_id: str) -> None:
    """Write the keys whole or not at all (``key_files.write_whole``); raises VaultUnavailable."""
    key_files.write_whole(path, keys.encode(vault_id).encode("ascii"))
