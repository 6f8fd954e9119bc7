"""How a day report reads: X, Z and reprint marked as such, amounts as the merchant's locale writes them,
JSON amounts exact in minor units and decimals, and no card number in any line."""

import dataclasses
import datetime
import json

import pytest
from cardgen import random_pan

from posapp.errors import ExitCode
from posapp.localization import Localization
from posapp.orders.day_totals import DayClose, Group
from posapp.reports.day import build
from posapp.reports.day_document import day_document, day_json, money_json
from posapp.reports.document import render_text
from posapp.reports.guard import CardDataInDocument
from posapp.reports.merchant import Merchant

UTC = datetime.timezone.utc
DAY = datetime.date(2026, 11, 29)
BERLIN = Localization.named("de_DE", "Europe/Berlin")
MERCHANT = Merchant("Café Krone", ("Hauptstraße 1", "10115 Berlin"), "DE123456789", None, "till-01")
MADE = datetime.datetime(2026, 11, 29, 21, 30, tzinfo=UTC)
GROUPS = [
    Group("paid", "EUR", "VISA", "anna", 2, 2500, 2500, 0, 11, 20),
    Group("partially_refunded", "EUR", "MASTERCARD", "ben", 1, 1000, 1000, 250, 14, 14),
    Group("refunded", "EUR", "VISA", "anna", 1, 700, 700, 700, 12, 12),
    Group("declined", "EUR", "VISA", "anna", 1, 9900, 0, 0, 13, 13),
    Group("voided", "EUR", "AMEX", "ben", 1, 450, 0, 0, 15, 15),
    Group("recorded", "EUR", "AMEX", "ben", 1, 1200, 0, 0, 16, 16),
    Group("paid", "JPY", "JCB", None, 1, 1500, 1500, 0, 17, 17),
]


def report(closes=(), *, workstation="till-01", reprint=False, groups=GROUPS):
    made = build(DAY, workstation, BERLIN, groups, closes, MADE)
    return dataclasses.replace(made, reprint=reprint)


def text(made, merchant=MERCHANT):
    """The plain text, its lines joined by single spaces (a long line wraps at 42 columns)."""
    return " ".join(render_text(day_document(made, merchant, BERLIN)).split())


def closed(totals=None, workstation="till-01"):
    return DayClose(DAY, workstation, datetime.datetime(2026, 11, 29, 21, 0, tzinfo=UTC), "ben",
                    report().totals() if totals is None else totals)


def test_a_reading_before_the_close_is_an_x_report_and_says_it_is_not_closed():
    printed = text(report())
    assert "X REPORT — NOT CLOSED" in printed and "NOT CLOSED: a reading of the day so far" in printed
    assert "Z REPORT" not in printed and "REPRINT" not in printed
    assert "Café Krone" in printed and "Tax ID: DE123456789" in printed
    assert "2026-11-29 00:00:00 CET" in printed and "2026-11-30 00:00:00 CET" in printed  # local midnights


def test_the_close_prints_a_z_report_and_a_later_run_a_reprint_naming_who_closed_it_and_when():
    now = text(report((closed(),)))
    assert "Z REPORT Day" in now and "Closed by ben Closed at 2026-11-29 22:00:00 CET" in now and "REPRINT" not in now
    later = text(report((closed(),), reprint=True))
    assert "Z REPORT — REPRINT" in later and "REPRINT Closed by ben Closed at 2026-11-29 22:00:00 CET" in later
    assert "CHANGED SINCE THE CLOSE" not in later


def test_a_reprint_of_a_day_that_changed_since_its_close_says_what_the_close_recorded():
    at_close = {**report().totals(), "orders": 7, "net": {"EUR": 3000, "JPY": 1500}}
    printed = text(report((closed(at_close),), reprint=True))
    assert "CHANGED SINCE THE CLOSE: at the close" in printed
    assert "CHANGED SINCE THE CLOSE: at the close Orders 7 Net takings EUR 30,00 € Net takings JPY 1.500 ¥" in printed


def test_every_tills_report_is_a_reading_naming_the_tills_that_closed():
    printed = text(report((closed(), closed(workstation="till-02")), workstation=None))
    assert "X REPORT — NOT CLOSED" in printed and "Till every till" in printed
    assert "till-01 closed by ben 2026-11-29 22:00 till-02 closed by ben" in printed


def test_takings_are_written_as_the_locale_writes_amounts():
    printed = text(report())
    # 25 + 10 + 7 captured, 2,50 + 7 given back.
    assert "Takings in EUR Captured 42,00 € Refunded (2 orders, 1 in full) -9,50 € Net takings 32,50 € " \
           "Card on file: recorded, not charged 12,00 €" in printed
    assert "Takings in JPY Captured 1.500 ¥" in printed  # no decimals in yen
    assert "Refunded (2 orders, 1 in full)" in printed
    assert "declined × 1" in printed and "99,00 €" in printed and "voided × 1" in printed
    assert "Operators anna 4 orders ben 3 orders" in printed  # an order without an operator is nobody's


def test_json_gives_minor_units_decimal_strings_and_utc_times_with_their_offset():
    made = day_json(report((closed(),)))
    assert json.loads(json.dumps(made)) == made
    assert (made["kind"], made["reprint"], made["workstation"], made["zone"]) == ("Z", False, "till-01",
                                                                                   "Europe/Berlin")
    assert (made["start"], made["end"]) == ("2026-11-28T23:00:00+00:00", "2026-11-29T23:00:00+00:00")
    [eur, jpy] = made["takings"]
    assert eur["net"] == {"minor": 3250, "amount": "32.50", "currency": "EUR"}
    assert jpy["captured"] == {"minor": 1500, "amount": "1500", "currency": "JPY"}
    assert (made["first_order"], made["last_order"], made["orders"]) == (11, 20, 8)
    assert made["closed"]["operator"] == "ben" and made["closed"]["closed_at"] == "2026-11-29T21:00:00+00:00"


@pytest.mark.parametrize("minor,currency,amount", [(0, "EUR", "0.00"), (5, "EUR", "0.05"), (-1234, "USD", "-12.34"),
                                                   (123456789012, "JPY", "123456789012"), (1, "KWD", "0.001"),
                                                   (250, "XYZ", None), (250, None, None)])
def test_money_json_is_exact(minor, currency, amount):
    assert money_json(minor, currency) == {"minor": minor, "amount": amount, "currency": currency}


def test_a_currency_posapp_does_not_know_is_shown_in_minor_units_rather_than_guessed():
    printed = text(report(groups=[Group("paid", "XYZ", "VISA", "anna", 1, 990, 990, 0, 1, 1)]))
    assert "990 (XYZ, minor units)" in printed


def test_a_card_number_in_the_merchant_settings_stops_the_whole_report():
    merchant = dataclasses.replace(MERCHANT, address=(f"Call {random_pan('4', 16)}",))
    with pytest.raises(CardDataInDocument, match="its merchant name or address holds what looks like a card number") \
            as refused:
        text(report(), merchant)
    assert refused.value.exit_code is ExitCode.INTEGRITY


def test_one_order_is_one_order_in_every_count():
    one_of_each = [Group("refunded", "EUR", "VISA", "anna", 1, 700, 700, 700, 12, 12),
                   Group("pending", "EUR", "VISA", "anna", 1, 500, 0, 0, 13, 13)]
    printed = text(report(groups=one_of_each))
    assert "Refunded (1 order, 1 in full)" in printed
    assert "Pending: outcome not known yet 1 order " in printed
    assert "Operators anna 2 orders" in printed and "1 orders" not in printed
