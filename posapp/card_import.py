"""Bulk tokenization of a legacy card file: one card per line, ``NUMBER[,MM/YY]``.

Results come back in input order: a token with the brand and last 4 for each good line,
a reason for each refused one. A refused line never stops the rest and is never echoed.
The file is read once, a line at a time, each line bounded: a hostile file costs no more
memory than a small one.
"""

from __future__ import annotations

import csv
import datetime
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from posapp.card import Brand, Card, Expiry, Pan
from posapp.errors import InvalidInput, describe
from posapp.vault import Vault

BATCH = 400  # cards per bulk call: four DynamoDB transactions of 100 in parallel
MAX_LINE = 1000  # characters; a card line has fewer than 30
_SKIP = 65536


@dataclass(frozen=True)
class Imported:
    line: int
    token: str
    brand: Brand
    last4: str


@dataclass(frozen=True)
class Refused:
    line: int
    reason: str


def open_card_file(path: Path) -> tuple[TextIO, int]:
    """The card file, open for reading, and its size in bytes. Only a regular file will do:
    a FIFO would block (and cannot be read twice), a device like /dev/zero never ends."""
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
    return open(descriptor, encoding="utf-8", errors="surrogateescape"), info.st_size


def bounded_lines(file: TextIO, limit: int = MAX_LINE) -> Iterator[str]:
    """The file's lines; one longer than ``limit`` comes cut to ``limit`` + 1 characters, the
    rest of it skipped a chunk at a time, never held whole."""
    while line := file.readline(limit + 1):
        if len(line) > limit and not line.endswith("\n"):
            while (rest := file.readline(_SKIP)) and not rest.endswith("\n"):
                pass
        yield line


def parse_line(text: str, today: datetime.date) -> Card:
    fields = next(csv.reader([text]))
    if not 1 <= len(fields) <= 2:
        raise InvalidInput("expected one card per line: NUMBER or NUMBER,MM/YY")
    pan = Pan.parse(fields[0])
    expiry = Expiry.parse(fields[1]) if len(fields) == 2 and fields[1].strip() else None
    card = Card(pan, expiry)
    card.check_not_expired(today)
    return card


def import_cards(vault: Vault, lines: Iterable[str], *, today: datetime.date,
                 import_id: str) -> Iterator[Imported | Refused]:
    """Store the cards of ``lines`` for the import run ``import_id``; a result per line, in order."""
    batch: list[tuple[int, Card]] = []
    refused: list[Refused] = []
    for number, text in enumerate(lines, start=1):
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        try:
            if len(text.rstrip("\r\n")) > MAX_LINE:
                raise InvalidInput(f"the line is longer than {MAX_LINE} characters")
            batch.append((number, parse_line(text.strip(), today)))
        except ValueError as error:
            refused.append(Refused(number, describe(error)[0]))
        if len(batch) + len(refused) >= BATCH:  # refusals count too: a file of bad lines is no bigger a batch
            yield from _store(vault, batch, refused, import_id)
            batch, refused = [], []
    yield from _store(vault, batch, refused, import_id)


def _store(vault: Vault, batch: list[tuple[int, Card]], refused: list[Refused],
           import_id: str) -> Iterator[Imported | Refused]:
    tokens = vault.tokenize_many([card for _, card in batch], import_id) if batch else []
    done = [Imported(number, token, card.pan.brand, card.pan.last4) for (number, card), token in zip(batch, tokens)]
    yield from sorted([*done, *refused], key=lambda result: result.line)
