"""Finding card numbers in free text, however they are written.

One detector for every check of free text (order name, description, search, settings,
file names, identifiers, error messages, rows on their way out) and for log redaction.
It finds a Luhn-valid run of 12 to 19 digits written in any of the ways a person, a
keyboard or an attacker can write one:

- any Unicode decimal digits, and anything NFKC turns into them (full-width ``４``,
  superscript ``²``, circled ``①``, Arabic-Indic ``٤``);
- groups joined by up to :data:`MAX_GAP` separators each: punctuation, symbols, spaces of
  any kind (NBSP, ideographic space), control characters (tab, newline, NUL), modifier
  letters that read as marks (the Katakana long-vowel mark ``ー``, ``ʼ``), any letter
  standing alone between digits (``ㅡ``, ``一``, ``ꞏ``) and HTML character references
  (``&nbsp;``, ``&nbsp``, ``&amp;nbsp;``; ``&#52;`` is a 4);
- invisible format characters (zero-width space U+200B, byte-order mark U+FEFF, soft
  hyphen), invisible fillers (Hangul filler U+3164) and combining marks are ignored, as
  the eye ignores them.

The letters of words end a run. Identifiers and dates are never read as card numbers, so their
digits are never masked: a UUID (every posapp token and generated key is one), a hex word
of 24 characters or more (keys, hashes), an IPv4 address, a date with its time
("2026-11-29 18:18", "Sun, 16 Nov 2026 23:16:42 +0100", "20261129T1818") and opening hours
("09:30-18:00").
A card number disguised as one of those is not found: the detector is for numbers as
people write them, and an identifier that changed under the mask could no longer be found.

Pure: it imports only ``posapp.luhn``. Examples are in ``tests/unit/test_pan_detect.py``: no
card number is written outside ``tests/``.
"""

from __future__ import annotations

import html
import re
import unicodedata

from posapp import luhn

MASK = "••••"
MIN_DIGITS, MAX_DIGITS = 12, 19  # ISO/IEC 7812-1 PAN lengths
MAX_GAP = 5  # separators between two groups of one number: "NNNN - NNNN", "NNNN -- NNNN"

_ASCII_DIGIT = re.compile(r"[0-9]")
# Categories of characters that keep a digit run going (after NFKC); modifier letters (Lm)
# are marks to the eye: "ー", "ʼ", "ˉ".
_SEPARATOR_CATEGORIES = frozenset({"Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Sm", "Sc", "Sk", "So",
                                   "Zs", "Zl", "Zp", "Cc", "Lm"})
_IGNORED_CATEGORIES = frozenset({"Cf", "Mn", "Mc", "Me"})
# Letters that show nothing (Hangul fillers) or a stroke ("ǀ ǁ ǂ ǃ", click letters).
_INVISIBLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0")
_MARK_LIKE_LETTERS = frozenset("\u01c0\u01c1\u01c2\u01c3")

# What is read as a whole before digits are: identifiers and dates (never a card number) and
# HTML character references (read as the character they stand for).
_DAY = r"(?:0?[1-9]|[12][0-9]|3[01])"
_MONTH = r"(?:0?[1-9]|1[0-2])"
_YEAR = r"(?:19|20)[0-9]{2}"
_SPECIAL = re.compile(
    r"(?P<uuid>(?<![0-9A-Za-z])[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}(?![0-9A-Za-z]))"
    rf"|(?P<date>(?<![0-9])(?:{_YEAR}(?P<s1>[-/.]){_MONTH}(?P=s1){_DAY}|{_DAY}(?P<s2>[-/.]){_MONTH}(?P=s2){_YEAR}"
    rf"|{_MONTH}(?P<s3>[-/.]){_DAY}(?P=s3){_YEAR})"
    r"(?:[ T](?:[01]?[0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:[.,][0-9]{1,9})?)?)?"
    r"(?:Z|[+-](?:[01][0-9]|2[0-3]):?[0-5][0-9])?(?![0-9]))"
    # Compact ISO 8601 date and time ("20260307T170841", "20260307 1708") and opening hours ("09:30-18:00").
    rf"|(?P<basic_date>(?<![0-9]){_YEAR}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[ T](?:[01][0-9]|2[0-3])[0-5][0-9]"
    r"(?:[0-5][0-9])?Z?(?![0-9]))"
    r"|(?P<hours>(?<![0-9:])(?:[01]?[0-9]|2[0-3]):[0-5][0-9] ?[-–] ?(?:[01]?[0-9]|2[0-3]):[0-5][0-9](?![0-9:]))"
    # Mail and HTTP dates (RFC 5322): "Sun, 16 Nov 2026 23:16:42 +0100".
    rf"|(?P<mail_date>(?<![0-9])[0-9]{{1,2}} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) {_YEAR}"
    r"(?: [0-9]{2}:[0-9]{2}(?::[0-9]{2})?)?(?: (?:[+-][0-9]{4}|GMT|UTC))?(?![0-9]))"
    r"|(?P<ipv4>(?<![0-9.])(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}"
    r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?!\.?[0-9]))"
    r"|(?P<hex>(?<![0-9A-Za-z])[0-9A-Fa-f]{24,}(?![0-9A-Za-z]))"
    # Browsers also read a reference without its ";" ("&nbsp1111"), and one escaped again ("&amp;nbsp;").
    r"|(?P<reference>&(?:(?:[aA][mM][pP]|#0*38|#[xX]0*26);)*"
    r"(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});?)",
    re.ASCII)


