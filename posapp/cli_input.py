"""Command-line input that a mistaken or hostile caller cannot turn into unbounded work.

Numbers are checked before any database sees them (SQLite and MySQL overflow past 64 bits);
lines from standard input are read with a length limit, so 100 MB without a newline costs a
few hundred bytes. No message repeats what was given: it may be a card number.
"""

from __future__ import annotations

import argparse
import re
from typing import TextIO

from posapp.errors import InvalidInput

ID_MAX = 2**63 - 1  # the largest 64-bit signed integer, what SQLite and BIGINT hold
_DIGITS = re.compile(r"[+-]?[0-9]{1,30}", re.ASCII)  # ASCII only: int() would take "١٢" or "1_0"


def order_id(text: str) -> int:
    """argparse type for order IDs: 1 to 2**63-1."""
    number = _integer(text)
    if number is None or not 1 <= number <= ID_MAX:
        raise argparse.ArgumentTypeError(f"an order ID is a whole number from 1 to {ID_MAX}")
    return number


def whole_number(text: str) -> int:
    """argparse type for counts (the command checks the range and says which one)."""
    number = _integer(text)
    if number is None:
        raise argparse.ArgumentTypeError("takes a whole number")
    return number


def _integer(text: str) -> int | None:
    text = text.strip()
    return int(text) if _DIGITS.fullmatch(text) else None


def read_line(stream: TextIO, limit: int, what: str) -> str:
    """One line of ``stream`` without its line ending; more than ``limit`` characters is refused."""
    try:
        line = stream.readline(limit + 2)  # room for "\r\n"; a longer line is never read whole
    except UnicodeDecodeError:
        raise InvalidInput(f"{what} is not text in the {getattr(stream, 'encoding', None) or 'UTF-8'} encoding") \
            from None
    text = line.rstrip("\r\n")
    if len(text) > limit:
        raise InvalidInput(f"{what} is longer than {limit} characters")
    return text
