"""Amounts read and written the merchant's way: what each locale accepts, what it refuses and
says, and that an accepted amount is always exactly what was typed (never a dropped separator,
never ×100)."""

import datetime
import doctest
from decimal import Decimal

import pytest
from babel.numbers import format_decimal
from hypothesis import given
from hypothesis import strategies as st

import posapp.localization
from posapp.errors import ConfigError
from posapp.localization import Localization
from posapp.money import EXPONENTS, InvalidAmount, Money
from posapp.pan_detect import contains_pan

LOCALES = ["de_DE", "en_US", "fr_CH", "ja_JP", "fr_FR", "de_CH"]


def loc(name: str, zone: str = "UTC") -> Localization:
    return Localization.named(name, zone)


@pytest.mark.parametrize(("locale", "typed", "currency", "minor"), [
    ("de_DE", "10,50", "EUR", 1050),
    ("de_DE", "1.234,56", "EUR", 123456),
    ("de_DE", "1234,56", "EUR", 123456),
    ("de_DE", "1.234", "EUR", 123400),
    ("de_DE", "0,99", "EUR", 99),
    ("de_DE", ",50", "EUR", 50),
    ("de_DE", " 7 ", "EUR", 700),
    ("en_US", "10.50", "USD", 1050),
    ("en_US", "1,234.56", "USD", 123456),
    ("en_US", "1,050", "USD", 105000),
    ("en_US", "12", "USD", 1200),
    ("fr_CH", "10,50", "CHF", 1050),
    ("fr_CH", "1'234,50", "CHF", 123450),
    ("fr_CH", "1’234,50", "CHF", 123450),  # the curly apostrophe some keyboards type
    ("de_CH", "1'234.50", "CHF", 123450),
    ("fr_FR", "1 234,56", "EUR", 123456),  # a typed space for CLDR's narrow no-break space
    ("fr_FR", "1\u202f234,56", "EUR", 123456),
    ("fr_FR", "1\u00a0234,56", "EUR", 123456),
    ("ja_JP", "1500", "JPY", 1500),
    ("ja_JP", "1,500", "JPY", 1500),
    ("ja_JP", "１，５００", "JPY", 1500),  # full-width, as a Japanese input method types it
    ("ja_JP", "1500.00", "JPY", 1500),
    ("ja_JP", "10.50", "USD", 1050),
    ("en_US", "1.234", "BHD", 1234),
])
def test_each_locale_reads_its_own_writing(locale, typed, currency, minor):
    assert loc(locale).parse_amount(typed, currency) == Money(minor, currency)


@pytest.mark.parametrize(("locale", "typed", "currency", "reason"), [
    ("en_US", "10,50", "EUR", "Write the amount with a dot before the decimals, like 1,234.56"),
    ("en_US", "1.234,56", "EUR", "Write the amount with a dot before the decimals, like 1,234.56"),
    ("en_US", "1,23,456.00", "USD", "Write the amount with a dot before the decimals, like 1,234.56"),
    ("de_DE", "10.50", "EUR", "Write the amount with a comma before the decimals, like 1.234,56"),
    ("de_DE", "1,234.56", "EUR", "Write the amount with a comma before the decimals, like 1.234,56"),
    ("de_DE", "10,5,0", "EUR", "Write the amount with a comma before the decimals, like 1.234,56"),
    ("de_DE", "10 €", "EUR", "Write the amount with a comma before the decimals, like 1.234,56"),
    ("de_DE", "1e3", "EUR", "Write the amount with a comma before the decimals, like 1.234,56"),
    ("de_DE", "NaN", "EUR", "Write the amount with a comma before the decimals, like 1.234,56"),
    ("de_DE", "", "EUR", "Write the amount with a comma before the decimals, like 1.234,56"),
    ("de_DE", "10,505", "EUR", "EUR amounts have at most 2 decimals"),
    ("fr_CH", "10.50", "CHF", "Write the amount with a comma before the decimals, like 1'234,56"),
    ("fr_CH", "1 234,50", "CHF", "Write the amount with a comma before the decimals, like 1'234,56"),
    ("ja_JP", "10,50", "USD", "Write the amount with a dot before the decimals, like 1,234.56"),
    ("ja_JP", "1500.5", "JPY", "JPY amounts have no decimals"),
    ("ja_JP", "1.500", "JPY", "JPY amounts have no decimals"),
    ("ja_JP", "15,00", "JPY", "Write the amount with digits only, like 1,234"),
    ("ja_JP", "٣", "JPY", "Write the amount with digits only, like 1,234"),  # Arabic-Indic digit
    ("en_US", "-5", "USD", "The amount must be more than zero"),
    ("de_DE", "0,00", "EUR", "The amount must be more than zero"),
    ("en_US", "10000000", "USD", "The amount is too large: one sale is at most 1,000,000 USD"),
    ("en_US", "10.50", "XYZ", "unknown currency 'XYZ': use an ISO 4217 code such as USD or EUR"),
])
def test_anything_else_is_refused_with_a_sentence_that_shows_how(locale, typed, currency, reason):
    with pytest.raises(InvalidAmount) as refused:
        loc(locale).parse_amount(typed, currency)
    assert str(refused.value) == reason