def normalize(text: str) -> str:
    """``text`` after NFKC, with every decimal digit made ASCII and format characters dropped.

    What card input goes through before it is parsed: ``"\\ufeff４２４２"`` -> ``"4242"``.
    Combining marks are kept here (they belong to letters in names); :func:`find_pans`
    ignores them between digits.
    """
    return "".join(_plain(char) for char in unicodedata.normalize("NFKC", text)
                   if unicodedata.category(char) != "Cf")


def _plain(char: str) -> str:
    if char.isascii():
        return char
    digit = unicodedata.decimal(char, None)
    return chr(48 + digit) if digit is not None else char


def contains_pan(text: str) -> bool:
    """Whether ``text`` holds a card number in any of the forms this module finds."""
    return bool(find_pans(text))


def redact(text: str) -> str:
    """``text`` with every card number found replaced by ``•••• <last 4>``; the rest as it was."""
    spans = find_pans(text)
    if not spans:
        return text
    pieces, kept_up_to = [], 0
    for start, end, last4 in spans:
        pieces += [text[kept_up_to:start], f"{MASK} {last4}"]
        kept_up_to = end
    pieces.append(text[kept_up_to:])
    return "".join(pieces)


def find_pans(text: str) -> list[tuple[int, int, str]]:
    """Where ``text`` holds card numbers: ``(start, end, last4)`` for each, in order.

    ``text[start:end]`` runs from a number's first digit to its last as written, separators
    and invisible characters included; ``last4`` is its last 4 digits in ASCII. Where
    numbers that pass the check overlap ("12 NNNN NNNN NNNN NNNN" may pass from "12" too),
    the span covers all of them: hiding one would show the others' digits.
    """
    if len(_ASCII_DIGIT.findall(text)) < MIN_DIGITS and (text.isascii() or _digit_count(text) < MIN_DIGITS):
        return []  # most text: too few digits to hold a card number
    outside = _SPECIAL.sub(_outside_identifiers, text)
    if len(_ASCII_DIGIT.findall(outside)) < MIN_DIGITS and (outside.isascii() or _digit_count(outside) < MIN_DIGITS):
        return []  # log lines: their digits are in tokens, keys and times
    # "&#8" is a reference in HTML and three characters in plain text: a number hidden in either
    # reading is found.
    readings = (True, False) if "&" in text else (True,)
    spans = sorted(span for html_too in readings for run in _digit_runs(text, html_too)
                   for span in _card_numbers(run))
    merged: list[tuple[int, int, str]] = []
    for start, end, last4 in spans:
        if merged and start < merged[-1][1]:  # overlapping readings: one mask over both
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end, last4)
        else:
            merged.append((start, end, last4))
    return merged


def _outside_identifiers(match: re.Match[str]) -> str:
    return match.group() if match.lastgroup == "reference" else " "


def _digit_count(text: str) -> int:
    return sum(char.isdigit() for char in normalize(text))


# A digit run: groups of digits, each a list of (ASCII digit, where it starts and ends in the text).
_Group = list[tuple[str, int, int]]


def _units(text: str, references: bool):
    """``(start, end, kinds)`` for each character, or identifier, date or (with ``references``)
    HTML reference, of ``text``."""
    index, special = 0, _SPECIAL.search(text)
    while index < len(text):
        if special is not None and special.start() == index:
            if references or special.lastgroup != "reference":
                kinds = ([kind for char in _unescaped(special.group()) for kind in _classify(char)]
                         if special.lastgroup == "reference" else [("break", "")])
                yield index, special.end(), kinds
                index, special = special.end(), _SPECIAL.search(text, special.end())
                continue
            special = _SPECIAL.search(text, index + 1)  # a reference read as plain text
        kinds = _classify(text[index])
        if kinds == [("break", "")] and _lone_letter(text, index):
            kinds = [("separator", "")]
        yield index, index + 1, kinds
        index += 1


