"""The audit journal's rows: appending an entry inside a caller's transaction, and reading them.

An entry is appended in the same transaction as what it records (a sale's order row, an
operator change), so neither exists without the other. The primary key (workstation, seq)
keeps each chain's ``seq`` gap-free across processes and tills, without a lock on any other
workstation's chain (``append``).
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Iterator
from dataclasses import dataclass

from typing import TYPE_CHECKING

import sqlalchemy as sa

from posapp.audit.chain import GENESIS, Entry, Event, entry
from posapp.orders.base import InvalidOrder, check_identifier
from posapp.orders.schema import aware_utc, journal, naive_utc

if TYPE_CHECKING:
    from posapp.orders.sql import SqlOrderStore

_COLUMN_LIMITS = {"action": 32, "outcome": 16, "target": 128, "operator": 64, "workstation": 64}


def _checked(workstation: str, event: Event) -> None:
    """InvalidOrder for a field that does not fit its column or holds a card number."""
    for name, value in (("workstation", workstation), ("action", event.action), ("outcome", event.outcome),
                        ("target", event.target), ("operator", event.operator)):
        if value is not None and len(value) > _COLUMN_LIMITS[name]:
            raise InvalidOrder(f"a journal {name} has at most {_COLUMN_LIMITS[name]} characters")
        check_identifier(f"journal {name}", value)


class HeadGuesses:
    """The (seq, chain) this process last committed for each workstation: a guess that lets a
    sale's entry go in with one INSERT, with no look-up (a sale's journal entry is on its critical
    path). A stale guess (another process of the same till appended) costs a look-up. Thread-safe."""

    def __init__(self) -> None:
        self._last: dict[str, tuple[int, str]] = {}
        self._lock = threading.Lock()

    def get(self, workstation: str) -> tuple[int, str] | None:
        """The last (seq, chain) committed here for ``workstation``, if any."""
        with self._lock:
            return self._last.get(workstation)

    def put(self, workstation: str, seq: int, chain: str) -> None:
        """Remember ``workstation``'s newest entry, once it is committed."""
        with self._lock:
            self._last[workstation] = (seq, chain)


def append(connection: sa.Connection, key: bytes, workstation: str, at: datetime.datetime, event: Event,
           guess: tuple[int, str] | None = None) -> Entry:
    """Append ``event`` to ``workstation``'s chain in the connection's open transaction; the entry.
    ``guess``: the (seq, chain) of the newest entry, as far as this process knows (``HeadGuesses``).

    The entry goes in at the next seq; when the primary key refuses it (another process took
    that seq), it follows the entry that did. No lock is taken but the new row's: an entry
    past a gap (newest entries deleted with SQL) leaves the gap for 'audit verify' to name.

    Raises InvalidOrder for a field that cannot be stored, SQLAlchemy's DBAPIError for the database."""
    _checked(workstation, event)
    seq, previous = guess if guess is not None else _newest(connection, workstation)
    while True:  # each turn follows an entry another process committed meanwhile: finitely many
        new = entry(key, previous, workstation, seq + 1, at, event)
        try:
            _insert(connection, new)
            return new
        except sa.exc.IntegrityError:  # only the INSERT was rolled back, not the transaction
            taken = _taken(connection, workstation, new.seq)
            if taken is None:
                raise  # refused for another reason: a constraint, a trigger
            # The newest entry, unless this transaction's snapshot predates the one that took the seq.
            seq, previous = max(_newest(connection, workstation), taken)


def _newest(connection: sa.Connection, workstation: str) -> tuple[int, str]:
    """(seq, chain) of ``workstation``'s newest entry in this transaction's view; (0, GENESIS) if none."""
    newest = connection.execute(sa.select(journal.c.seq, journal.c.chain).where(
        journal.c.workstation == workstation).order_by(journal.c.seq.desc()).limit(1)).first()
    return (newest.seq, newest.chain) if newest is not None else (0, GENESIS)


def _taken(connection: sa.Connection, workstation: str, seq: int) -> tuple[int, str] | None:
    """(seq, chain) of entry ``seq`` as committed now, or None. A shared lock on that one row
    reads past InnoDB's snapshot; a range would lock gaps that other workstations' entries go
    into, and two appenders could then wait on each other."""
    row = connection.execute(sa.select(journal.c.seq, journal.c.chain).where(
        journal.c.workstation == workstation, journal.c.seq == seq).with_for_update(read=True)).first()
    return None if row is None else (row.seq, row.chain)


