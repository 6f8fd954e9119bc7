"""A cashier at the checkout screen: typing, swiping, mistakes, double Enter, a slow backend."""

import threading

import pytest
from cardgen import random_pan
from guihelpers import reader_types
from kit import stored_orders, vault_tokens
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication, QInputMethodEvent, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from posapp.orders import OrderOutcomeUnknown, OrderStoreUnavailable


@pytest.fixture
def view(window):
    return window.checkout


def fill(qtbot, view, *, name="Coffee", amount="3.50", card=None, expiry="12/30"):
    qtbot.keyClicks(view.name, name)
    qtbot.keyClicks(view.amount, amount)
    qtbot.keyClicks(view.card, card or random_pan("4", 16))
    if expiry:
        qtbot.keyClicks(view.expiry, expiry)


def wait_for_result(qtbot, view, text):
    qtbot.waitUntil(lambda: text in view.result.text(), timeout=15_000)


def test_a_typed_card_completes_a_sale_and_is_wiped(qtbot, view, services):
    number = random_pan("4", 16)
    fill(qtbot, view, card=number)
    assert view.card.text() == " ".join(number[i:i + 4] for i in range(0, 16, 4))
    assert view.brand.text() == "VISA"
    QTest.keyClick(view.expiry, Qt.Key.Key_Return)
    wait_for_result(qtbot, view, "recorded")
    [order] = stored_orders(services)
    assert view.result.text() == f"Order {order.id} recorded: $3.50 on VISA •••• {number[-4:]}"
    assert view.card.text() == "" and not view.card.isUndoAvailable()
    assert (view.name.text(), view.amount.text(), view.expiry.text()) == ("", "", "")
    assert services.vault.detokenize(order.token).reveal() == number


def test_amex_is_grouped_4_6_5(qtbot, view):
    number = random_pan("37", 15)
    qtbot.keyClicks(view.card, number)
    assert view.card.text() == f"{number[:4]} {number[4:10]} {number[10:]}"
    assert view.brand.text() == "AMEX"


@pytest.mark.parametrize("zero", ["\uff10", "\u0660", "\u0966"])  # full-width, Arabic-Indic, Devanagari
def test_digits_from_an_input_method_are_the_card_s_digits(qtbot, view, zero):
    number = random_pan("4", 16)
    commit(view.card, "".join(chr(ord(zero) + int(digit)) for digit in number))
    assert view.card.digits() == number and view.brand.text() == "VISA"
    commit(view.expiry, "".join(chr(ord(zero) + int(digit)) for digit in "1229"))
    assert view.expiry.text() == "12/29"


def commit(widget, text):
    """``text`` committed by an input method (a Japanese or Arabic one), as it reaches a field."""
    widget.setFocus()
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def test_an_invalid_card_is_blocked_with_its_reason(qtbot, view, services):
    number = random_pan("4", 16)
    mistyped = number[:-1] + str((int(number[-1]) + 1) % 10)
    fill(qtbot, view, card=mistyped)
    assert view.card_message.text() == "The card number has a typo"
    QTest.keyClick(view.card, Qt.Key.Key_Return)
    assert view.result.text() == "The card number has a typo"
    qtbot.wait(100)
    assert stored_orders(services) == [] and vault_tokens(services) == []


def test_an_expired_card_is_refused(qtbot, view, services):
    fill(qtbot, view, expiry="01/20")
    view.submit()
    assert view.result.text() == "This card expired in 01/20"
    assert stored_orders(services) == []


def swipe_text(number, expiry="3012"):
    return f"%B{number}^DOE/JANE^{expiry}1010000000000000000?;{number}={expiry}10100000000000?"


def test_a_swipe_anywhere_goes_to_the_card_and_sells(qtbot, view, services, key_clock):
    number = random_pan("51", 16)
    qtbot.keyClicks(view.name, "Lunch")
    qtbot.keyClicks(view.amount, "12.00")
    view.name.setFocus()
    # The reader types into whatever has focus, and ends with Enter, which must not submit.
    reader_types(qtbot, view.name, key_clock, swipe_text(number))
    qtbot.waitUntil(lambda: "Card swiped" in view.card_message.text())
    assert view.name.text() == "Lunch" and view.amount.text() == "12.00"
    assert view.card_message.text() == f"Card swiped: MASTERCARD •••• {number[-4:]}, JANE DOE"
    assert view.card.text() == f"MASTERCARD •••• {number[-4:]}" and view.expiry.text() == "12/30"
    assert stored_orders(services) == []
    view.submit()
    wait_for_result(qtbot, view, "recorded")
    [order] = stored_orders(services)
    assert order.card_masked == f"MASTERCARD •••• {number[-4:]}"