def _lone_letter(text: str, index: int) -> bool:
    """Whether ``text[index]`` is a letter that reads as a mark between digits ("NNNNㅡNNNN",
    "NNNN一NNNN", "NNNNꞏNNNN"): one standing alone, outside the letters people write between
    numbers. ASCII letters ("2 x 12.50", "SKU 4038 B 5338"), CJK ideographs and Hangul
    syllables ("2026年11月29日 18時18分", "29일 18시") stay letters."""
    char = text[index]
    if char.isascii() or not char.isalpha() or _ideograph_or_syllable(char):
        return False
    return not any(0 <= near < len(text) and text[near].isalpha() for near in (index - 1, index + 1))


def _ideograph_or_syllable(char: str) -> bool:
    code = ord(char)
    # From U+4E01: "一" (U+4E00, "one") is drawn as a dash and never sits between digits as a unit.
    return (0x3400 <= code <= 0x4DBF or 0x4E01 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF
            or 0x20000 <= code <= 0x3FFFF or 0xAC00 <= code <= 0xD7A3)


def _unescaped(reference: str) -> str:
    for _ in range(4):  # "&amp;amp;nbsp;" is escaped three times over
        reference, before = html.unescape(reference), reference
        if reference == before:
            break
    return reference


def _digit_runs(text: str, references: bool) -> list[list[_Group]]:
    """Runs of digit groups joined by at most MAX_GAP separators; letters and identifiers end them."""
    runs: list[list[_Group]] = []
    run: list[_Group] = []
    group: _Group = []
    gap = 0

    def close_run() -> None:
        nonlocal run, group
        if group:
            run.append(group)
        if run:
            runs.append(run)
        run, group = [], []

    for start, end, kinds in _units(text, references):
        for kind, digit in kinds:
            if kind == "digit":
                group.append((digit, start, end))
                gap = 0
            elif kind == "separator":
                if group:
                    run.append(group)
                    group = []
                if run:
                    gap += 1
                    if gap > MAX_GAP:
                        close_run()
                        gap = 0
            else:
                close_run()
                gap = 0
    close_run()
    return runs


def _classify(char: str) -> list[tuple[str, str]]:
    """What a character of the original text is to a digit run: digits, separators, or a break.

    A symbol or punctuation mark is one separator whatever NFKC makes of it (``™`` is "TM"):
    the eye reads "4111™1111" as digits and a mark, not as a word.
    """
    if char.isascii():
        if "0" <= char <= "9":
            return [("digit", char)]
        return [("break", "")] if char.isalpha() else [("separator", "")]
    digit = unicodedata.decimal(char, None)
    if digit is not None:
        return [("digit", chr(48 + digit))]
    category = unicodedata.category(char)
    if category in _IGNORED_CATEGORIES or char in _INVISIBLE_LETTERS:
        return []
    if char in _MARK_LIKE_LETTERS:
        return [("separator", "")]
    if category not in _SEPARATOR_CATEGORIES and category != "No":
        return [("break", "")]
    # A mark that holds digits ("⒈" is "1.", "⑽" is "(10)") is those digits, as it reads.
    digits = [unicodedata.decimal(part) for part in unicodedata.normalize("NFKC", char) if part.isdecimal()]
    return [("digit", chr(48 + digit)) for digit in digits] if digits else [("separator", "")]


def _card_numbers(run: list[_Group]) -> list[tuple[int, int, str]]:
    """The spans of whole groups in one run that read as a card number, overlapping ones merged."""
    digits = "".join(digit for group in run for digit, _, _ in group)
    if len(digits) < MIN_DIGITS:
        return []
    starts = [0]  # where each group starts in ``digits``, and the end
    for group in run:
        starts.append(starts[-1] + len(group))
    check = luhn.Substrings(digits)
    reach = [-1] * len(run)  # the last group of the longest card-like span from each group
    for first in range(len(run)):
        for last in range(first, len(run)):
            begin, end = starts[first], starts[last + 1]
            if end - begin > MAX_DIGITS:
                break
            if end - begin >= MIN_DIGITS and check.is_valid(begin, end):
                reach[first] = last
    spans, index = [], 0
    while index < len(run):
        if reach[index] < 0:
            index += 1
            continue
        end, scan = reach[index], index
        while scan <= end:  # spans starting inside this one extend it
            end = max(end, reach[scan])
            scan += 1
        masked = digits[starts[index]:starts[end + 1]]
        spans.append((run[index][0][1], run[end][-1][2], masked[-4:]))
        index = end + 1
    return spans
