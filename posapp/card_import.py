"""Bulk tokenization of a legacy card file: one card per line, ``NUMBER[,MM/YY]``
(``posapp.card_file`` reads the lines as spreadsheet programs write them).

Results come back in input order: a token with the brand and last 4 for each good line,
a reason for each refused one. A refused line never stops the rest and is never echoed.
The file is read once, a line at a time, each line bounded: a hostile file costs no more
memory than a small one.
"""

from __future__ import annotations

import codecs
import datetime
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from posapp.card import Brand, Card
from posapp.card_file import MAX_LINE, CardFileLines
from posapp.clock import utc_now
from posapp.errors import InvalidInput, describe
from posapp.retention import expires_at
from posapp.vault import Vault

BATCH = 400  # cards per bulk call: four DynamoDB transactions of 100 in parallel
_SKIP = 65536


@dataclass(frozen=True)
class Imported:
    """A stored card: its line number (from 1), vault token, brand and last 4."""

    line: int
    token: str
    brand: Brand
    last4: str


@dataclass(frozen=True)
class Refused:
    """A refused line: its number (from 1) and the sentence saying why, never its content."""

    line: int
    reason: str


def open_card_file(path: Path) -> tuple[TextIO, int]:
    """The card file, open for reading as text, and its size in bytes. Only a regular file will
    do: a FIFO would block (and cannot be read twice), a device like /dev/zero never ends.
    Raises InvalidInput naming ``path`` when it cannot be read or is not a regular file."""
    try:
        # Non-blocking, so that opening a FIFO with no writer returns instead of hanging.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        raise InvalidInput(f"{path} cannot be read: {error.strerror}") from None
    info = os.fstat(descriptor)
    mode = info.st_mode
    if not stat.S_ISREG(mode):
        os.close(descriptor)
        kind = ("a folder" if stat.S_ISDIR(mode) else "a pipe" if stat.S_ISFIFO(mode)
                else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a regular file")
        raise InvalidInput(f"{path} is {kind}: give a card file (a regular file)")
    # Bytes that are not UTF-8 stay in their line (as surrogates), which is then refused alone.
    return open(descriptor, encoding=_encoding(descriptor), errors="surrogateescape"), info.st_size


def _encoding(descriptor: int) -> str:
    """UTF-8, after the byte-order mark spreadsheets write ("CSV UTF-8"), or UTF-16 where its
    mark says so ("Unicode text")."""
    start = os.pread(descriptor, 2, 0)
    return "utf-16" if start in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) else "utf-8-sig"


def bounded_lines(file: TextIO, limit: int = MAX_LINE) -> Iterator[str]:
    """The file's lines; one longer than ``limit`` comes cut to ``limit`` + 1 characters, the
    rest of it skipped a chunk at a time, never held whole."""
    while line := file.readline(limit + 1):
        if len(line) > limit and not line.endswith("\n"):
            while (rest := file.readline(_SKIP)) and not rest.endswith("\n"):
                pass
        yield line


def import_cards(vault: Vault, lines: Iterable[str], *, today: datetime.date, import_id: str,
                 retention_days: int = 0,
                 clock: Callable[[], datetime.datetime] = utc_now) -> Iterator[Imported | Refused]:
    """Store the cards of ``lines`` for the import run ``import_id``; a result per line, in order.

    ``today`` is the UTC date expiries are checked against. Each card is kept ``retention_days``
    from its batch's storage time (``clock``; ``posapp.retention``; 0: kept). A refused line is a
    Refused, never an error; the vault's errors (VaultError) stop the run, with the batches before it stored."""
    batch: list[tuple[int, Card]] = []
    refused: list[Refused] = []
    reader = CardFileLines(today)
    for number, text in enumerate(lines, start=1):
        try:
            if (card := reader.card(text)) is not None:
                batch.append((number, card))
        except ValueError as error:
            refused.append(Refused(number, describe(error)[0]))
        if len(batch) + len(refused) >= BATCH:  # refusals count too: a file of bad lines is no bigger a batch
            yield from _store(vault, batch, refused, import_id, retention_days, clock)
            batch, refused = [], []
    yield from _store(vault, batch, refused, import_id, retention_days, clock)


def _store(vault: Vault, batch: list[tuple[int, Card]], refused: list[Refused], import_id: str,
           retention_days: int, clock: Callable[[], datetime.datetime]) -> Iterator[Imported | Refused]:
    stored_at = clock()
    expiries = [expires_at(stored_at, retention_days, card.expiry) for _, card in batch]
    tokens = vault.tokenize_many([card for _, card in batch], import_id, expires_at=expiries) if batch else []
    done = [Imported(number, token, card.pan.brand, card.pan.last4) for (number, card), token in zip(batch, tokens)]
    yield from sorted([*done, *refused], key=lambda result: result.line)
