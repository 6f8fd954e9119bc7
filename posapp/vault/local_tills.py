"""The till registry of the local vault: the ``vault_tills`` table of vault.db.

One row per registered key (public keys only: nothing here opens a card), times as ISO 8601
UTC text. Each write reads and writes in one write transaction, so two processes registering
or revoking at once never lose each other's rows.
"""

from __future__ import annotations

import datetime
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

from posapp.vault.base import VaultError
from posapp.vault.till_registry import TillKeyRecord, TillNotRegistered

SCHEMA = """
CREATE TABLE IF NOT EXISTS vault_tills (till_id TEXT NOT NULL, key_id TEXT NOT NULL, public_key BLOB NOT NULL,
    registered_at TEXT NOT NULL, revoked_at TEXT, PRIMARY KEY (till_id, key_id));
"""
_COLUMNS = "till_id, key_id, public_key, registered_at, revoked_at"


Connection = Callable[[], AbstractContextManager[sqlite3.Connection]]


class LocalTillRegistry:
    """The tills of the local vault reached through ``connection``; ``opened`` opens (or makes) the
    vault first, which creates the table. Methods behave as ``till_registry.TillRegistry`` says."""

    def __init__(self, connection: Connection, opened: Callable[[], object]):
        self._connection, self._opened = connection, opened

    def register(self, record: TillKeyRecord) -> bool:
        self._opened()
        with self._connection() as db, _writing(db):
            kept = db.execute("SELECT revoked_at FROM vault_tills WHERE till_id = ? AND key_id = ?",
                              (record.till_id, record.key_id)).fetchone()
            if kept is None:
                db.execute(f"INSERT INTO vault_tills ({_COLUMNS}) VALUES (?, ?, ?, ?, NULL)",
                           (record.till_id, record.key_id, record.public_key, _text(record.registered_at)))
                return True
        if kept[0] is not None:
            raise VaultError(f"key {record.key_id} of till {record.till_id} was revoked and is never trusted "
                             f"again: register the till with a new key")
        return False

    def revoke(self, till_id: str, at: datetime.datetime) -> list[TillKeyRecord]:
        self._opened()
        with self._connection() as db, _writing(db):
            records = _read(db, "WHERE till_id = ?", (till_id,))
            if not records:
                raise TillNotRegistered(till_id)
            db.execute("UPDATE vault_tills SET revoked_at = ? WHERE till_id = ? AND revoked_at IS NULL",
                       (_text(at), till_id))
        return [TillKeyRecord(each.till_id, each.key_id, each.public_key, each.registered_at, at)
                for each in records if each.revoked_at is None]

    def keys_of(self, till_id: str) -> list[TillKeyRecord]:
        self._opened()
        with self._connection() as db:
            return _read(db, "WHERE till_id = ?", (till_id,))

    def tills(self) -> list[TillKeyRecord]:
        self._opened()
        with self._connection() as db:
            return _read(db, "", ())


@contextmanager
def _writing(db: sqlite3.Connection) -> Iterator[None]:
    """One write transaction (BEGIN IMMEDIATE: one writer at a time), rolled back on any error."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _read(db: sqlite3.Connection, where: str, values: tuple) -> list[TillKeyRecord]:
    rows = db.execute(f"SELECT {_COLUMNS} FROM vault_tills {where} ORDER BY till_id, registered_at, key_id",
                      values).fetchall()
    return [TillKeyRecord(till_id, key_id, bytes(public_key), _time(registered), _time(revoked) if revoked else None)
            for till_id, key_id, public_key, registered, revoked in rows]


def _text(at: datetime.datetime) -> str:
    return at.astimezone(datetime.timezone.utc).isoformat()


def _time(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text)
