"""The Luhn (mod 10) check digit of payment card numbers, ISO/IEC 7812-1 annex B.

Pure: strings of ASCII digits in, numbers and booleans out; it imports nothing from posapp.

The examples are the textbook number 79927398713, too short to be a card's.

>>> checksum("79927398713")
0
>>> is_valid("79927398710")
False
>>> check_digit("7992739871")
'3'
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
    """The digit that, appended to ``body``, makes a Luhn-valid number. Raises ValueError on a non-digit."""
    return str((10 - checksum(body + "0")) % 10)


class Substrings:
    """The Luhn check of any substring of one digit string in constant time.

    For scanning text: a run of n digits has about 8·n substrings of card length, and
    checking each from scratch would cost 19 times more. Building one raises ValueError if
    ``digits`` holds anything but ASCII digits.

    >>> digits = Substrings("5180")
    >>> digits.is_valid(1, 3), digits.is_valid(0, 3)
    (True, False)
    """

    __slots__ = ("_sums",)

    def __init__(self, digits: str):
        # Prefix sums twice over: doubling the digits at even positions, or at odd ones.
        sums: tuple[list[int], list[int]] = ([0], [0])
        for position, char in enumerate(digits):
            value = ord(char) - 48
            if not 0 <= value <= 9:
                raise ValueError("the Luhn check takes ASCII digits only")
            sums[0].append(sums[0][-1] + (_DOUBLED[value] if position % 2 == 0 else value))
            sums[1].append(sums[1][-1] + (value if position % 2 == 0 else _DOUBLED[value]))
        self._sums = sums

    def is_valid(self, begin: int, end: int) -> bool:
        """Whether ``digits[begin:end]`` passes the check."""
        # From the right, every second digit is doubled: those with the parity of ``end``.
        sums = self._sums[end % 2]
        return end - begin > 1 and (sums[end] - sums[begin]) % 10 == 0