def test_a_person_typing_a_percent_sign_keeps_it(qtbot, view):
    qtbot.keyClicks(view.description, "50% off; today")  # at a person's pace (see KeyClock)
    qtbot.waitUntil(lambda: view.description.text() == "50% off; today")


def test_enter_pressed_twice_records_one_order(qtbot, view, services):
    fill(qtbot, view)
    QTest.keyClick(view.expiry, Qt.Key.Key_Return)
    QTest.keyClick(view.expiry, Qt.Key.Key_Return)
    wait_for_result(qtbot, view, "recorded")
    QTest.keyClick(view.name, Qt.Key.Key_Return)  # once more on the emptied form
    qtbot.wait(200)
    assert len(stored_orders(services)) == 1 and len(vault_tokens(services)) == 1
    assert view.result.text() == "Type the amount."


def test_the_card_cannot_be_copied_out(qtbot, view):
    clipboard = QGuiApplication.clipboard()
    clipboard.setText("nothing copied")
    number = random_pan("4", 16)
    qtbot.keyClicks(view.card, number)
    view.card.selectAll()
    QTest.keySequence(view.card, QKeySequence(QKeySequence.StandardKey.Copy))
    QTest.keySequence(view.card, QKeySequence(QKeySequence.StandardKey.Cut))
    view.card.copy()
    assert clipboard.text() == "nothing copied"
    assert view.card.contextMenuPolicy() == Qt.ContextMenuPolicy.NoContextMenu
    assert not view.card.dragEnabled()


def test_a_failed_sale_keeps_the_order_for_a_retry_that_records_once(qtbot, view, services, monkeypatch):
    real_add = services.orders.add
    calls = []

    def first_fails(order, event):
        calls.append(order.idempotency_key)
        if len(calls) == 1:
            raise OrderStoreUnavailable("order history at sqlite:///x cannot be used: disk full")
        return real_add(order, event)

    monkeypatch.setattr(services.orders, "add", first_fails)
    fill(qtbot, view, name="Dinner")
    view.submit()
    wait_for_result(qtbot, view, "Not recorded")
    assert view.result.text() == ("Not recorded: The order database is not answering. Sales are not possible until "
                                  "it is back; call your administrator.")  # the detail is the log's
    assert view.name.text() == "Dinner" and view.card.digits() != ""
    assert view.charge.isEnabled()
    view.submit()
    wait_for_result(qtbot, view, "recorded:")
    assert len(stored_orders(services)) == 1 and len(vault_tokens(services)) == 1
    assert calls[0] == calls[1]  # the retry was the same sale


def test_an_unknown_outcome_is_never_called_not_recorded_and_enter_retries_it_once(qtbot, view, services,
                                                                                  monkeypatch):
    real_add = services.orders.add
    calls = []

    def written_but_unheard(order, event):
        calls.append(order.idempotency_key)
        recorded = real_add(order, event)
        if len(calls) == 1:
            raise OrderOutcomeUnknown("the connection was lost while the order was being written")
        return recorded

    real_find, hidden = services.orders.find_sale, [True]
    monkeypatch.setattr(services.orders, "add", written_but_unheard)
    monkeypatch.setattr(services.orders, "find_sale", lambda key: None if hidden[0] else real_find(key))
    fill(qtbot, view, name="Dinner")
    view.submit()
    wait_for_result(qtbot, view, "Not confirmed")
    assert "may or may not be recorded. Look the order up in the history" in view.result.text()
    assert "Not recorded" not in view.result.text()
    hidden[0] = False  # the order has become visible
    view.submit()  # the same sale again: recorded once
    wait_for_result(qtbot, view, "recorded:")
    assert len(stored_orders(services)) == 1 and len(vault_tokens(services)) == 1  # its card, kept, is the order's
    assert calls[0] == calls[1]


def test_a_slow_backend_never_freezes_the_window(qtbot, view, services, monkeypatch):
    release = threading.Event()
    real_add = services.orders.add

    def slow_add(order, event):
        release.wait(30)
        return real_add(order, event)

    monkeypatch.setattr(services.orders, "add", slow_add)
    ticks = []
    timer = QTimer(interval=10)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    fill(qtbot, view)
    view.submit()
    assert not view.charge.isEnabled()
    qtbot.waitUntil(lambda: len(ticks) >= 20, timeout=10_000)  # the event loop runs during the sale
    qtbot.waitUntil(lambda: view.window().status.busy.isVisible(), timeout=10_000)
    assert "recorded" not in view.result.text()
    release.set()
    wait_for_result(qtbot, view, "recorded")
    timer.stop()
    assert not view.window().status.busy.isVisible()
