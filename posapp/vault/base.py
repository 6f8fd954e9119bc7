"""The PAN vault port: one protocol, one error tree, whatever keeps the items."""

from __future__ import annotations

import dataclasses
import datetime
import json
import uuid
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from posapp.audit.chain import Anchor
from posapp.card import Card, Pan
from posapp.errors import Backend, ExitCode, IntegrityFailure, NotFound, NotPermitted, PosappError, Unavailable
from posapp.clock import require_aware

if TYPE_CHECKING:
    from posapp.vault.rekeying import RekeyReport
    from posapp.vault.till_registry import TillRegistry


class VaultError(PosappError):
    """Base of the vault's errors."""


class VaultUnavailable(VaultError, Unavailable):
    """The vault or its keys cannot be reached or used (``backend``: KMS where the key service failed)."""

    backend = Backend.VAULT


class VaultNotPermitted(VaultUnavailable, NotPermitted):
    """AWS refused this workstation's role the call (exit 5): nothing was done. Still a
    VaultUnavailable, so a sale's callers treat it as a vault they cannot use now."""

    exit_code = ExitCode.NOT_PERMITTED


class VaultOutcomeUnknown(VaultUnavailable):
    """A write's answer was lost and reading the item back failed: the card may be stored."""

    outcome_unknown = True

    def __init__(self, token: str):
        self.token = token
        super().__init__(f"the card vault did not confirm the card, which may have been stored under token {token}; "
                         "'posapp vault reconcile' will remove it if no order references it")


class TamperedItem(VaultError, IntegrityFailure):
    """A stored item failed its signature or decryption: one error for every cause, except that
    sealed materials name the till an item claims (``reason``: "signed by till T, which is revoked")."""

    def __init__(self, token: str, reason: str | None = None):
        self.token = token
        super().__init__(f"vault item {token} failed its integrity check ({reason or 'tampered or unreadable'})")


class CannotOpenItems(VaultNotPermitted):
    """This workstation writes sealed items and holds no key that opens one (exit 5)."""

    def __init__(self) -> None:
        super().__init__("this till stores cards sealed for back office and cannot read them back: "
                         "run this on a back-office workstation")


class TokenNotFound(VaultError, NotFound):
    """No item is stored under the token (exit 2); ``token`` is kept for the caller."""

    def __init__(self, token: str):
        self.token = token
        super().__init__(f"no card is stored under token {token}")


@dataclass(frozen=True)
class VaultEntry:
    """A stored item as bulk work sees it: never the card. ValueError for a naive ``created_at``."""

    token: str
    created_at: datetime.datetime | None  # timezone-aware; None where the item's metadata is unreadable
    imported: bool = False  # stored by a bulk import, not by a sale: no order refers to it
    import_id: str | None = None  # the import run that stored it
    orders_seen: int | None = None  # the newest order id its sale knew of (None: stored before posapp noted it)
    expires_at: datetime.datetime | None = None  # timezone-aware; when retention removes it (None: kept)
    key_version: str | None = None  # which key protects it, as written (None: stored before versions were)

    def __post_init__(self) -> None:
        require_aware("a vault entry's created_at", self.created_at)
        require_aware("a vault entry's expires_at", self.expires_at)


