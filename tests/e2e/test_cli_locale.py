"""The command line in the merchant's locale and time zone: ``--amount`` read as the locale
writes it (the window's parser), text output in local time and the locale's amounts, days as
the merchant's business days; ``--json`` unchanged (UTC, decimal amounts)."""

import json
import sqlite3

import pytest
from kit import cli_sale


def settings(posapp_home, locale: str, zone: str = "UTC", currency: str = "EUR") -> None:
    posapp_home.mkdir(parents=True, exist_ok=True)
    (posapp_home / "posapp.toml").write_text(
        f'[merchant]\nlocale = "{locale}"\ntimezone = "{zone}"\ncurrency = "{currency}"\n')


def orders(posapp, *args):
    return json.loads(posapp("order", "list", "--json", *args).stdout)["orders"]


@pytest.mark.parametrize(("locale", "typed", "minor", "shown"), [
    ("de_DE", "10,50", 1050, "10,50\xa0€"), ("de_DE", "1.234,56", 123456, "1.234,56\xa0€"),
    ("en_US", "1,234.56", 123456, "€1,234.56"), ("fr_CH", "1'234,50", 123450, "1'234,50\xa0€"),
])
def test_amounts_are_read_and_shown_the_locales_way(posapp, posapp_home, locale, typed, minor, shown):
    settings(posapp_home, locale)
    sold = cli_sale(posapp, amount=typed)
    assert sold.returncode == 0, sold.stderr
    assert shown in sold.stdout
    [order] = orders(posapp)
    assert (order["amount"], order["amount_minor"], order["currency"]) == (f"{minor / 100:.2f}", minor, "EUR")
    assert shown in posapp("order", "list").stdout


@pytest.mark.parametrize(("locale", "typed", "reason"), [
    ("en_US", "10,50", "Write the amount with a dot before the decimals, like 1,234.56"),
    ("de_DE", "10.50", "Write the amount with a comma before the decimals, like 1.234,56"),
    ("de_DE", "1,050.00", "Write the amount with a comma before the decimals, like 1.234,56"),
    ("ja_JP", "10.5", "JPY amounts have no decimals"),
])
def test_another_way_of_writing_the_amount_is_refused_and_nothing_is_recorded(posapp, posapp_home, locale, typed,
                                                                              reason):
    settings(posapp_home, locale, currency="JPY" if locale == "ja_JP" else "EUR")
    refused = cli_sale(posapp, amount=typed)
    assert (refused.returncode, refused.stderr) == (2, f"posapp: {reason}\n")
    assert orders(posapp) == []


def test_refund_and_capture_amounts_use_the_same_parser(posapp, posapp_home):
    settings(posapp_home, "de_DE")
    assert cli_sale(posapp, amount="20,00").returncode == 0
    refused = posapp("order", "refund", "1", "--amount", "2.50")
    assert refused.returncode == 2
    assert "with a comma before the decimals" in refused.stderr


def test_times_are_local_and_days_are_business_days_while_json_stays_utc(posapp, posapp_home):
    """Pacific/Auckland is UTC+13 in December: 10:30 UTC on the 1st is 23:30 there, 11:30 UTC is
    already 00:30 on the 2nd."""
    settings(posapp_home, "en_NZ", "Pacific/Auckland", "NZD")
    for _ in range(3):
        assert cli_sale(posapp).returncode == 0
    # UTC, as SQLAlchemy writes DATETIME into SQLite (text that compares in order)
    times = ["2026-11-30 11:00:00.000000", "2026-12-01 10:30:00.000000", "2026-12-01 11:30:00.000000"]
    with sqlite3.connect(posapp_home / "data" / "orders.db") as db:
        for order_id, at in enumerate(times, start=1):
            db.execute('UPDATE "OrderHistory" SET created_at = ? WHERE "UserPaymentAccountID" = ?', (at, order_id))
    listed = posapp("order", "list", "--since", "2026-12-01", "--until", "2026-12-01")
    assert listed.returncode == 0, listed.stderr
    header, *lines = listed.stdout.splitlines()
    assert header.split()[0] == "Order"
    assert [line.split()[0] for line in lines] == ["2", "1"]  # 00:00 to 24:00 in Auckland, newest first
    assert "2026-12-01 23:30" in lines[0] and "2026-12-01 00:00" in lines[1]
    assert "$3.50" in lines[0]  # en_NZ writes its own dollar plainly
    shown = posapp("order", "show", "3").stdout
    assert "Time:        2026-12-02 00:30:00 NZDT" in shown
    assert orders(posapp, "--since", "2026-12-02")[0]["created_at"] == "2026-12-01T11:30:00Z"


def test_an_unknown_locale_in_the_settings_is_one_line_naming_file_and_key(posapp, posapp_home):
    settings(posapp_home, "xx_QQ")
    refused = posapp("order", "list")
    assert refused.returncode == 2
    assert refused.stderr == (f"posapp: {posapp_home / 'posapp.toml'}: [merchant] locale: unknown locale 'xx_QQ': "
                              "use a language and country code, like de_DE or en_US\n")


def test_the_doctor_says_how_amounts_and_days_read(posapp, posapp_home):
    settings(posapp_home, "de_DE", "Europe/Berlin")
    doctor = posapp("doctor", sign_in=False)
    assert "ok    locale and time zone: amounts as de_DE writes them (1.234,56\xa0€); business days in " \
           "Europe/Berlin (now " in doctor.stdout
