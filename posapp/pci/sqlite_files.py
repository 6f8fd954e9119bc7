"""SQLite databases among posapp's files (the local vault), searched value by value.

In a database file values lie side by side with nothing between them: read as bytes, a hex key
beside a name or a card's last 4 beside a time (``VISA`` then ``4242`` then ``2026-12-07 18:58``,
with nothing between) would read as one long number that may pass the check. A file that starts as a SQLite database does is opened
read only instead, and each text and binary value of each table is searched on its own; its
write-ahead log and shared-memory files are read through it.
"""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from posapp import pan_scan

HEADER = b"SQLite format 3\x00"
COMPANIONS = ("-wal", "-shm", "-journal")


def is_database(path: Path) -> bool:
    """Whether ``path`` starts as a SQLite database does; raises OSError when it cannot be read."""
    with path.open("rb") as stream:
        return stream.read(len(HEADER)) == HEADER


def companion_of(path: Path) -> Path | None:
    """The database a -wal, -shm or -journal file belongs to, if that database exists."""
    for suffix in COMPANIONS:
        if path.name.endswith(suffix) and len(path.name) > len(suffix):
            database = path.with_name(path.name[:-len(suffix)])
            return database if database.is_file() else None
    return None


def find_in_database(path: Path) -> Iterator[tuple[str, str]]:
    """``(place, last4)`` for each card number in the values of the database at ``path``, the place
    as ``table.column row N``. Raises OSError when it cannot be opened or read."""
    try:
        db = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise OSError(f"not a readable database: {error}") from None
    try:
        tables = [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            quoted = '"' + table.replace('"', '""') + '"'
            try:
                rows = db.execute(f"SELECT rowid, * FROM {quoted}")
            except sqlite3.OperationalError:  # a table WITHOUT ROWID
                rows = db.execute(f"SELECT NULL, * FROM {quoted}")
            columns = [description[0] for description in rows.description][1:]
            for number, (rowid, *values) in enumerate(rows, 1):
                for column, value in zip(columns, values):
                    for last4 in _last4s(value):
                        yield f"{table}.{column} row {rowid if rowid is not None else number}", last4
    except sqlite3.Error as error:
        raise OSError(f"not a readable database: {error}") from None
    finally:
        db.close()


def _last4s(value: object) -> list[str]:
    if isinstance(value, str):
        return [last4 for _, _, last4 in pan_scan.find_in_text(value)]
    if isinstance(value, bytes):
        return [last4 for _, last4 in pan_scan.find_in_bytes(io.BytesIO(value))]
    return []
