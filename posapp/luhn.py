"""The Luhn (mod 10) check digit of payment card numbers, ISO/IEC 7812-1 annex B.

Pure: strings of ASCII digits in, numbers and booleans out; it imports nothing from posapp.

>>> checksum("4242424242424242")
0
>>> is_valid("4242424242424241")
False
>>> check_digit("424242424242424")
'2'
"""

from __future__ import annotations

# What a digit adds when it is doubled: 2·d, less 9 when that has two digits.
_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)


def checksum(digits: str) -> int:
    """The Luhn sum of ``digits`` mod 10; 0 for a valid number. Raises ValueError on a non-digit."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        if not "0" <= char <= "9":
            raise ValueError("the Luhn check takes ASCII digits only")
        value = ord(char) - 48
        total += _DOUBLED[value] if position % 2 else value
    return total % 10


def is_valid(digits: str) -> bool:
    """Whether ``digits`` (ASCII digits, at least two) pass the Luhn check."""
    try:
        return len(digits) > 1 and checksum(digits) == 0
    except ValueError:
        return False


def check_digit(body: str) -> str:
    """The digit that, appended to ``body``, makes a Luhn-valid number."""
    return str((10 - checksum(body + "0")) % 10)
