"""Finding card numbers in large text and in files of any size, fast, with posapp's detector.

:func:`posapp.pan_detect.find_pans` reads every character of a text (about 2 MB/s on log
lines): scanning a data folder or a log file with it alone takes minutes. :func:`find_in_text`
gives the same answer much faster by handing it only the stretches of text that could hold a
card number: a number's digits are never more than a run apart, and ASCII letters (outside HTML
character references) always end a run, so a stretch between letters needs at least 12 digits
as the detector counts them (a reference or a mark like "½" or "⑽" may stand for two). Each
such stretch is read with :data:`MARGIN` characters of context on both sides, so identifiers
and dates around it read as they do in the whole text.

:func:`find_in_bytes` reads a file's bytes in chunks with overlap, so a number that crosses a
chunk boundary is found once; bytes that are not UTF-8 are read as Latin-1 (binary files,
Windows-1252 text), and text in UTF-16 reads as digits between NUL separators. Nothing here
ever keeps a number's digits: a hit is its place and its last 4.

Pure: it imports only ``posapp.pan_detect``.
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata
from collections.abc import Callable, Iterator
from typing import BinaryIO

from posapp.pan_detect import MIN_DIGITS, find_pans

MARGIN = 64  # characters of context around a stretch: longer than a UUID, a date or an IPv4 address
CHUNK = 1 << 20  # bytes of a file read at a time
OVERLAP = 4096  # bytes read before and after each chunk: longer than any card number as written

# Every HTML character reference the detector reads, and more (its letters are not breaks).
_REFERENCE = re.compile(r"&[A-Za-z0-9#;]+")


def _reference_marks(match: re.Match[str]) -> str:
    # Digits and the punctuation of a reference count as digits, so that a reference weighs at
    # least what it decodes to ("&half;" is "½", two digits); its letters are neither.
    return "".join("_" if char.isalpha() else "0" for char in match.group())


# Digit marks: "0" a digit, "9" a character read as several, "a" an ASCII letter (a break).
_ASCII_MARKS = bytes.maketrans(b"0123456789\x7f" + bytes(range(65, 91)) + bytes(range(97, 123)),
                               b"0" * 10 + b"9" + b"a" * 52)
_SEVERAL = "\x7f"  # stands for a character read as several digits (a DEL of the text counts as one too)


@functools.cache
def _digit_characters() -> tuple[re.Pattern[str], re.Pattern[str], int]:
    """Patterns of the characters beyond ASCII read as one digit and as several ("½" is "1⁄2"),
    the most digits one is read as. A byte that is not UTF-8 (escaped as U+DC80..U+DCFF) counts
    as its Latin-1 character."""
    classes: dict[bool, list[str]] = {False: [], True: []}
    most = 1
    for code in range(128, sys.maxunicode + 1):
        char = chr(code)
        if unicodedata.category(char) in ("Cn", "Cs", "Co"):
            continue
        digits = 1 if unicodedata.decimal(char, None) is not None else sum(
            part.isdecimal() for part in unicodedata.normalize("NFKC", char))
        if digits:
            classes[digits > 1].append(char)
            if code < 0x100:
                classes[digits > 1].append(chr(0xDC00 + code))
            most = max(most, digits)
    one, several = (re.compile(_character_class(sorted(classes[key]))) for key in (False, True))
    return one, several, most


def _character_class(chars: list[str]) -> str:
    """A pattern matching any of ``chars`` (sorted), neighbours written as ranges: a long list of
    single characters makes a slow pattern."""
    ranges: list[list[str]] = []
    for char in chars:
        if ranges and ord(ranges[-1][1]) == ord(char) - 1:
            ranges[-1][1] = char
        else:
            ranges.append([char, char])
    return "[" + "".join(re.escape(first) + (f"-{re.escape(last)}" if last != first else "")
                         for first, last in ranges) + "]"


def _marks(text: str) -> bytes:
    """One digit mark a character of ``text`` (see _ASCII_MARKS); the letters of a reference are none."""
    if "&" in text:
        text = _REFERENCE.sub(_reference_marks, text)
    if not text.isascii():
        one, several, _ = _digit_characters()
        text = several.sub(_SEVERAL, one.sub("0", text))
    return text.encode("ascii", "replace").translate(_ASCII_MARKS)


@functools.cache
def _stretches(fewest: int) -> re.Pattern[bytes]:
    # From a digit mark on, ``fewest`` - 1 more with no letter between; possessive: linear time.
    return re.compile(rb"[09](?:[^a09]*+[09]){%d,}+" % (fewest - 1))


def find_in_text(text: str) -> list[tuple[int, int, str]]:
    """What :func:`posapp.pan_detect.find_pans` finds in ``text`` (``(start, end, last4)``, in order),
    reading only the stretches that could hold a card number."""
    return _find(text, lambda begin, end: text[begin:end])


def _find(text: str, read: Callable[[int, int], str]) -> list[tuple[int, int, str]]:
    """The card numbers of ``text``, each stretch that may hold one read as ``read(begin, end)`` says."""
    if len(text) <= 4 * MARGIN:
        return find_pans(read(0, len(text)))
    marks = _marks(text)
    most = _digit_characters()[2]
    fewest = MIN_DIGITS if b"9" not in marks else -(-MIN_DIGITS // most)
    windows: list[list[int]] = []
    for stretch in _stretches(fewest).finditer(marks):
        start, end = stretch.span()
        if marks.count(b"0", start, end) + most * marks.count(b"9", start, end) < MIN_DIGITS:
            continue
        begin, finish = max(0, start - MARGIN), min(len(text), end + MARGIN)
        if windows and begin <= windows[-1][1]:
            windows[-1][1] = finish
        else:
            windows.append([begin, finish])
    return [(begin + start, begin + end, last4)
            for begin, finish in windows for start, end, last4 in find_pans(read(begin, finish))]


def find_in_bytes(stream: BinaryIO, *, chunk: int = CHUNK, overlap: int = OVERLAP) -> Iterator[tuple[int, str]]:
    """``(byte offset, last4)`` of each card number in ``stream``, read ``chunk`` bytes at a time,
    each with ``overlap`` bytes of the chunks around it; a number is found once, at its first byte.
    Raises what reading raises (OSError)."""
    before = b""  # the end of the previous chunk: context for this one
    position = 0  # the offset of this chunk's first byte
    done_up_to = 0  # the end of the last number found: a later chunk's view of it is not new
    data = stream.read(chunk + overlap)
    while data:
        own = data[:chunk]
        for offset, end, last4 in _find_in_block(before + data):
            offset, end = offset - len(before) + position, end - len(before) + position
            if position <= offset < position + len(own) and offset >= done_up_to:
                done_up_to = end
                yield offset, last4
        before = own[-overlap:] if overlap else b""
        position += len(own)
        data = data[chunk:] + stream.read(chunk)


def _find_in_block(block: bytes) -> list[tuple[int, int, str]]:
    """``(start, end, last4)`` byte offsets of the numbers in ``block``: its UTF-8 read, with each
    byte that is not UTF-8 read as Latin-1."""
    escaped = block.decode("utf-8", "surrogateescape")
    found = _find(escaped, lambda begin, end: escaped[begin:end].translate(_LATIN1))
    if not found or len(escaped) == len(block):
        return found  # one byte a character: the offsets are byte offsets already
    places, done, at = [], 0, 0
    for start, end, last4 in found:
        at += len(escaped[done:start].encode("utf-8", "surrogateescape"))
        width = len(escaped[start:end].encode("utf-8", "surrogateescape"))
        places.append((at, at + width, last4))
        at, done = at + width, end
    return places


# surrogateescape writes a byte that is not UTF-8 as U+DC80..U+DCFF: read it as Latin-1 instead.
_LATIN1 = {0xDC00 + byte: chr(byte) for byte in range(0x80, 0x100)}