@dataclass(frozen=True)
class ImportRecord:
    """A run of ``posapp vault import`` in progress, kept in the vault until it ends.

    A record still there after its process died marks an interrupted import, whose cards
    are taken back (``posapp.card_import.recover``)."""

    import_id: str
    workstation: str
    host: str
    pid: int
    process: str  # boot id and start time of the process: its number alone is reused
    started_at: str  # ISO 8601, UTC
    output: str  # the tokens file it writes: it exists only once the import is complete

    def to_json(self) -> str:
        """The record as a JSON object with sorted keys, as the vault stores it."""
        return json.dumps(dataclasses.asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> ImportRecord:
        """The record :meth:`to_json` wrote; ValueError or TypeError for any other text."""
        return cls(**json.loads(text))


@dataclass(frozen=True)
class VaultIdentity:
    """Which vault this is, and which order history holds the orders of its cards."""

    vault_id: str | None  # None: the vault was never provisioned
    history_id: str | None  # the order history it is paired with; None until then
    # Set by each whole reconciliation on the vault and its order history: a copy of the history
    # from before the last one (a restored backup) carries another; None before the first one.
    reconcile_epoch: str | None = None


# A named health check for ``posapp doctor``: returns what it saw, or raises a PosappError.
Check = tuple[str, Callable[[], str]]


def is_bookkeeping(key: str) -> bool:
    """Whether a vault key names posapp's own bookkeeping (identity, imports), not a card."""
    return key.startswith("posapp:")


def is_token(token: object) -> bool:
    """Tokens are UUID4 strings; anything else cannot name a stored card."""
    if not isinstance(token, str):
        return False
    try:
        return str(uuid.UUID(token)) == token
    except ValueError:
        return False


def check_token(token: str) -> None:
    """Raise TokenNotFound (its first 64 characters) for anything but a UUID4 string: nothing
    else can name an item, so the vault is not asked."""
    if not is_token(token):
        raise TokenNotFound(token[:64])


class Vault(Protocol):
    """Keeps card numbers encrypted and signed, each under a random token."""

    def provision(self) -> None:
        """Create what the vault needs (tables, keys); harmless when it exists."""

    def identity(self) -> VaultIdentity:
        """The vault's identity as recorded at provisioning; ids are None where there is none yet."""

    def pair(self, history_id: str) -> None:
        """Record the order history of this vault's sales, once; VaultError if another one is."""

    def advance_reconcile_epoch(self, expected: str | None, new: str) -> bool:
        """Set the epoch if it is still ``expected``; False if another run changed it."""

    def tokenize(self, card: Card, *, orders_seen: int | None = None,
                 expires_at: datetime.datetime | None = None) -> str:
        """Store the card; return its new token. Never overwrites an item.

        ``orders_seen``: the newest order id the selling till knows of, kept with the item;
        ``expires_at``: when retention removes it (``posapp.retention``; None: kept)."""

    def tokenize_many(self, cards: Sequence[Card], import_id: str, *,
                      expires_at: Sequence[datetime.datetime | None] | None = None) -> list[str]:
        """Store many cards at once for the import run ``import_id``; their tokens, in order. All or none.

        ``expires_at``: each card's removal time, in the order of ``cards`` (None: all kept).
        Imported items belong to no order, and reconciliation leaves them alone."""

    def begin_import(self, record: ImportRecord) -> None:
        """Note an import run before its first card is stored."""

    def pending_imports(self) -> list[ImportRecord]:
        """The import runs begun and not ended: running now, or interrupted."""

    def end_import(self, import_id: str) -> None:
        """Forget the import run: it is complete, or all its cards were taken back."""

    def detokenize(self, token: str) -> Pan:
        """The card number under ``token``; raises TokenNotFound or TamperedItem."""

    def card(self, token: str) -> Card:
        """The card under ``token`` with its expiry (None where none was stored), for billing a stored
        card; raises TokenNotFound or TamperedItem."""

    def verify(self, token: str) -> None:
        """Check the item's signature without returning the card number."""

    def entry(self, token: str) -> VaultEntry:
        """What bulk work knows of the item under ``token`` (its ``expires_at`` among others), as
        stored: unverified, so read it beside :meth:`card`, which checks it. Raises TokenNotFound."""

    def delete(self, token: str) -> None:
        """Remove the item; raises TokenNotFound if there is none."""

    def entries(self) -> Iterator[VaultEntry]:
        """Every stored item's token and time, for bulk work (verification, reconciliation)."""

    def present(self, tokens: Collection[str]) -> set[str]:
        """Those of ``tokens`` that have an item; reads keys only: no decryption, no KMS call."""

    def audit_key(self) -> bytes:
        """The audit journal's 32-byte chain key, kept beside the vault keys (never in the order
        database), made on first use; raises VaultError like every other call."""

    def anchors(self) -> dict[str, Anchor]:
        """Each workstation's latest audit anchor recorded here, by workstation id."""

    def record_anchor(self, anchor: Anchor) -> None:
        """Keep ``anchor`` unless its workstation's kept one is as far along (never moves back)."""

    def till_registry(self) -> TillRegistry:
        """The tills' signing keys kept beside this vault (``posapp.vault.till_registry``); no I/O."""

    def checks(self) -> list[Check]:
        """Health checks for ``posapp doctor``, cheapest first."""

    def key_rotation(self) -> bool | None:
        """Whether the KMS key rotates automatically (PCI DSS 3.7.4); None where no KMS key is used.
        Raises VaultUnavailable."""

    def rekey(self, to_key: str | None, progress: Callable[[RekeyReport], None]) -> RekeyReport:
        """Re-encrypt every card item under a new key with the same token, checking each before it is
        replaced; resumes an interrupted run. ``to_key``: the new KMS key ARN (DynamoDB), None for new
        local keys; ``progress`` is told the counts as they grow. Tampered items are reported, not
        replaced. Raises InvalidInput and VaultUnavailable."""

    def rotate_materials(self) -> str:
        """Start a new cached-material version; its name. Raises InvalidInput where there are no
        cached materials."""

    def excess_permissions(self) -> list[str]:
        """What this workstation's credentials may do beyond the till policy, found by harmless
        probes (``["dynamodb:Scan", …]``); [] where there is nothing to probe. Raises VaultUnavailable."""
