"""Hypothesis strategies for card numbers written every way a person, a keyboard or an attacker can."""

import sys
import unicodedata

from hypothesis import strategies as st

from posapp import luhn

# The zero of every Unicode decimal digit set this Python knows (ASCII, full-width, Arabic-Indic, …).
ZEROS = [chr(code) for code in range(sys.maxunicode + 1)
         if unicodedata.category(chr(code)) == "Nd" and unicodedata.decimal(chr(code)) == 0]
# Digits that are not decimal digits but that NFKC makes ASCII: superscripts, circled, full stops.
COMPATIBILITY_DIGITS = {"1": "¹①⒈", "2": "²②⒉", "3": "³③", "4": "⁴④", "0": "⁰⓪", "9": "⁹⑨₉"}
SEPARATOR_CATEGORIES = ("Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Sm", "Sc", "Sk", "So", "Zs", "Zl", "Zp", "Cc")


# Marks that hold no digit of their own ("㍪" is "18点" after NFKC, and reads as digits).
separators = st.characters(categories=SEPARATOR_CATEGORIES).filter(
    lambda char: not any(part.isdigit() for part in unicodedata.normalize("NFKC", char)))


@st.composite
def pans(draw):
    length = draw(st.integers(12, 19))
    body = draw(st.text(alphabet="0123456789", min_size=length - 1, max_size=length - 1))
    return body + luhn.check_digit(body)


@st.composite
def written(draw, pan):
    """``pan`` as a person, a keyboard or an attacker might write it."""
    pieces = []
    for position, digit in enumerate(pan):
        style = draw(st.sampled_from(["ascii", "script", "compatibility"]))
        if style == "script":
            digit = chr(ord(draw(st.sampled_from(ZEROS))) + int(digit))
        elif style == "compatibility" and digit in COMPATIBILITY_DIGITS:
            digit = draw(st.sampled_from(COMPATIBILITY_DIGITS[digit]))
        pieces.append(digit)
        pieces.append(draw(st.text(st.characters(categories=("Cf", "Mn")), max_size=2)))  # invisible
        if position < len(pan) - 1 and draw(st.booleans()):
            pieces.append(draw(st.text(separators, min_size=1, max_size=3)))
    return "".join(pieces)
