"""Amounts and times the merchant's way: read and written by the locale's rules (Babel, CLDR
data), shown in the merchant's time zone. Stored values stay as they are: Money in minor
units, times in UTC.

An amount is never silently changed. ``10,50`` is ten fifty in de_DE and refused in en_US,
where the comma groups thousands and ``10,50`` is no way to write a number; no separator is
dropped, nothing is multiplied by 100, and a currency's minor units are ISO 4217's
(``posapp.money.EXPONENTS``), not CLDR's, which differ for some (HUF, COP).

>>> de = Localization.named("de_DE", "Europe/Berlin")
>>> de.parse_amount("1.234,56", "EUR")
Money(minor=123456, currency='EUR')
>>> de.amount(Money(1050, "EUR"))
'10,50\\xa0€'
"""

from __future__ import annotations

import copy
import datetime
import decimal
import logging
import re
import unicodedata
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from babel import numbers as babel_numbers

from posapp.errors import ConfigError
from posapp.money import InvalidAmount, Money, exponent

FALLBACK_LOCALE = "en_US"
FALLBACK_ZONE = "UTC"
# Separators people type in place of the ones CLDR writes: an ordinary space for a no-break
# space (fr_FR groups with U+202F), a straight apostrophe for a curly one (de_CH).
log = logging.getLogger(__name__)
_TYPED_FOR = {"\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2019": "'"}
_CODE_BESIDE_DIGIT = re.compile(r"(?<=[A-Z]{3})(?=\d)|(?<=\d)(?=[A-Z]{3})")
_SEPARATOR_NAMES = {".": "a dot", ",": "a comma", "'": "an apostrophe", "\u2019": "an apostrophe",
                    "\u00a0": "a space", "\u202f": "a space", " ": "a space"}


