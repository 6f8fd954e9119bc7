"""12.5.2: cardholder-data discovery. Every file in posapp's folders and every text value of the
order database is searched with posapp's card-number detector; a hit is reported by its place
and last 4 digits, never more.

The folders are those posapp writes: its data folder (the local vault, whose items are
ciphertext, the key file, temporary key files), its log folder, and the settings files with
their drafts (``posapp.toml.new``): posapp writes its temporary files beside what they become,
in these same folders. Files are read in chunks (``posapp.pan_scan``), as text and as bytes,
never whole; links are not followed; a SQLite database (the local vault) value by value
(``sqlite_files``). The order database is read value by value, table by table in batches
(``posapp.orders.text_cells``), a local SQLite one through its store, not again as a file.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from posapp import pan_scan
from posapp.app import Services
from posapp.pan_detect import MASK
from posapp.pci import sqlite_files
from posapp.pci.base import Status, counted

LISTED = 10  # places named in the evidence; the rest are counted


class _Places:
    """The first LISTED places of something found, and how many there were in all (a file full of
    card numbers must not fill memory)."""

    def __init__(self) -> None:
        self.listed: list[str] = []
        self.count = 0

    def __iadd__(self, places: Iterable[str]) -> _Places:
        for place in places:
            self.count += 1
            if len(self.listed) < LISTED:
                self.listed.append(place)
        return self

    def __str__(self) -> str:
        more = f" and {self.count - LISTED} more" if self.count > LISTED else ""
        return "; ".join(self.listed) + more


def scan(services: Services) -> tuple[Status, str]:
    """FAIL listing where card numbers were found (``path at byte N``, ``table.column row K``),
    each with its last 4; PASS saying how much was searched."""
    hits, unreadable = _Places(), _Places()
    files = size = 0
    for path in _files(services):
        try:
            if sqlite_files.companion_of(path) is not None:
                continue  # read through its database
            size += path.stat().st_size
            if sqlite_files.is_database(path):
                hits += (f"{path}: {place} ({MASK} {last4})" for place, last4 in sqlite_files.find_in_database(path))
            else:
                with path.open("rb") as stream:
                    hits += (f"{path} at byte {offset} ({MASK} {last4})"
                             for offset, last4 in pan_scan.find_in_bytes(stream))
        except OSError as error:
            unreadable += [f"{path} ({error.strerror or error})"]
            continue
        hits += (f"the name of a file in {path.parent} ({MASK} {last4})"
                 for _, _, last4 in pan_scan.find_in_text(path.name))
        files += 1
    cells = 0
    for cell in services.orders.text_cells.cells():
        cells += 1
        hits += (f"{cell.table}.{cell.column} row {', '.join(map(str, cell.row))} ({MASK} {last4})"
                 for _, _, last4 in pan_scan.find_in_text(cell.text))
    searched = (f"{counted(files, 'file')} ({size / 1e6:.1f} MB) in {', '.join(map(str, _folders(services)))} "
                f"and {counted(cells, 'text value')} of the order database ({services.orders.display_url})")
    if hits.count:
        return Status.FAIL, f"{counted(hits.count, 'card number')} found: {hits}"
    if unreadable.count:
        return Status.FAIL, f"cannot read {unreadable}; no card number in {searched}"
    return Status.PASS, f"no card number in {searched}"


def _folders(services: Services) -> list[Path]:
    paths = services.safeguards.paths
    return [paths.data_dir, paths.log_dir]


def _files(services: Services) -> Iterator[Path]:
    """Every regular file under the data and log folders, and the settings files and their drafts;
    each once, links not followed."""
    paths = services.safeguards.paths
    seen = set(_order_database_files(services))
    settings = [*services.settings_files, *_settings_drafts(paths.config_dir)]
    candidates = (*(path for folder in _folders(services) for path in _walk(folder)), *settings)
    for path in candidates:
        try:
            regular = stat.S_ISREG(os.lstat(path).st_mode)
        except OSError:
            continue  # gone meanwhile (a rotated log)
        if regular and path.absolute() not in seen:
            seen.add(path.absolute())
            yield path


def _order_database_files(services: Services) -> list[Path]:
    """The local order database's file and its companions (-wal, -shm, -journal): read by value."""
    if services.shared_orders:
        return []
    database = Path(services.orders.display_url.removeprefix("sqlite:///")).absolute()
    return [database.with_name(database.name + suffix) for suffix in ("", "-wal", "-shm", "-journal")]


def _walk(folder: Path) -> Iterator[Path]:
    for root, _, names in os.walk(folder):  # links to folders are not followed
        for name in sorted(names):
            yield Path(root) / name


def _settings_drafts(folder: Path) -> list[Path]:
    try:
        return sorted(path for path in folder.iterdir() if path.name.startswith("posapp.toml"))
    except OSError:
        return []
