"""Amounts and currency at the checkout: an amount never changes without a word, and the
till's currency changes only for one sale, on purpose."""

from decimal import Decimal

import pytest
from cardgen import random_pan
from guihelpers import sign_in
from kit import stored_orders
from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtCore import QLocale, Qt
from PySide6.QtTest import QTest

from posapp import app, config
from posapp.money import InvalidAmount
from posapp.ui.amount_field import parse_amount
from posapp.ui.main_window import MainWindow

LOCALES = ["de_DE", "fr_FR", "en_US"]


@pytest.fixture
def cashier_locale(request):
    """The desktop's locale while the window is built (the checkout reads it then)."""
    previous = QLocale()
    QLocale.setDefault(QLocale(request.param))
    yield QLocale(request.param)
    QLocale.setDefault(previous)


@pytest.fixture
def view(qtbot, services, runner, key_clock):
    window = MainWindow(services, runner, dialogs=False, health_checks=False, key_clock=key_clock)
    qtbot.addWidget(window)
    window.show()
    sign_in(qtbot, window, services)
    yield window.checkout
    runner.wait(10_000)
    qtbot.wait(10)


def sell(qtbot, view, amount):
    qtbot.keyClicks(view.name, "Coffee")
    qtbot.keyClicks(view.amount, amount)
    qtbot.keyClicks(view.card, random_pan("4", 16))
    qtbot.keyClicks(view.expiry, "1230")
    QTest.keyClick(view.expiry, Qt.Key.Key_Return)


@pytest.mark.parametrize(("cashier_locale", "typed", "minor"), [
    ("de_DE", "10,50", 1050), ("de_DE", "12,50", 1250), ("fr_FR", "12,50", 1250), ("en_US", "10.50", 1050),
], indirect=["cashier_locale"])
def test_the_decimal_separator_of_the_cashiers_locale_records_the_amount_typed(
        qtbot, cashier_locale, view, services, typed, minor):
    sell(qtbot, view, typed)
    qtbot.waitUntil(lambda: "recorded" in view.result.text(), timeout=15_000)
    [order] = stored_orders(services)
    assert (order.amount.minor, order.amount.currency) == (minor, "USD")


@pytest.mark.parametrize(("cashier_locale", "typed", "reason"), [
    ("en_US", "10,50", "write the amount with digits only and a dot before the decimals, like 12.34"),
    ("en_US", "1,050.00", "write the amount with digits only and a dot before the decimals, like 12.34"),
    ("de_DE", "10.50", "write the amount with digits only and a comma before the decimals, like 12,34"),
    ("de_DE", "1.050,00", "write the amount with digits only and a comma before the decimals, like 12,34"),
    ("fr_FR", "1 050", "write the amount with digits only and a comma before the decimals, like 12,34"),
    ("fr_FR", "10,5,0", "write the amount with digits only and a comma before the decimals, like 12,34"),
], indirect=["cashier_locale"])
def test_any_other_way_of_writing_it_is_refused_as_typed_and_nothing_is_recorded(
        qtbot, cashier_locale, view, services, typed, reason):
    sell(qtbot, view, typed)
    assert view.amount.text() == typed  # every key the cashier pressed is still there
    assert view.amount_message.text() == reason
    assert view.result.text() == f"amount refused: {reason}"
    qtbot.wait(100)
    assert stored_orders(services) == []


@pytest.mark.parametrize("name", LOCALES)
@given(text=st.text(alphabet="0123456789.,  '\u00a0\u202f٫", max_size=12))
def test_an_accepted_amount_is_exactly_what_was_typed(name, text):
    locale = QLocale(name)
    separator = locale.decimalPoint()
    try:
        money = parse_amount(text, "USD", locale)
    except InvalidAmount as error:
        assert str(error)  # refused, with a reason
        return
    written = text.strip()
    assert set(written) <= set("0123456789" + separator) and written.count(separator) <= 1
    assert Decimal(money.minor) / 100 == Decimal("0" + written.replace(separator, ".").rstrip("."))


@pytest.mark.parametrize("name", LOCALES)
@given(minor=st.integers(min_value=1, max_value=100_000_000))
def test_the_locales_own_writing_is_always_accepted_and_grouping_never_is(name, minor):
    locale = QLocale(name)
    plain = f"{minor // 100}{locale.decimalPoint()}{minor % 100:02d}"
    assert parse_amount(plain, "USD", locale).minor == minor
    grouped = locale.toString(minor / 100, "f", 2)
    if grouped != plain:
        with pytest.raises(InvalidAmount):
            parse_amount(grouped, "USD", locale)


@pytest.mark.parametrize("cashier_locale", ["en_US"], indirect=True)
def test_the_button_names_amount_and_currency_and_another_currency_is_for_one_sale(
        qtbot, cashier_locale, view, services):
    assert view.charge.text() == "Record sale in USD"
    qtbot.keyClicks(view.amount, "10.50")
    assert view.charge.text() == "Record 10.50 USD"
    [eur] = [action for action in view.currency.menu().actions() if action.text() == "EUR"]
    eur.trigger()
    assert view.charge.text() == "Record 10.50 EUR"
    qtbot.keyClicks(view.name, "Coffee")
    qtbot.keyClicks(view.card, random_pan("4", 16))
    QTest.keyClick(view.card, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "recorded" in view.result.text(), timeout=15_000)
    assert view.result.text().endswith(f"10.50 EUR on {stored_orders(services)[0].card_masked}")
    assert view.currency.text() == "USD" and view.charge.text() == "Record sale in USD"


@pytest.mark.parametrize("cashier_locale", ["en_US"], indirect=True)
def test_no_typed_key_can_change_the_currency(qtbot, cashier_locale, view):
    view.name.setFocus()
    for _ in range(8):  # Tab through the whole form, typing a stray "e" into each stop
        QTest.keyClicks(view.focusWidget() or view, "e")
        assert view.focusWidget() is not view.currency
        QTest.keyClick(view.focusWidget() or view, Qt.Key.Key_Tab)
    assert view.currency.text() == "USD"
    view.amount.setFocus()
    QTest.keyClick(view.amount, Qt.Key.Key_Tab)
    assert view.focusWidget() is view.card  # the currency is not in the Tab order


@pytest.mark.parametrize("cashier_locale", ["en_US"], indirect=True)
def test_the_tills_currency_comes_from_its_settings(qtbot, cashier_locale, posapp_home, runner, key_clock):
    posapp_home.mkdir(parents=True, exist_ok=True)
    (posapp_home / "posapp.toml").write_text('[merchant]\ncurrency = "EUR"\n')
    window = MainWindow(app.build(config.load()), runner, dialogs=False, health_checks=False, key_clock=key_clock)
    qtbot.addWidget(window)
    qtbot.keyClicks(window.checkout.amount, "3.50")
    assert window.checkout.charge.text() == "Record 3.50 EUR"


@pytest.mark.parametrize(("typed", "shown"), [("1229", "12/29"), ("12/29", "12/29"), ("1/29", "01/29"),
                                              ("0130", "01/30"), ("12/2029", "12/2029")])
def test_the_expiry_field_writes_the_slash_as_the_cashier_types(qtbot, view, typed, shown):
    qtbot.keyClicks(view.expiry, typed)
    assert view.expiry.text() == shown
