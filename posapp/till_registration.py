"""Registering a till's signing key with the vault's till registry, and revoking a till.

An administrator registers a till on the till itself: its signing key is made there (kept if
it has one), stays there (``till_secrets``), and only the public key is published. Registering
again is harmless; a till whose key was revoked gets a new key, as a revoked key is never
trusted again. Revoking a till revokes every key it has: back office then refuses every item
that till signed (``till_registry.TrustedTillKeys``).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from posapp import config_checks
from posapp.errors import InvalidInput
from posapp.pan_detect import contains_pan
from posapp.vault.base import Vault
from posapp.vault.sealing import key_id, new_till_key, public_der
from posapp.vault.till_registry import TillKeyRecord
from posapp.vault import till_secrets
from posapp.vault.till_secrets import TillSecrets


def check_till_id(text: str) -> str:
    """``text`` if it can name a till (as ``[workstation] id``); InvalidInput saying why, never repeating it."""
    if contains_pan(text):  # digits alone pass the id check: a card number would be stored and journalled
        raise InvalidInput("the till id looks like a card number: use the till's name, like till-01")
    try:
        return config_checks.workstation_id(text)
    except ValueError as error:
        raise InvalidInput(f"that is not a till id: {error}") from None


@dataclass(frozen=True)
class Registration:
    """What ``register`` did: the till, its key's fingerprint, whether the registry took the key
    now (False: it was registered already), whether the key is new, and where it is kept."""

    till_id: str
    key_id: str
    published: bool
    new_key: bool
    kept_in: str


def register(vault: Vault, till_id: str, key_file: Path, *, audit_key: Callable[[], bytes] | None,
             clock: Callable[[], datetime.datetime]) -> Registration:
    """Register this till's signing key under ``till_id``, making the key if the till holds none
    (or only a revoked one). ``audit_key``: where the audit journal key comes from, for a till that
    cannot open the vault's copy (DynamoDB); None for a local vault. Raises InvalidInput (a bad id),
    the till secrets' and the vault's errors; nothing is published before the key is kept."""
    check_till_id(till_id)
    registry = vault.till_registry()
    held = till_secrets.load(till_id, key_file)
    revoked = {each.key_id for each in registry.keys_of(till_id) if each.revoked_at is not None}
    new_key = held is None or key_id(held.signing_key.public_key()) in revoked
    signing_key = new_till_key() if new_key else held.signing_key
    kept_in = None
    if new_key or (held.audit_key is None and audit_key is not None):  # or kept before the copy was
        copied = audit_key() if audit_key is not None else None
        kept_in = till_secrets.store(TillSecrets(till_id, signing_key, copied), key_file)
    public = signing_key.public_key()
    published = registry.register(TillKeyRecord(till_id, key_id(public), public_der(public), clock()))
    return Registration(till_id, key_id(public), published, new_key, kept_in or _where(key_file))


def _where(key_file: Path) -> str:
    return str(key_file) if key_file.exists() else till_secrets.KEYRING


def revoke(vault: Vault, till_id: str, clock: Callable[[], datetime.datetime]) -> list[TillKeyRecord]:
    """Revoke every key of ``till_id``; the keys revoked now ([] where all were already). Raises
    InvalidInput (a bad id), TillNotRegistered and the vault's errors."""
    return vault.till_registry().revoke(check_till_id(till_id), clock())


def tills(vault: Vault) -> list[TillKeyRecord]:
    """Every registered key of every till, by till id and then age."""
    return vault.till_registry().tills()
