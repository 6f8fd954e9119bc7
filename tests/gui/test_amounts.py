"""Amounts and currency at the checkout: an amount never changes without a word, and the
till's currency changes only for one sale, on purpose."""

import pytest
from cardgen import random_pan
from guihelpers import sign_in
from kit import stored_orders
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from posapp import app, config
from posapp.ui.main_window import MainWindow


@pytest.fixture
def merchant(request, posapp_home):
    """The till's ``[merchant]`` settings, ``locale`` and ``currency``, as the test names them (default en_US, USD)."""
    locale, currency = getattr(request, "param", ("en_US", "USD"))
    posapp_home.mkdir(parents=True, exist_ok=True)
    (posapp_home / "posapp.toml").write_text(f'[merchant]\nlocale = "{locale}"\ncurrency = "{currency}"\n')
    return locale, currency


@pytest.fixture
def view(qtbot, merchant, runner, key_clock):
    services = app.build(config.load())
    window = MainWindow(services, runner, dialogs=False, health_checks=False, key_clock=key_clock)
    qtbot.addWidget(window)
    window.show()
    sign_in(qtbot, window, services)
    window.checkout.services = services
    yield window.checkout
    runner.wait(10_000)
    qtbot.wait(10)


def sell(qtbot, view, amount):
    qtbot.keyClicks(view.name, "Coffee")
    qtbot.keyClicks(view.amount, amount)
    qtbot.keyClicks(view.card, random_pan("4", 16))
    qtbot.keyClicks(view.expiry, "1230")
    QTest.keyClick(view.expiry, Qt.Key.Key_Return)


@pytest.mark.parametrize(("merchant", "typed", "minor", "shown"), [
    (("de_DE", "EUR"), "10,50", 1050, "10,50\xa0€"), (("de_DE", "EUR"), "1.234,56", 123456, "1.234,56\xa0€"),
    (("fr_FR", "EUR"), "12,50", 1250, "12,50\xa0€"), (("en_US", "USD"), "10.50", 1050, "$10.50"),
    (("fr_CH", "CHF"), "1'234,50", 123450, "1'234,50\xa0CHF"), (("ja_JP", "JPY"), "1,500", 1500, "￥1,500"),
], indirect=["merchant"])
def test_the_merchants_locale_records_the_amount_typed_and_shows_it_its_way(qtbot, merchant, view, typed, minor,
                                                                            shown):
    qtbot.keyClicks(view.amount, typed)
    assert view.amount_due.text() == shown
    sell(qtbot, view, "")
    qtbot.waitUntil(lambda: "recorded" in view.result.text(), timeout=15_000)
    [order] = stored_orders(view.services)
    assert (order.amount.minor, order.amount.currency) == (minor, merchant[1])
    assert shown in view.result.text()


@pytest.mark.parametrize(("merchant", "typed", "reason"), [
    (("en_US", "EUR"), "10,50", "Write the amount with a dot before the decimals, like 1,234.56"),
    (("en_US", "USD"), "1.050,00", "Write the amount with a dot before the decimals, like 1,234.56"),
    (("de_DE", "EUR"), "10.50", "Write the amount with a comma before the decimals, like 1.234,56"),
    (("de_DE", "EUR"), "10,505", "EUR amounts have at most 2 decimals"),
    (("fr_FR", "EUR"), "10,5,0", "Write the amount with a comma before the decimals, "
                                 "like 1\u202f234,56"),
    (("ja_JP", "JPY"), "15.50", "JPY amounts have no decimals"),
], indirect=["merchant"])
def test_any_other_way_of_writing_it_is_refused_as_typed_and_nothing_is_recorded(
        qtbot, merchant, view, typed, reason):
    sell(qtbot, view, typed)
    assert view.amount.text() == typed  # every key the cashier pressed is still there
    assert view.amount_message.text() == reason
    assert view.result.text() == reason  # what is wrong with what was typed, never "refused"
    qtbot.wait(100)
    assert stored_orders(view.services) == []


@pytest.mark.parametrize("merchant", [("en_US", "USD")], indirect=True)
def test_the_button_names_amount_and_currency_and_another_currency_is_for_one_sale(qtbot, merchant, view):
    assert view.charge.text() == "Record sale in USD"
    qtbot.keyClicks(view.amount, "10.50")
    assert view.charge.text() == "Record $10.50"
    [eur] = [action for action in view.currency.menu().actions() if action.text() == "EUR"]
    eur.trigger()
    assert view.charge.text() == "Record €10.50"
    qtbot.keyClicks(view.name, "Coffee")
    qtbot.keyClicks(view.card, random_pan("4", 16))
    QTest.keyClick(view.card, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "recorded" in view.result.text(), timeout=15_000)
    assert view.result.text().endswith(f"€10.50 on {stored_orders(view.services)[0].card_masked}")
    assert view.currency.text() == "USD" and view.charge.text() == "Record sale in USD"


@pytest.mark.parametrize("merchant", [("en_US", "USD")], indirect=True)
def test_no_typed_key_can_change_the_currency(qtbot, merchant, view):
    view.name.setFocus()
    for _ in range(8):  # Tab through the whole form, typing a stray "e" into each stop
        QTest.keyClicks(view.focusWidget() or view, "e")
        assert view.focusWidget() is not view.currency
        QTest.keyClick(view.focusWidget() or view, Qt.Key.Key_Tab)
    assert view.currency.text() == "USD"
    view.amount.setFocus()
    QTest.keyClick(view.amount, Qt.Key.Key_Tab)
    assert view.focusWidget() is view.card  # the currency is not in the Tab order


@pytest.mark.parametrize("merchant", [("de_DE", "EUR")], indirect=True)
def test_the_tills_currency_and_locale_come_from_its_settings(qtbot, merchant, view):
    qtbot.keyClicks(view.amount, "3,50")
    assert view.charge.text() == "Record 3,50\xa0€"
    assert view.amount.placeholderText() == "0,00"


@pytest.mark.parametrize(("typed", "shown"), [("1229", "12/29"), ("12/29", "12/29"), ("1/29", "01/29"),
                                              ("0130", "01/30"), ("12/2029", "12/2029")])
def test_the_expiry_field_writes_the_slash_as_the_cashier_types(qtbot, view, typed, shown):
    qtbot.keyClicks(view.expiry, typed)
    assert view.expiry.text() == shown
