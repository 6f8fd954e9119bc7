"""Money as integer minor units and an ISO 4217 currency. Pure: imports only posapp's error tree.

>>> Money.parse("12.34", "USD")
Money(minor=1234, currency='USD')
>>> str(Money.parse("1500", "JPY"))
'1500 JPY'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from posapp.errors import InvalidInput

# ISO 4217 currencies posapp accepts, with their number of minor-unit digits ("minor unit"
# column). Source: ISO 4217 List One (Table A.1, current currency and funds), as published by
# its maintenance agency SIX on 2026-01-01 (list-one.xml); read 2026-11-29.
EXPONENTS: dict[str, int] = {
    "AED": 2, "AUD": 2, "BGN": 2, "BHD": 3, "BRL": 2, "CAD": 2, "CHF": 2, "CLP": 0,
    "CNY": 2, "COP": 2, "CZK": 2, "DKK": 2, "EGP": 2, "EUR": 2, "GBP": 2, "HKD": 2,
    "HUF": 2, "ILS": 2, "INR": 2, "ISK": 0, "JOD": 3, "JPY": 0, "KRW": 0, "KWD": 3,
    "MAD": 2, "MXN": 2, "MYR": 2, "NOK": 2, "NZD": 2, "OMR": 3, "PHP": 2, "PLN": 2,
    "QAR": 2, "RON": 2, "SAR": 2, "SEK": 2, "SGD": 2, "THB": 2, "TND": 3, "TRY": 2,
    "TWD": 2, "UAH": 2, "USD": 2, "VND": 0, "ZAR": 2,
}

# One sale above this many major units is taken for a typing mistake.
MAX_MAJOR_UNITS = 1_000_000

_AMOUNT = re.compile(r"(?P<whole>\d+)(?:\.(?P<fraction>\d+))?", re.ASCII)


class InvalidAmount(InvalidInput):
    """An amount or currency cannot be taken; the message says what is wrong with what was typed, in one
    sentence and never as "refused", which a cashier reads as the bank's answer."""


@dataclass(frozen=True, order=True)
class Money:
    """A positive amount: ``minor`` units (cents, pence; yen for JPY) of ``currency``, an
    accepted ISO 4217 code. Raises InvalidAmount when built from anything else."""

    minor: int
    currency: str

    def __post_init__(self) -> None:
        exponent(self.currency)
        if self.minor <= 0:
            raise InvalidAmount("The amount must be more than zero")
        if self.minor > MAX_MAJOR_UNITS * 10 ** exponent(self.currency):
            raise InvalidAmount(f"The amount is too large: one sale is at most {MAX_MAJOR_UNITS:,} {self.currency}")

    @classmethod
    def parse(cls, text: str, currency: str = "USD") -> Money:
        """``text``, ASCII digits with at most one dot and at most the currency's decimals
        ("12.34"), in ``currency``. Raises InvalidAmount with a sentence that never repeats
        the text (it may be a card number typed into the wrong field)."""
        currency = currency.strip().upper()
        places = exponent(currency)
        text = text.strip()
        if text.startswith("-"):
            raise InvalidAmount("The amount must be more than zero")
        match = _AMOUNT.fullmatch(text)
        if not match:
            # The input is not echoed: a card number typed into the wrong field must not be shown.
            raise InvalidAmount("Write the amount with digits and a dot, like 12.34")
        fraction = match["fraction"] or ""
        if len(fraction) > places:
            allowed = "no decimals" if places == 0 else f"at most {places} decimals"
            raise InvalidAmount(f"{currency} amounts have {allowed}")
        whole = match["whole"].lstrip("0") or "0"
        if len(whole) > len(str(MAX_MAJOR_UNITS)):
            raise InvalidAmount(f"The amount is too large: one sale is at most {MAX_MAJOR_UNITS:,} {currency}")
        return cls(int(whole) * 10**places + int(fraction.ljust(places, "0") or 0), currency)

    @property
    def amount_text(self) -> str:
        """The amount alone, with exactly the currency's decimals: ``12.30``."""
        places = exponent(self.currency)
        if places == 0:
            return str(self.minor)
        whole, fraction = divmod(self.minor, 10**places)
        return f"{whole}.{fraction:0{places}d}"

    def __str__(self) -> str:
        return f"{self.amount_text} {self.currency}"


def exponent(currency: str) -> int:
    """Minor-unit digits of an accepted ISO 4217 currency code (``EXPONENTS``); raises
    InvalidAmount for any other code."""
    try:
        return EXPONENTS[currency]
    except KeyError:
        shown = f" {currency!r}" if currency.isalpha() and len(currency) <= 3 else ""
        raise InvalidAmount(f"unknown currency{shown}: use an ISO 4217 code such as USD or EUR") from None
