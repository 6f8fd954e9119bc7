"""How people write card numbers and expiry dates: the forms typed card input may take.

Pure: strings in, strings and numbers out; ``posapp.card`` decides what they mean. Every
pattern is anchored and bounded, so each costs time linear in its input.

>>> number_digits("１２３４\\t1234-1234 1234"), month_year("12.2029"), month_year("13")
('1234123412341234', (12, 2029), None)
"""

from __future__ import annotations

import re
import unicodedata

from posapp import luhn
from posapp.iin import LENGTHS, brand_of
from posapp.pan_detect import normalize

# Digits grouped as people type them: by 1-3 spaces or tabs (as the log's card-number detector
# finds them, pan_detect.MAX_GAP) or by one dash. Not by dots: "4242.4242" is an amount or a date.
TYPED_NUMBER = re.compile(r"\d+(?:(?:\s{1,3}|-)\d+)*")
# Month first, as printed on cards: joined by /, - or . (spaces around allowed) or by spaces,
# or written together (1229, 122029).
_MONTH_YEAR = re.compile(r"(\d{1,2})(?: ?[/.-] ?|\s{1,3})(\d{4}|\d{2})|(\d{2})(\d{4}|\d{2})")
# An expiry at the end of typed input: the last word, or the last two (month, year). Anchored at
# the end and bounded, each start costs O(1), so the search is linear ("(.*?)\s+" was quadratic).
LAST_WORD_EXPIRY = re.compile(r"\s(\d{1,2} ?[/.-] ?(?:\d{4}|\d{2})|\d{6}|\d{4})\Z")
LAST_WORDS_EXPIRY = re.compile(r"\s(\d{1,2}\s{1,3}(?:\d{4}|\d{2}))\Z")
# A last word with a slash in it is meant as an expiry, however malformed ("12/2", "13/29"):
# it is read as one, so that its reason names the expiry, not the card number.
_ODDLY_GROUPED = re.compile(r"(\d{1,19}(?:(?:[^\w\s-]|_)\d{1,19}){2,18})(?:\s{1,3}\S{1,8})?")
_LEADING_DIGITS = re.compile(r"\d{12,40}")
LAST_WORD_SLASHED = re.compile(r"\s(\S{0,8}/\S{0,8})\Z")


def typed(text: str) -> str:
    """``text`` as compared: :func:`posapp.pan_detect.normalize` (NFKC, ASCII digits, no format
    characters such as a byte-order mark), every dash (U+2010 hyphen, en dash…) made ``-``, stripped."""
    return "".join("-" if unicodedata.category(char) == "Pd" else char for char in normalize(text)).strip()


def number_digits(text: str) -> str | None:
    """The ASCII digits of a (grouped) typed number, or None if ``text`` is not one."""
    text = typed(text)
    return re.sub(r"\D", "", text) if TYPED_NUMBER.fullmatch(text) else None


def month_year(text: str) -> tuple[int, int] | None:
    """(month, year with century) of an expiry in one of the forms above; None if not one (never raises).

    Two-digit years are 20YY. The month is not checked here.
    """
    match = _MONTH_YEAR.fullmatch(typed(text))
    if not match:
        return None
    year = int(match[2] or match[4])
    return int(match[1] or match[3]), year + 2000 if year < 100 else year


def readings(text: str) -> list[tuple[str, str | None]]:
    """The ways to split typed input into (number, expiry text): whole (expiry None), then with an
    expiry at its end. Both parts are strings still to be parsed; nothing is validated."""
    text = typed(text)
    splits = [LAST_WORD_EXPIRY.search(text), LAST_WORDS_EXPIRY.search(text)]
    if not any(splits):
        splits.append(LAST_WORD_SLASHED.search(text))
    return [(text, None)] + [(text[:match.start()], match[1]) for match in splits if match]


def fits_its_brand(number: str) -> bool:
    """Whether ``number`` is a typed number of a length its brand issues (checksum not checked)."""
    digits = number_digits(number)
    brand = brand_of(digits) if digits else None
    return brand is not None and len(digits) in LENGTHS[brand]


def grouped_oddly(text: str) -> bool:
    """Whether ``text`` starts with 12 to 19 digits in three or more groups split by one mark each
    that is not a space or dash (``NNNN.NNNN.NNNN.NNNN``, ``NNNN_NNNN…``, ``NNNN·NNNN…``), perhaps
    followed by an expiry."""
    match = _ODDLY_GROUPED.fullmatch(typed(text))
    return match is not None and 12 <= sum(char.isdigit() for char in match[1]) <= 19


def expiry_run_in(text: str) -> bool:
    """Whether ``text`` is a valid card's number with an expiry run into it, with or without a
    mark between: ``<number>1229``, ``<number>12/29``, ``<number>/1229``."""
    digits = number_digits(text)
    if digits is not None:
        candidates = [(digits[:-extra], digits[-extra:]) for extra in (4, 6)]
    else:
        text = typed(text)
        leading = _LEADING_DIGITS.match(text) if len(text) <= 40 else None
        candidates = [(text[:end], text[end:].lstrip("/=,;:"))
                      for end in range(12, min(len(leading[0]), 19) + 1)] if leading else []
    return any(rest and month_year(rest) and _valid_card(number) for number, rest in candidates)


def _valid_card(number: str) -> bool:
    brand = brand_of(number)
    return brand is not None and len(number) in LENGTHS[brand] and luhn.is_valid(number)


def plain_number(text: str) -> bool:
    """Whether ``text`` is a typed number of 12 to 19 digits, the lengths of any PAN (ISO/IEC 7812)."""
    digits = number_digits(text)
    return digits is not None and 12 <= len(digits) <= 19
