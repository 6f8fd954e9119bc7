"""Amounts as a cashier types them: integer minor units, the currency's decimals, no surprises."""

import doctest

import pytest

import posapp.money
from posapp.errors import ExitCode, describe
from posapp.money import InvalidAmount, Money


@pytest.mark.parametrize("text, currency, minor", [
    ("12.34", "USD", 1234),
    ("12", "USD", 1200),
    ("12.3", "USD", 1230),
    ("12.30", "USD", 1230),
    ("0.01", "USD", 1),
    (" 12.34 ", "USD", 1234),
    ("12.34\n", "EUR", 1234),
    ("007.50", "USD", 750),
    ("1500", "JPY", 1500),
    ("1.234", "BHD", 1234),
    ("1.2", "BHD", 1200),
    ("1000000", "USD", 100_000_000),
    ("1000000.00", "USD", 100_000_000),
    ("1000000", "JPY", 1_000_000),
])
def test_parse_to_minor_units(text, currency, minor):
    assert Money.parse(text, currency) == Money(minor, currency)


def test_parse_defaults_to_usd():
    assert Money.parse("5") == Money(500, "USD")


@pytest.mark.parametrize("currency", ["usd", " Usd ", "USD"])
def test_currency_code_is_normalised_to_upper_case(currency):
    money = Money.parse("12.34", currency)
    assert money.currency == "USD"
    assert money.minor == 1234


@pytest.mark.parametrize("text, currency, message", [
    ("12.5", "JPY", "JPY amounts have no decimals"),
    ("1.2345", "BHD", "BHD amounts have at most 3 decimals"),
    ("12.345", "USD", "USD amounts have at most 2 decimals"),
    ("12.300", "USD", "USD amounts have at most 2 decimals"),
])
def test_too_many_decimals_refused(text, currency, message):
    with pytest.raises(InvalidAmount) as caught:
        Money.parse(text, currency)
    assert str(caught.value) == message


@pytest.mark.parametrize("text", ["-1", "-12.34", " -0.01", "0", "0.00", "000", "0.0"])
def test_zero_and_negative_refused(text):
    with pytest.raises(InvalidAmount) as caught:
        Money.parse(text, "USD")
    assert str(caught.value) == "The amount must be more than zero"


@pytest.mark.parametrize("text", ["1e5", "1,234.56", "", "   ", "abc", "12.", ".5", "+12", "12.34.56", "12 34",
                                  "$12", "12.34 USD", "1_000"])
def test_malformed_amounts_refused(text):
    with pytest.raises(InvalidAmount) as caught:
        Money.parse(text, "USD")
    assert str(caught.value).startswith("Write the amount with digits and a dot, like 12.34")


@pytest.mark.parametrize("text, currency", [
    ("1000000.01", "USD"),
    ("1000001", "USD"),
    ("9999999", "USD"),
    ("10000000", "USD"),
    ("1000001", "JPY"),
    ("1000000.001", "BHD"),
    ("1" * 40, "USD"),
    ("9" * 40 + ".99", "USD"),
])
def test_absurd_amounts_refused(text, currency):
    with pytest.raises(InvalidAmount) as caught:
        Money.parse(text, currency)
    assert str(caught.value) == f"The amount is too large: one sale is at most 1,000,000 {currency}"


def test_leading_zeros_do_not_count_towards_the_limit():
    assert Money.parse("0" * 30 + "12.34", "USD") == Money(1234, "USD")


@pytest.mark.parametrize("currency", ["XYZ", "", "US", "usdollars"])
def test_unknown_currency_refused(currency):
    with pytest.raises(InvalidAmount) as caught:
        Money.parse("12.34", currency)
    assert "unknown currency" in str(caught.value)
    assert "ISO 4217" in str(caught.value)


def test_constructor_validates_too():
    with pytest.raises(InvalidAmount):
        Money(0, "USD")
    with pytest.raises(InvalidAmount):
        Money(-5, "USD")
    with pytest.raises(InvalidAmount):
        Money(100, "XYZ")
    with pytest.raises(InvalidAmount):
        Money(100_000_001, "USD")


@pytest.mark.parametrize("text, currency, amount_text, shown", [
    ("12.3", "USD", "12.30", "12.30 USD"),
    ("12", "USD", "12.00", "12.00 USD"),
    ("0.05", "EUR", "0.05", "0.05 EUR"),
    ("1500", "JPY", "1500", "1500 JPY"),
    ("1.234", "BHD", "1.234", "1.234 BHD"),
    ("1.2", "BHD", "1.200", "1.200 BHD"),
    ("1000000", "USD", "1000000.00", "1000000.00 USD"),
])
def test_formatting(text, currency, amount_text, shown):
    money = Money.parse(text, currency)
    assert money.amount_text == amount_text
    assert str(money) == shown


def test_parse_round_trips_through_amount_text():
    for text, currency in [("12.30", "USD"), ("1500", "JPY"), ("1.234", "BHD"), ("0.01", "GBP")]:
        money = Money.parse(text, currency)
        assert Money.parse(money.amount_text, money.currency) == money


def test_an_amount_that_is_no_number_is_refused_with_how_to_write_it():
    with pytest.raises(InvalidAmount) as refused:
        Money.parse("abc", "USD")
    assert describe(refused.value) == ("Write the amount with digits and a dot, like 12.34",
                                       ExitCode.BAD_INPUT)


def test_money_is_immutable():
    money = Money.parse("12.34", "USD")
    with pytest.raises(AttributeError):
        money.minor = 1  # type: ignore[misc]
    assert money.minor == 1234


def test_module_doctests_pass():
    failed, attempted = doctest.testmod(posapp.money)
    assert attempted > 0
    assert failed == 0