@pytest.mark.parametrize("locale", LOCALES)
@given(text=st.text(alphabet="0123456789.,' \u00a0\u202f\u2019٫-e", max_size=14))
def test_an_accepted_amount_is_exactly_the_number_typed(locale, text):
    """Whatever is typed: either refused, or the value the locale's own rules give it (no
    separator dropped, nothing multiplied)."""
    localization = loc(locale)
    try:
        money = localization.parse_amount(text, "USD")
    except InvalidAmount as error:
        assert str(error)
        if sum(char.isdigit() for char in text) >= 5:
            assert text.strip() not in str(error)  # never echoed: it may be a card number
        return
    written = text.strip()
    group = localization.group_symbol
    spaces = {" ", "\u00a0", "\u202f"} if group in ("\u00a0", "\u202f") else set()
    quotes = {"'", "\u2019"} if group in ("'", "\u2019") else set()
    plain = "".join("" if char == group or char in spaces | quotes else char for char in written)
    expected = Decimal("0" + plain.replace(localization.decimal_symbol, ".").rstrip("."))
    assert Decimal(money.minor) / 100 == expected


@pytest.mark.parametrize("locale", LOCALES)
@given(minor=st.integers(min_value=1, max_value=100_000_000), currency=st.sampled_from(["EUR", "JPY", "BHD"]))
def test_what_posapp_writes_it_reads_back(locale, minor, currency):
    localization = loc(locale)
    money = Money(min(minor, 1_000_000 * 10 ** EXPONENTS[currency]), currency)
    assert localization.parse_amount(localization.amount_number(money), currency) == money
    plain = format_decimal(Decimal(money.minor).scaleb(-EXPONENTS[currency]), locale=locale, group_separator=False,
                           decimal_quantization=False)
    assert localization.parse_amount(plain, currency) == money


@pytest.mark.parametrize(("locale", "money", "written"), [
    ("de_DE", Money(1050, "EUR"), "10,50\xa0€"),
    ("en_US", Money(1050, "EUR"), "€10.50"),
    ("en_US", Money(123456, "USD"), "$1,234.56"),
    ("fr_CH", Money(123450, "CHF"), "1'234,50\xa0CHF"),
    ("ja_JP", Money(1500, "JPY"), "￥1,500"),
    ("de_DE", Money(1050, "HUF"), "10,50\xa0HUF"),  # ISO 4217's 2 decimals, where CLDR shows none
    ("en_US", Money(1234, "BHD"), "BHD\xa01.234"),
])
def test_amounts_are_written_as_the_locale_writes_prices(locale, money, written):
    assert loc(locale).amount(money) == written


def test_a_business_day_is_local_and_23_or_25_hours_when_clocks_change():
    berlin = loc("de_DE", "Europe/Berlin")
    start, end = berlin.business_day(datetime.date(2026, 3, 29))
    assert start == datetime.datetime(2026, 3, 28, 23, tzinfo=datetime.timezone.utc)
    assert end - start == datetime.timedelta(hours=23)
    start, end = berlin.business_day(datetime.date(2026, 10, 25))
    assert end - start == datetime.timedelta(hours=25)
    auckland = loc("en_NZ", "Pacific/Auckland")
    assert auckland.today(datetime.datetime(2026, 11, 29, 12, tzinfo=datetime.timezone.utc)) == datetime.date(2026, 11, 30)


@pytest.mark.parametrize(("locale", "zone", "reason"), [
    ("xx_YY", "UTC", "unknown locale 'xx_YY'"), ("de_DE", "Mars/Olympus", "unknown time zone 'Mars/Olympus'"),
])
def test_unknown_names_are_refused(locale, zone, reason):
    with pytest.raises(ConfigError, match=reason):
        Localization.named(locale, zone)


def test_the_system_default_is_used_where_none_is_set(monkeypatch):
    monkeypatch.setenv("LC_ALL", "de_DE.UTF-8")
    assert str(Localization.named(None, "UTC").locale) == "de_DE"
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    assert str(Localization.named(None, "UTC").locale) == "en_US"


def test_doctests():
    assert doctest.testmod(posapp.localization).failed == 0


@given(moment=st.datetimes(min_value=datetime.datetime(2000, 1, 1), max_value=datetime.datetime(2099, 12, 31),
                           timezones=st.just(datetime.timezone.utc)),
       zone=st.sampled_from(["UTC", "Europe/Berlin", "America/Los_Angeles", "Pacific/Auckland", "Asia/Kolkata"]))
def test_a_documents_time_never_reads_as_a_card_number(moment, zone):
    """Receipts and reports are refused when they hold a card-like number: their times must never be one."""
    written = loc("en_US", zone).long_time(moment)
    assert not contains_pan(written) and not contains_pan(f"Printed {written}")
