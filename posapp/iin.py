"""Card brands by issuer identification number (IIN): the ranges and PAN lengths posapp accepts.

Pure: it imports nothing from posapp.

Sources, read 2026-11-29. The networks' rulebooks are not public; the ranges are those the networks
announced and the major processors' libraries apply, compared range by range:

- ISO/IEC 7812-1:2017: a PAN has at most 19 digits, the last one a Luhn check digit.
- Mastercard's 2-series: 222100-272099, processed like 510000-559999, issued from January 2017
  (Mastercard's announcement to acquirers, 2016).
- Discover Global Network's IIN ranges as Oracle Hospitality lists them ("List of Standard U.S.
  Credit Card Preambles", docs.oracle.com/cd/E66669_01/doc.28/e66799): Discover 6011, 644-649, 65;
  Diners Club 300-305, 3095, 36, 38-39; UnionPay routed by Discover 622126-622925, 624-626, 6282-6288.
- Braintree ``credit-card-type`` 10.3.0 (``src/lib/card-types.ts``, released 2026-06-30), Stripe
  Android ``CardBrand.kt`` and Perl ``Business::CreditCard`` 0.37: Maestro 50, 56-59 and the rest of
  6, the 493698 BIN, UnionPay 8100-8171, and the lengths below.

>>> brand_of("677179"), brand_of("622126")
(<Brand.MAESTRO: 'MAESTRO'>, <Brand.UNIONPAY: 'UNIONPAY'>)
"""

from __future__ import annotations

import enum


class Brand(enum.Enum):
    """A card network; the value (name and value alike) is what orders store and receipts show."""

    VISA = "VISA"
    MASTERCARD = "MASTERCARD"
    AMEX = "AMEX"
    DISCOVER = "DISCOVER"
    JCB = "JCB"
    DINERS = "DINERS"
    UNIONPAY = "UNIONPAY"
    MAESTRO = "MAESTRO"


# (low prefix, high prefix, brand): a number belongs to the range whose prefix of its length
# holds the number's first digits; the longest (most specific) matching range wins, so that
# "6" (Maestro) yields to "6011" (Discover) and "62" (UnionPay).
IIN_RANGES: tuple[tuple[str, str, Brand], ...] = (
    ("4", "4", Brand.VISA),
    ("493698", "493698", Brand.MAESTRO),  # a Maestro BIN inside Visa's 4 (credit-card-type)
    ("51", "55", Brand.MASTERCARD),
    ("2221", "2720", Brand.MASTERCARD),
    ("34", "34", Brand.AMEX),
    ("37", "37", Brand.AMEX),
    ("6011", "6011", Brand.DISCOVER),
    ("644", "649", Brand.DISCOVER),
    ("65", "65", Brand.DISCOVER),
    ("3528", "3589", Brand.JCB),
    ("300", "305", Brand.DINERS),
    ("3095", "3095", Brand.DINERS),
    ("36", "36", Brand.DINERS),
    ("38", "39", Brand.DINERS),
    # All of 62 is UnionPay, its co-branded 622126-622925, 624-626 and 6282-6288 included:
    # Discover only routes those (in the US, under its reciprocal agreement with UnionPay); the
    # card bears the UnionPay mark, which is what the cashier sees and the receipt must name.
    # Braintree's and Stripe's tables say UNIONPAY for them too.
    ("62", "62", Brand.UNIONPAY),
    ("8100", "8171", Brand.UNIONPAY),
    ("50", "50", Brand.MAESTRO),
    ("56", "59", Brand.MAESTRO),
    ("6", "6", Brand.MAESTRO),
)

# PAN lengths each brand issues, as in credit-card-type 10.3.0 (Diners 14 in 36, 16 or 19 elsewhere,
# as Stripe's table has it too), except: Visa keeps 13 (older cards; Visa still publishes a
# 13-digit test card) and leaves out 18, which no other table lists; Discover and UnionPay take 16 to 19,
# as Business::CreditCard and the Discover table do.
LENGTHS: dict[Brand, frozenset[int]] = {
    Brand.VISA: frozenset({13, 16, 19}),
    Brand.MASTERCARD: frozenset({16}),
    Brand.AMEX: frozenset({15}),
    Brand.DISCOVER: frozenset(range(16, 20)),
    Brand.JCB: frozenset(range(16, 20)),
    Brand.DINERS: frozenset({14, 16, 19}),
    Brand.UNIONPAY: frozenset(range(16, 20)),
    Brand.MAESTRO: frozenset(range(12, 20)),
}


def brand_of(digits: str) -> Brand | None:
    """The brand whose most specific IIN range holds these leading ASCII digits, if any.

    Works on a number being typed too: ``brand_of("37")`` is AMEX.
    """
    best: tuple[int, Brand] | None = None
    for low, high, brand in IIN_RANGES:
        prefix = digits[: len(low)]
        if len(prefix) == len(low) and low <= prefix <= high and (best is None or len(low) > best[0]):
            best = (len(low), brand)
    return best[1] if best else None


def lengths_text(brand: Brand) -> str:
    """The brand's PAN lengths as a cashier reads them: ``"16 to 19"``, ``"13, 16 or 19"``."""
    lengths = sorted(LENGTHS[brand])
    if len(lengths) > 2 and lengths == list(range(lengths[0], lengths[-1] + 1)):
        return f"{lengths[0]} to {lengths[-1]}"
    if len(lengths) == 1:
        return str(lengths[0])
    return ", ".join(map(str, lengths[:-1])) + f" or {lengths[-1]}"
