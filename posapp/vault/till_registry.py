"""The till registry: each till's signing keys, which back office trusts to verify sealed items.

Kept beside the vault (DynamoDB bookkeeping items, or the local vault's database), written by
``posapp till register`` and ``posapp till revoke`` (administrators), read by back office. A till
may hold several keys over time (a new one after a lost keyring); revoking a till revokes every
key it has, and every item signed by a revoked key fails verification, whenever it was written:
a stolen key could have signed it with any date.
"""

from __future__ import annotations

import datetime
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from cryptography.hazmat.primitives.asymmetric import ec

from posapp.clock import require_aware
from posapp.errors import ConfigError, NotFound
from posapp.vault.base import VaultError
from posapp.vault.sealing import UntrustedSigner, key_id, load_till_public_key

if TYPE_CHECKING:
    from posapp.vault.till_secrets import TillSecrets


class TillNotTrusted(VaultError, ConfigError):
    """This till's own signing key is not one back office trusts (unregistered, revoked): it must
    not take cards that would fail verification (exit 2)."""


def require_trusted(registry: TillRegistry, held: TillSecrets) -> TillSecrets:
    """``held`` (this till's secrets) where ``registry`` trusts its key; TillNotTrusted otherwise.
    Raises VaultUnavailable like the registry."""
    key = key_id(held.signing_key.public_key())
    record = next((each for each in registry.keys_of(held.till_id) if each.key_id == key), None)
    if record is None:
        raise TillNotTrusted(f"till {held.till_id}'s signing key {key} is not registered, so back office would "
                             "refuse its cards: an administrator runs 'posapp till register' on it")
    if record.revoked_at is not None:
        raise TillNotTrusted(f"till {held.till_id}'s signing key was revoked {record.revoked_text}, so back office "
                             "would refuse its cards: an administrator runs 'posapp till register' on it for a new key")
    return held


class TillNotRegistered(VaultError, NotFound):
    """No key is registered for the till asked to be revoked (exit 2)."""

    def __init__(self, till_id: str):
        self.till_id = till_id
        super().__init__(f"till {till_id} is not registered, so there is nothing to revoke: 'posapp till list' "
                         "shows the registered tills")


@dataclass(frozen=True)
class TillKeyRecord:
    """One registered till key. ``public_key``: DER SubjectPublicKeyInfo (ECDSA P-256); ``key_id``:
    its fingerprint (``sealing.key_id``); times timezone-aware (ValueError for naive ones)."""

    till_id: str
    key_id: str
    public_key: bytes
    registered_at: datetime.datetime
    revoked_at: datetime.datetime | None = None

    @property
    def revoked_text(self) -> str:
        """When the key was revoked, to the minute, in UTC ("2026-12-07 22:40 UTC"); "" if it was not."""
        return f"{self.revoked_at.astimezone(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC" if self.revoked_at else ""

    def __post_init__(self) -> None:
        require_aware("a till key's registered_at", self.registered_at)
        require_aware("a till key's revoked_at", self.revoked_at)


class TillRegistry(Protocol):
    """Where a vault keeps its tills' keys. Every method raises VaultUnavailable like the vault's own."""

    def register(self, record: TillKeyRecord) -> bool:
        """Add ``record``; False (nothing changed) where that key of that till is registered already.
        Raises VaultError where it was revoked: a revoked key is never trusted again."""

    def revoke(self, till_id: str, at: datetime.datetime) -> list[TillKeyRecord]:
        """Revoke every key of ``till_id`` not yet revoked, as of ``at``; the keys revoked now ([]
        where all were already). Raises TillNotRegistered."""

    def keys_of(self, till_id: str) -> list[TillKeyRecord]:
        """Every key ever registered for ``till_id``, oldest first; [] for an unknown till."""

    def tills(self) -> list[TillKeyRecord]:
        """Every registered key of every till, by till id and then age."""


class TrustedTillKeys:
    """Back office's answer to "which key verifies this item" (``sealing.TillKeys``), read from
    ``registry`` once per till and kept for the life of this object. Thread-safe."""

    def __init__(self, registry: TillRegistry):
        self._registry = registry
        self._known: dict[str, list[TillKeyRecord]] = {}
        self._lock = threading.Lock()

    def __call__(self, till_id: str, key_id: str) -> ec.EllipticCurvePublicKey:
        """The public key ``key_id`` of ``till_id``; UntrustedSigner (naming the till) where that key
        is unknown or revoked."""
        with self._lock:
            if till_id not in self._known:
                self._known[till_id] = self._registry.keys_of(till_id)
            records = self._known[till_id]
        if not records:
            raise UntrustedSigner(f"signed by till {till_id}, which is not registered")
        record = next((each for each in records if each.key_id == key_id), None)
        if record is None:
            raise UntrustedSigner(f"signed by a key that till {till_id} never registered")
        if record.revoked_at is not None:
            raise UntrustedSigner(f"signed by till {till_id}, whose key was revoked {record.revoked_text}")
        try:
            return load_till_public_key(record.public_key)
        except ValueError:
            raise UntrustedSigner(f"till {till_id}'s registered key is unreadable") from None
