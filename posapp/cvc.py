"""The card verification code (CVC2, CVV2; CID on American Express): kept in memory for one
authorisation and never anywhere else. PCI DSS v4.0 3.3.1.2 and 3.3.2: it is not stored after
authorisation, not even encrypted. Pure: imports only posapp's card brands and error tree.

>>> Cvc.parse("123", Brand.VISA)
<Cvc •••>
"""

from __future__ import annotations

import re

from posapp.card import Brand
from posapp.errors import InvalidInput

# A typed card line whose expiry is followed by one more word: that word is the code. A swipe
# starts with a track sentinel (% or ;) and holds no code.
_TYPED_WITH_CODE = re.compile(r"(?P<card>[^%;]*\d\s*/\s*\d{2}(?:\d{2})?)\s+(?P<code>\S+)\s*")
# Digits of the code by brand: American Express prints 4 on the front, the others 3 on the back.
_LENGTHS = {Brand.AMEX: 4}


class InvalidCvc(InvalidInput):
    """The verification code is not the brand's number of digits; the message never holds it
    and, like every card check, says what is wrong with what was typed (never "refused")."""


class Cvc:
    """A checked verification code that never shows its digits (``str``, ``repr``, pickling)."""

    __slots__ = ("_digits",)

    def __init__(self, digits: str):
        # Use Cvc.parse(); this constructor trusts its caller.
        object.__setattr__(self, "_digits", digits)

    @classmethod
    def parse(cls, text: str, brand: Brand) -> Cvc:
        """``text``: the brand's number of ASCII digits (4 for AMEX, else 3), spaces around allowed.
        Raises InvalidCvc, whose sentence says how many digits and where they are printed."""
        digits = text.strip()
        wanted = _LENGTHS.get(brand, 3)
        if not (len(digits) == wanted and digits.isascii() and digits.isdigit()):
            where = "on the front of the card" if brand is Brand.AMEX else "on the back of the card"
            raise InvalidCvc(f"The {brand.value} verification code is {wanted} digits, printed {where}")
        return cls(digits)

    def reveal(self) -> str:
        """The digits, for the one request that sends them to the processor."""
        return self._digits

    def __str__(self) -> str:
        return "•" * len(self._digits)

    def __repr__(self) -> str:
        return f"<Cvc {self}>"

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Cvc is immutable")

    def __reduce_ex__(self, protocol: object) -> object:
        raise TypeError("a card verification code cannot be pickled or copied out of process memory")

    def __copy__(self) -> Cvc:
        return self

    def __deepcopy__(self, memo: object) -> Cvc:
        return self


def split_cvc(text: str) -> tuple[str, str | None]:
    """``text`` (one typed card line, ``PAN MM/YY [CVC]``, or a swipe) as the card part and the
    verification code typed after the expiry (None: none typed). Never raises; the parts are
    checked by their parsers."""
    match = _TYPED_WITH_CODE.fullmatch(text)
    if match is None:
        return text, None
    return match["card"], match["code"]
