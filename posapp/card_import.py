"""Bulk tokenization of a legacy card file: one card per line, ``NUMBER[,MM/YY]``.

Results come back in input order: a token with the brand and last 4 for each good line,
a reason for each refused one. A refused line never stops the rest and is never echoed.
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from posapp.card import Brand, Card, Expiry, Pan
from posapp.errors import InvalidInput, describe
from posapp.vault import Vault

BATCH = 400  # cards per bulk call: four DynamoDB transactions of 100 in parallel


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


def parse_line(text: str, today: datetime.date) -> Card:
    fields = next(csv.reader([text]))
    if not 1 <= len(fields) <= 2:
        raise InvalidInput("expected one card per line: NUMBER or NUMBER,MM/YY")
    pan = Pan.parse(fields[0])
    expiry = Expiry.parse(fields[1]) if len(fields) == 2 and fields[1].strip() else None
    card = Card(pan, expiry)
    card.check_not_expired(today)
    return card


def import_cards(vault: Vault, lines: Iterable[str], *, today: datetime.date) -> Iterator[Imported | Refused]:
    batch: list[tuple[int, Card]] = []
    refused: list[Refused] = []
    for number, text in enumerate(lines, start=1):
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        try:
            batch.append((number, parse_line(text.strip(), today)))
        except ValueError as error:
            refused.append(Refused(number, describe(error)[0]))
        if len(batch) == BATCH:
            yield from _store(vault, batch, refused)
            batch, refused = [], []
    yield from _store(vault, batch, refused)


def _store(vault: Vault, batch: list[tuple[int, Card]], refused: list[Refused]) -> Iterator[Imported | Refused]:
    tokens = vault.tokenize_many([card for _, card in batch]) if batch else []
    done = [Imported(number, token, card.pan.brand, card.pan.last4) for (number, card), token in zip(batch, tokens)]
    yield from sorted([*done, *refused], key=lambda result: result.line)