def _insert(connection: sa.Connection, new: Entry) -> None:
    # Parameters apart from the statement: SQLAlchemy reuses its compiled form (a sale's path).
    connection.execute(journal.insert(), {
        "workstation": new.workstation, "seq": new.seq, "at": naive_utc(new.at), "operator": new.operator,
        "action": new.action, "target": new.target, "outcome": new.outcome, "details": new.details,
        "chain": new.chain})


def entry_from_row(row: sa.Row) -> Entry:
    """The Entry a ``posapp_journal`` row holds."""
    return Entry(workstation=row.workstation, seq=row.seq, at=aware_utc(row.at), operator=row.operator,
                 action=row.action, target=row.target, outcome=row.outcome, details=row.details, chain=row.chain)


def workstations(connection: sa.Connection) -> list[str]:
    """Every workstation with a journal entry, sorted."""
    return sorted(connection.execute(sa.select(journal.c.workstation).distinct()).scalars())


_CHAIN_COLUMNS = [column for column in journal.c if column.name != "workstation"]  # which one is known


def chain_rows(connection: sa.Connection, workstation: str) -> Iterator[Entry]:
    """Every entry of ``workstation`` in ascending seq order, streamed (100,000s of them)."""
    # The hot loop of ``audit verify`` (bench/audit_verify.py): rows taken a batch at a time,
    # by position, without the workstation column it already knows.
    query = sa.select(*_CHAIN_COLUMNS).where(journal.c.workstation == workstation).order_by(journal.c.seq)
    for batch in connection.execution_options(yield_per=2000).execute(query).partitions():
        for seq, at, operator, action, target, outcome, details, chain in batch:
            yield Entry(workstation, seq, aware_utc(at), operator, action, target, outcome, details, chain)


@dataclass(frozen=True)
class JournalFilter:
    """What ``audit list`` narrows entries by; every given criterion must match. ``since`` and
    ``until`` are aware times (``until`` excluded); ValueError if naive."""

    since: datetime.datetime | None = None
    until: datetime.datetime | None = None
    operator: str | None = None
    action: str | None = None
    workstation: str | None = None


def select_entries(where: JournalFilter, *, after: tuple[str, int] | None, limit: int) -> sa.Select:
    """At most ``limit`` entries matching ``where``, by workstation then seq (keyset paging: the
    next page starts after the last (workstation, seq) of this one, ``after``)."""
    query = sa.select(journal)
    if where.since is not None:
        query = query.where(journal.c.at >= naive_utc(where.since))
    if where.until is not None:
        query = query.where(journal.c.at < naive_utc(where.until))
    for column, value in ((journal.c.operator, where.operator), (journal.c.action, where.action),
                          (journal.c.workstation, where.workstation)):
        if value is not None:
            query = query.where(column == value)
    if after is not None:
        workstation, seq = after
        query = query.where(sa.tuple_(journal.c.workstation, journal.c.seq) > sa.tuple_(
            sa.literal(workstation), sa.literal(seq)))
    return query.order_by(journal.c.workstation, journal.c.seq).limit(limit)


class SqlJournal:
    """The audit journal of one order database (``store``); thread-safe. Every method may raise
    OrderStoreUnavailable."""

    def __init__(self, store: SqlOrderStore):
        self._store = store

    def record(self, event: Event) -> Entry:
        """Journal ``event`` on its own; the entry. Raises InvalidOrder for a field that cannot be stored."""
        with self._store.transaction() as (_connection, journal):
            return journal(event)

    def entry(self, workstation: str, seq: int) -> Entry | None:
        """Entry ``seq`` of ``workstation``, or None."""
        with self._store.connection() as connection:
            row = connection.execute(sa.select(journal).where(journal.c.workstation == workstation,
                                                              journal.c.seq == seq)).one_or_none()
        return None if row is None else entry_from_row(row)

    def workstations(self) -> list[str]:
        """Every workstation that has journalled, sorted."""
        with self._store.connection() as connection:
            return workstations(connection)

    def chain(self, workstation: str) -> Iterator[Entry]:
        """Every entry of ``workstation``, ascending seq, streamed; errors raise while iterating."""
        with self._store.connection() as connection:
            yield from chain_rows(connection, workstation)

    def page(self, where: JournalFilter, *, after: tuple[str, int] | None = None, limit: int = 500) -> list[Entry]:
        """At most ``limit`` entries matching ``where``, by workstation and seq, after the key ``after``."""
        with self._store.connection() as connection:
            rows = connection.execute(select_entries(where, after=after, limit=limit)).all()
        return [entry_from_row(row) for row in rows]
