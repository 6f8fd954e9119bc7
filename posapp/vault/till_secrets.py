"""What a till holds privately: its signing key, and the audit journal's chain key.

Kept in the OS keyring under the till's id when the keyring is one known to keep secrets after
posapp exits; otherwise (a headless till, an unknown backend) in a key file readable by the user
alone, with a warning, as the local vault keys are (``local_keys``). The key file wins when it
exists: a headless till then never waits on a keyring. The audit key is a copy made at
registration: a sealed till on DynamoDB cannot open the vault's own copy.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ec

from posapp.errors import ConfigError, IntegrityFailure
from posapp.secrets import KeyringUnavailable, keeps_secrets, keyring_name, read_secret, write_secret
from posapp.vault import key_files
from posapp.vault.base import VaultError
from posapp.vault.sealing import load_private_key_text, private_key_text

log = logging.getLogger(__name__)

AUDIT_KEY_BYTES = 32
KEYRING = "the system keyring"


class TillSecretsDamaged(VaultError, IntegrityFailure):
    """The till's signing key is damaged where it is kept (exit 4)."""


class AnotherTillsKey(VaultError, ConfigError):
    """The key file holds the signing key of a till with another id: the settings name another till (exit 2)."""


@dataclass(frozen=True, repr=False)
class TillSecrets:
    """A till's signing key (ECDSA P-256) and, on DynamoDB, the audit journal's 32-byte chain key
    (None for local vaults, whose keys hold it); ``repr`` is off so that no log shows them."""

    till_id: str
    signing_key: ec.EllipticCurvePrivateKey
    audit_key: bytes | None

    def encode(self) -> str:
        """One line of JSON naming the till: what the keyring entry or the key file holds."""
        data = {"till_id": self.till_id, "signing_key": private_key_text(self.signing_key)}
        if self.audit_key is not None:
            data["audit_key"] = base64.b64encode(self.audit_key).decode()
        return json.dumps(data)

    @classmethod
    def decode(cls, text: str) -> TillSecrets:
        """What :meth:`encode` wrote; ValueError for anything else (the message never holds key text)."""
        try:
            data = json.loads(text)
            till_id, audit = data["till_id"], data.get("audit_key")
            audit_key = None if audit is None else base64.b64decode(audit, validate=True)
            if not isinstance(till_id, str) or (audit_key is not None and len(audit_key) != AUDIT_KEY_BYTES):
                raise ValueError
            return cls(till_id, load_private_key_text(data["signing_key"]), audit_key)
        except (ValueError, KeyError, TypeError, binascii.Error):
            raise ValueError("not a whole posapp till key") from None


class NoTillKey(VaultError, ConfigError):
    """This workstation holds no till signing key: it was never registered (exit 2)."""

    def __init__(self) -> None:
        super().__init__("this workstation holds no till signing key: an administrator runs 'posapp till register' "
                         "on it")


def registered(held: TillSecrets | None) -> TillSecrets:
    """``held``, this workstation's till key; NoTillKey where it holds none."""
    if held is None:
        raise NoTillKey()
    return held


def _secret_name(till_id: str) -> str:
    return f"till-signing-key:{till_id}"


def load(till_id: str, key_file: Path) -> TillSecrets | None:
    """The secrets of ``till_id``: from the key file if there is one, else from the keyring; None
    where neither holds them. Raises TillSecretsDamaged, AnotherTillsKey (the key file is another till's),
    VaultUnavailable (the file cannot be read), KeyringLocked or KeyringTimeout."""
    data = key_files.read(key_file)
    if data is not None:
        found = _decoded(data.decode("ascii", "replace"), f"the till key file {key_file}")
        if found.till_id != till_id:
            raise AnotherTillsKey(f"the till key file {key_file} holds the signing key of till {found.till_id}, "
                                     f"not of {till_id}: set [workstation] id to {found.till_id}, or move the "
                                     f"file away and register this till again")
        return found
    try:
        stored = read_secret(_secret_name(till_id))
    except KeyringUnavailable:
        return None
    return None if stored is None else _decoded(stored, f"the system keyring's entry of till {till_id}")


def _decoded(text: str, where: str) -> TillSecrets:
    try:
        return TillSecrets.decode(text)
    except ValueError:
        raise TillSecretsDamaged(f"the signing key in {where} is damaged: register the till again "
                                 f"('posapp till register'), which makes a new key") from None


def store(secrets: TillSecrets, key_file: Path) -> str:
    """Keep ``secrets`` whole; where they went ("the system keyring" or the key file's path).

    The key file when one exists, or when the keyring is not known to keep secrets or fails (a
    warning says so); the keyring otherwise, read back to be sure. Raises VaultUnavailable (the
    file cannot be written), KeyringLocked or KeyringTimeout."""
    text = secrets.encode()
    if not key_file.exists():
        if keeps_secrets():
            try:
                write_secret(_secret_name(secrets.till_id), text)
                if read_secret(_secret_name(secrets.till_id)) == text:
                    return KEYRING
                reason = "the system keyring did not keep the key"
            except KeyringUnavailable as error:
                reason = str(error)
        else:
            reason = f"{keyring_name()} is not known to keep secrets after posapp exits"
        log.warning("no working system keyring (%s): till %s's signing key is in %s, readable by this user only",
                    reason, secrets.till_id, key_file)
    key_files.remove_temp_files(key_file)
    key_files.write_whole(key_file, text.encode("ascii"))
    return str(key_file)

