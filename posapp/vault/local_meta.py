"""The local vault's bookkeeping rows in ``vault_meta``: identity, pairing, reconcile epochs
and import runs in progress. Each function works on an open vault.db connection."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from posapp.audit.chain import Anchor
from posapp.vault.base import ImportRecord, VaultIdentity

_IDENTITY = ("vault_id", "history_id", "reconcile_epoch")


def identity(db: sqlite3.Connection) -> VaultIdentity:
    """The identity rows; all None in a vault.db that has no ``vault_meta`` table yet."""
    if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'vault_meta'").fetchone() is None:
        return VaultIdentity(None, None)
    rows = dict(db.execute(f"SELECT key, value FROM vault_meta WHERE key IN ({', '.join('?' * len(_IDENTITY))})",
                           _IDENTITY))
    return VaultIdentity(*(rows.get(name) or None for name in _IDENTITY))


@contextmanager
def _locked(db: sqlite3.Connection) -> Iterator[None]:
    db.execute("BEGIN IMMEDIATE")  # one writer at a time: read and write as one step
    try:
        yield
    finally:
        db.execute("COMMIT")


def pair(db: sqlite3.Connection, history_id: str) -> str:
    """Record ``history_id`` unless one is; the one recorded."""
    with _locked(db):
        row = db.execute("SELECT value FROM vault_meta WHERE key = 'history_id'").fetchone()
        if row is None:
            db.execute("INSERT INTO vault_meta VALUES ('history_id', ?)", (history_id,))
    return history_id if row is None else row[0]


def advance_reconcile_epoch(db: sqlite3.Connection, expected: str | None, new: str) -> bool:
    """Set the epoch to ``new`` if it is still ``expected`` (None: never set), in one write
    transaction; False, and nothing written, if another run changed it."""
    with _locked(db):
        row = db.execute("SELECT value FROM vault_meta WHERE key = 'reconcile_epoch'").fetchone()
        if (row[0] if row else None) != expected:
            return False
        db.execute("INSERT OR REPLACE INTO vault_meta VALUES ('reconcile_epoch', ?)", (new,))
        return True


def begin_import(db: sqlite3.Connection, record: ImportRecord) -> None:
    """Note the import run; sqlite3.IntegrityError if its id is noted already."""
    db.execute("INSERT INTO vault_meta VALUES (?, ?)", (f"import:{record.import_id}", record.to_json()))


def pending_imports(db: sqlite3.Connection) -> list[ImportRecord]:
    """Every import run noted and not ended."""
    rows = db.execute("SELECT value FROM vault_meta WHERE key LIKE 'import:%'").fetchall()
    return [ImportRecord.from_json(value) for (value,) in rows]


def end_import(db: sqlite3.Connection, import_id: str) -> None:
    """Forget the import run; harmless if it is not noted."""
    db.execute("DELETE FROM vault_meta WHERE key = ?", (f"import:{import_id}",))


def anchors(db: sqlite3.Connection) -> dict[str, Anchor]:
    """The audit anchor of every workstation that recorded one here."""
    rows = db.execute("SELECT value FROM vault_meta WHERE key LIKE 'anchor:%'").fetchall()
    found = (Anchor.from_json(value) for (value,) in rows)
    return {anchor.workstation: anchor for anchor in found}


def record_anchor(db: sqlite3.Connection, anchor: Anchor) -> None:
    """Keep ``anchor`` unless its workstation's kept one is as far along (anchors only move forward)."""
    with _locked(db):
        row = db.execute("SELECT value FROM vault_meta WHERE key = ?", (f"anchor:{anchor.workstation}",)).fetchone()
        if row is None or Anchor.from_json(row[0]).seq < anchor.seq:
            db.execute("INSERT OR REPLACE INTO vault_meta VALUES (?, ?)",
                       (f"anchor:{anchor.workstation}", anchor.to_json()))
