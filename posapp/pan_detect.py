"""Finding card numbers in free text, however they are written.

One detector for every check of free text (order name, description, search, settings,
file names, identifiers, error messages, rows on their way out) and for log redaction.
It finds a Luhn-valid run of 12 to 19 digits written in any of the ways a person, a
keyboard or an attacker can write one:

- any Unicode decimal digits, and anything NFKC turns into them (full-width ``４``,
  superscript ``²``, circled ``①``, Arabic-Indic ``٤``);
- groups joined by up to :data:`MAX_GAP` separators each: punctuation, symbols, spaces of
  any kind (NBSP, ideographic space) and control characters (tab, newline, NUL);
- invisible format characters (zero-width space U+200B, byte-order mark U+FEFF, soft
  hyphen) and combining marks are ignored, as the eye ignores them.

Letters end a run. The one exception is identifiers: a UUID (every posapp token and
generated key is one) is never read as a card number, so its digits are never masked.

Pure: it imports nothing from posapp.

>>> contains_pan("card 4111.1111.1111.1111")
True
>>> redact("paid with 4111\u00a01111\u200b1111 1111, thanks")
'paid with •••• 1111, thanks'
>>> contains_pan("sale 3f0c1a2e-4111-4111-8111-111111111111")
False
"""

from __future__ import annotations

import re
import unicodedata

from posapp import luhn

MASK = "••••"
MIN_DIGITS, MAX_DIGITS = 12, 19  # ISO/IEC 7812-1 PAN lengths
MAX_GAP = 3  # separators between two groups of one number: "4111 - 1111", "4111.-.1111"

_UUID = re.compile(r"(?<![0-9A-Za-z])[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}(?![0-9A-Za-z])")
_ASCII_DIGIT = re.compile(r"[0-9]")
# Categories of characters that keep a digit run going (after NFKC).
_SEPARATOR_CATEGORIES = frozenset({"Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Sm", "Sc", "Sk", "So",
                                   "Zs", "Zl", "Zp", "Cc"})
_IGNORED_CATEGORIES = frozenset({"Cf", "Mn", "Mc", "Me"})


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
