"""Journal entries and their HMAC chain (PCI DSS v4.0 requirements 10.2 and 10.3.4).

Each workstation writes its own chain: entry ``seq`` (1, 2, 3, … without gaps) carries
``chain = HMAC-SHA256(key, previous chain ‖ canonical entry)``, the first one chained to
:data:`GENESIS`. The key never sits in the order database that holds the entries, so
whoever can change rows there cannot make a changed, deleted, inserted or reordered entry
verify. An :class:`Anchor` (the latest seq and chain, kept beside the key) catches the
newest entries being deleted, which a chain alone cannot.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from posapp.clock import require_aware

GENESIS = "0" * 64  # the chain value before a workstation's first entry
KEY_BYTES = 32
ANCHOR_EVERY = 100  # entries: an anchor is written at least this often …
ANCHOR_AGE = datetime.timedelta(minutes=5)  # … and whenever the last one is older than this


@dataclass(frozen=True)
class Event:
    """What happened, before it becomes an entry: ``action`` (a short code such as "sale" or
    "sign-in"), ``outcome`` ("ok", "refused", "failed"…), ``operator`` login (None: nobody signed
    in), ``target`` (an order id, token or login) and ``details`` (JSON-able identifiers and counts;
    never a secret, a card number or a CVC)."""

    action: str
    outcome: str
    operator: str | None = None
    target: str | None = None
    details: Mapping[str, object] = field(default_factory=dict)

    def details_text(self) -> str:
        """The details as stored: compact JSON, keys sorted, so it reads back byte for byte."""
        return json.dumps(dict(self.details), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True)
class Entry:
    """One journal entry as stored. ``at`` is UTC, to the second; ``details`` is the JSON text."""

    workstation: str
    seq: int
    at: datetime.datetime
    operator: str | None
    action: str
    target: str | None
    outcome: str
    details: str
    chain: str

    def details_dict(self) -> dict[str, object]:
        """The details as a dict ({} where the stored text is not a JSON object)."""
        try:
            value = json.loads(self.details)
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}


@dataclass(frozen=True)
class Anchor:
    """A workstation's latest ``seq`` and ``chain`` as last recorded beside the audit key, and when (UTC)."""

    workstation: str
    seq: int
    chain: str
    at: datetime.datetime

    def to_json(self) -> str:
        """The anchor as one JSON object."""
        return json.dumps({"workstation": self.workstation, "seq": self.seq, "chain": self.chain,
                           "at": self.at.isoformat()})

    @classmethod
    def from_json(cls, text: str) -> Anchor:
        """The anchor :meth:`to_json` wrote; ValueError or KeyError for anything else."""
        value = json.loads(text)
        return cls(str(value["workstation"]), int(value["seq"]), str(value["chain"]),
                   datetime.datetime.fromisoformat(value["at"]))


def stored_time(at: datetime.datetime) -> datetime.datetime:
    """``at`` (aware; ValueError if naive) in UTC to the second, as entries keep it."""
    require_aware("a journal time", at)
    return at.astimezone(datetime.timezone.utc).replace(microsecond=0)


# One encoder, and one-shot HMAC: ``audit verify`` links 100,000s of entries (bench/audit_verify.py).
_CANONICAL = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _utc_text(at: datetime.datetime) -> str:
    """``at`` as ``%Y-%m-%dT%H:%M:%SZ``, the same text strftime makes, in a third of its time."""
    if at.year < 1000:  # strftime's %Y does not pad these on every platform: keep its text
        return at.strftime("%Y-%m-%dT%H:%M:%SZ")
    return "%04d-%02d-%02dT%02d:%02d:%02dZ" % (at.year, at.month, at.day, at.hour, at.minute, at.second)


def link(key: bytes, previous: str, workstation: str, seq: int, at: datetime.datetime, operator: str | None,
         action: str, target: str | None, outcome: str, details: str) -> str:
    """The chain value (64 hex digits) of an entry with these fields after ``previous``."""
    canonical = _CANONICAL.encode([workstation, seq, _utc_text(at), operator, action, target, outcome, details])
    return hmac.digest(key, previous.encode("ascii") + b"\n" + canonical.encode("utf-8", "surrogatepass"),
                       hashlib.sha256).hex()


def entry(key: bytes, previous: str, workstation: str, seq: int, at: datetime.datetime, event: Event) -> Entry:
    """The entry ``seq`` of ``workstation`` recording ``event`` at ``at`` (aware), chained after ``previous``."""
    at = stored_time(at)
    details = event.details_text()
    chain = link(key, previous, workstation, seq, at, event.operator, event.action, event.target, event.outcome,
                 details)
    return Entry(workstation, seq, at, event.operator, event.action, event.target, event.outcome, details, chain)


@dataclass(frozen=True)
class ChainReport:
    """What :func:`check` found in one workstation's chain: how many entries verified, and the first
    sequence number that failed (None: the chain is whole) with the reason."""

    workstation: str
    verified: int
    broken_at: int | None = None
    reason: str | None = None

    @property
    def whole(self) -> bool:
        """Whether every entry verified and the chain reaches its anchor."""
        return self.broken_at is None


def check(key: bytes, workstation: str, entries: Iterable[Entry], anchor: Anchor | None) -> ChainReport:
    """Verify one workstation's ``entries`` in ascending ``seq`` order against ``key`` and its ``anchor``.

    Catches a changed entry (its chain value fails), a deleted, inserted or reordered one (a
    sequence number out of place, or the next entry's chain fails), and deleted newest entries
    (the chain ends before its anchor, or disagrees with it)."""
    previous, expected = GENESIS, 1
    anchored_chain = None
    for each in entries:
        if each.seq != expected:
            why = "missing" if each.seq > expected else "out of order or duplicated"
            return ChainReport(workstation, expected - 1, expected, f"entry {expected} is {why}")
        computed = link(key, previous, each.workstation, each.seq, each.at, each.operator, each.action, each.target,
                        each.outcome, each.details)
        if not hmac.compare_digest(computed, each.chain):
            return ChainReport(workstation, expected - 1, expected, f"entry {expected} was changed")
        if anchor is not None and each.seq == anchor.seq:
            anchored_chain = each.chain
        previous, expected = each.chain, expected + 1
    if anchor is not None:
        if anchor.seq >= expected:
            return ChainReport(workstation, expected - 1, expected,
                               f"entries {expected} to {anchor.seq} were deleted (the anchor reaches {anchor.seq})")
        if anchored_chain is not None and not hmac.compare_digest(anchored_chain, anchor.chain):
            return ChainReport(workstation, expected - 1, anchor.seq, f"entry {anchor.seq} differs from its anchor")
    return ChainReport(workstation, expected - 1)


def anchor_due(entry_: Entry, last: Anchor | None) -> bool:
    """Whether ``entry_`` (just committed) should be recorded as its workstation's new anchor."""
    if last is None:
        return True
    return entry_.seq - last.seq >= ANCHOR_EVERY or entry_.at - last.at >= ANCHOR_AGE