@dataclass(frozen=True)
class Localization:
    """How amounts and times read for one merchant: ``locale`` (Babel) and ``zone`` (IANA)."""

    locale: Locale
    zone: ZoneInfo

    @classmethod
    def named(cls, locale: str | None, zone: str | None) -> Localization:
        """The localization of ``locale`` ("de_DE") and ``zone`` ("Europe/Berlin"); None for
        either takes the system's (LC_ALL, LC_MONETARY, LANG; the system's zone), falling back
        to en_US and UTC. Raises ConfigError for a name nobody knows."""
        return cls(locale_named(locale or system_locale()), zone_named(zone or system_zone()))

    # -- amounts -------------------------------------------------------------------------

    @property
    def decimal_symbol(self) -> str:
        """The character this locale writes before the decimals ("," in de_DE)."""
        return babel_numbers.get_decimal_symbol(self.locale)

    @property
    def group_symbol(self) -> str:
        """The character this locale groups thousands with ("." in de_DE, U+202F in fr_FR)."""
        return babel_numbers.get_group_symbol(self.locale)

    def parse_amount(self, text: str, currency: str) -> Money:
        """``text`` as this locale writes a number ("1.234,56" in de_DE), as Money in ``currency``
        (an ISO 4217 code). Thousands separators must stand where the locale puts them.

        Raises InvalidAmount with a sentence that shows how to write it, never repeating the
        text (it may be a card number typed into the wrong field): for a separator in the wrong
        place or the other locale's, a sign, letters or symbols, more decimals than the currency
        has, zero, or more than one sale may be."""
        currency = currency.strip().upper()
        exponent(currency)  # an unknown currency is the first thing to say
        typed = unicodedata.normalize("NFKC", text).strip()  # full-width digits (ja_JP IMEs) as digits
        if typed.startswith("-"):
            raise InvalidAmount("The amount must be more than zero")
        decimal_symbol = self.decimal_symbol
        group_symbol = _TYPED_FOR.get(self.group_symbol, self.group_symbol)
        typed = "".join(_TYPED_FOR.get(char, char) if _TYPED_FOR.get(char) == group_symbol else char
                        for char in typed)
        if not typed or any(not (char.isdecimal() and char.isascii()) and char not in (decimal_symbol, group_symbol)
                            for char in typed) or not any(char.isdecimal() for char in typed):
            raise InvalidAmount(self._how_to_write(currency))
        whole, _, fraction = typed.partition(decimal_symbol)
        if decimal_symbol in fraction or group_symbol in fraction or not _grouped_right(whole, group_symbol):
            raise InvalidAmount(self._how_to_write(currency))
        digits, fraction = whole.replace(group_symbol, "") or "0", fraction.rstrip("0")
        # Trailing zeros say nothing: "1.500,00" is a whole number of yen.
        return Money.parse(f"{digits}.{fraction}" if fraction else digits, currency)

    def _how_to_write(self, currency: str) -> str:
        example = self.amount_number(Money(123456 * 10 ** exponent(currency) // 100, currency))
        places = exponent(currency)
        if places == 0:
            return f"Write the amount with digits only, like {example}"
        name = _SEPARATOR_NAMES.get(self.decimal_symbol, f"“{self.decimal_symbol}”")
        # The example is in the merchant's locale: a cashier reads "1.234,56", not "de_DE".
        return f"Write the amount with {name} before the decimals, like {example}"

    def amount_number(self, money: Money) -> str:
        """The amount alone, grouped, with the currency's ISO 4217 decimals: "1.234,56" in de_DE."""
        places = exponent(money.currency)
        pattern = copy.copy(self.locale.decimal_formats[None])
        pattern.frac_prec = (places, places)
        return pattern.apply(_value(money), self.locale)

    def amount(self, money: Money) -> str:
        """The amount with its currency, as the locale writes prices: "10,50 €" in de_DE, "€10.50"
        in en_US; always the currency's ISO 4217 decimals (CLDR shows no fils for HUF)."""
        places = exponent(money.currency)
        pattern = copy.copy(self.locale.currency_formats["standard"])
        pattern.frac_prec = (places, places)
        written = pattern.apply(_value(money), self.locale, currency=money.currency, currency_digits=False)
        # CLDR's currency spacing, which Babel leaves out: "BHD 1.234", not "BHD1.234".
        return _CODE_BESIDE_DIGIT.sub("\xa0", written)

    def total(self, minor: int, currency: str) -> str:
        """A sum of amounts (a day's takings: zero, negative for money given back, or more than one
        sale may be), written as :meth:`amount` writes one: "-1.234,50 €" in de_DE. Raises
        InvalidAmount for a currency that is not ISO 4217's."""
        places = exponent(currency)
        pattern = copy.copy(self.locale.currency_formats["standard"])
        pattern.frac_prec = (places, places)
        written = pattern.apply(decimal.Decimal(minor).scaleb(-places), self.locale, currency=currency,
                                currency_digits=False)
        return _CODE_BESIDE_DIGIT.sub("\xa0", written)  # as amount() spaces a currency code

    # -- times ---------------------------------------------------------------------------

    def local(self, moment: datetime.datetime) -> datetime.datetime:
        """``moment`` (timezone-aware) in the merchant's zone; ValueError for a naive one."""
        if moment.utcoffset() is None:
            raise ValueError(f"a naive datetime cannot be shown in {self.zone.key}")
        return moment.astimezone(self.zone)

    def time(self, moment: datetime.datetime, *, seconds: bool = False) -> str:
        """``moment`` in the merchant's zone, sortable: "2026-11-29 15:05" (or with seconds)."""
        return self.local(moment).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")

    def long_time(self, moment: datetime.datetime) -> str:
        """``moment`` to the second in the merchant's zone, with the zone's abbreviation, for
        receipts and reports: "2026-11-29 15:05:09 CET". Not the locale's own form: en_US's
        "Jul 17, 2025, 11:14:58 AM" holds 12 digits that pass the card-number check about one
        time in 70, and a document holding them would be refused."""
        return f"{self.time(moment, seconds=True)} {self.local(moment).tzname()}"

    def business_day(self, day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
        """The UTC start and end (exclusive) of ``day`` in the merchant's zone: 23 or 25 hours long
        on the days clocks change."""
        start = datetime.datetime.combine(day, datetime.time(), self.zone)
        end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(), self.zone)
        return start.astimezone(datetime.timezone.utc), end.astimezone(datetime.timezone.utc)

    def today(self, now: datetime.datetime) -> datetime.date:
        """The merchant's business day at ``now`` (timezone-aware)."""
        return self.local(now).date()


def _value(money: Money) -> decimal.Decimal:
    return decimal.Decimal(money.minor).scaleb(-exponent(money.currency))


def _grouped_right(whole: str, group_symbol: str) -> bool:
    """Whether the whole part has no group separator, or one every 3 digits from the right (the
    grouping of every locale posapp is tried with; Indian 2-digit groups are refused)."""
    if group_symbol not in whole:
        return True
    first, *rest = whole.split(group_symbol)
    return 1 <= len(first) <= 3 and all(len(group) == 3 for group in rest)


def locale_named(name: str) -> Locale:
    """The Babel locale called ``name`` ("de_DE", "de-DE"); ConfigError for an unknown one."""
    try:
        return Locale.parse(name.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        raise ConfigError(f"unknown locale {name!r}: use a language and country code, like de_DE or en_US") from None


def zone_named(name: str) -> ZoneInfo:
    """The IANA time zone called ``name`` ("Europe/Berlin"); ConfigError for an unknown one."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"unknown time zone {name!r}: use an IANA name, like Europe/Berlin") from None


def system_locale() -> str:
    """The locale the system's environment names for money (LC_ALL, LC_MONETARY, LANG), or en_US
    where it names none or only "C"/"POSIX"."""
    from babel.core import default_locale

    found = default_locale(("LC_ALL", "LC_MONETARY", "LANG"))
    return found if found and not found.endswith("_POSIX") else FALLBACK_LOCALE


def system_zone() -> str:
    """The IANA name of the system's time zone (tzlocal), or UTC where it has none."""
    import tzlocal

    try:
        return tzlocal.get_localzone_name() or FALLBACK_ZONE
    except Exception as error:  # tzlocal's own errors, for a broken /etc/localtime or TZ
        log.warning("the system's time zone is unreadable (%s): times are shown in UTC", error)
        return FALLBACK_ZONE
