"""The checkout of a till whose sales are charged (localstripe): the amount due, the CVC of a keyed
card, the busy state while the processor answers, paid, declined (retried with another card as a
new attempt), and an answer that never came ("Not confirmed", never "not recorded")."""

import pytest
from cardgen import random_pan
from kit import stored_orders
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit

from posapp.orders.status import OrderStatus
from posapp.payments import ProcessorUnavailable

VISA = "4242424242424242"
DECLINING = "4000000000000341"  # localstripe declines this one on confirm
RED, GREEN = "color: #b00020;", "color: #1b5e20;"


@pytest.fixture
def view(charging_window):
    return charging_window.checkout


def fill(qtbot, view, *, name="Coffee", amount="3.50", card=VISA, expiry="12/30", cvc="123"):
    for field, text in ((view.name, name), (view.amount, amount), (view.card, card), (view.expiry, expiry),
                        (view.cvc, cvc)):
        if text:
            qtbot.keyClicks(field, text)


def wait_for_result(qtbot, view, text):
    qtbot.waitUntil(lambda: text in view.result.text(), timeout=20_000)


def test_the_button_says_charge_and_the_amount_due_is_shown_big_as_typed(qtbot, view):
    assert (view.charge.text(), view.amount_due.text()) == ("Charge in USD", "— USD")
    qtbot.keyClicks(view.amount, "10.5")
    assert (view.charge.text(), view.amount_due.text()) == ("Charge $10.50", "$10.50")
    assert view.amount_due.font().pointSizeF() >= 2 * view.amount.font().pointSizeF()
    qtbot.keyClicks(view.amount, "x")
    assert view.amount_due.text() == "— USD"


def test_without_a_processor_the_button_records_and_no_cvc_is_asked(qtbot, window):
    view = window.checkout
    qtbot.keyClicks(view.amount, "3.50")
    assert (view.charge.text(), view.amount_due.text()) == ("Record $3.50", "$3.50")
    assert view.cvc.isHidden()


def test_the_cvc_is_hidden_digits_only_and_in_the_tab_order(qtbot, view):
    assert view.cvc.isVisible() and view.cvc.echoMode() == QLineEdit.EchoMode.Password
    qtbot.keyClicks(view.card, VISA)
    qtbot.keyClicks(view.cvc, "1a2-34")
    assert view.cvc.text() == "123"  # digits only, three for a Visa
    view.card.wipe()
    qtbot.keyClicks(view.card, random_pan("37", 15))
    view.cvc.setText("")
    qtbot.keyClicks(view.cvc, "12345")
    assert view.cvc.text() == "1234"  # four for an Amex (the CID on its front)
    assert view.cvc.contextMenuPolicy() == Qt.ContextMenuPolicy.NoContextMenu and not view.cvc.dragEnabled()
    view.name.setFocus()
    order = []
    for _ in range(5):
        QTest.keyClick(view.focusWidget(), Qt.Key.Key_Tab)
        order.append(view.focusWidget())
    assert order == [view.amount, view.card, view.expiry, view.cvc, view.charge]  # no description (Alt+D)


def test_a_paid_sale_shows_busy_then_paid_and_keeps_no_cvc(qtbot, view, charging_services, localstripe, monkeypatch):
    sent = []
    real_checkout = view._checkout  # the window's way to the services' checkout

    def spied(operator):
        service = real_checkout(operator)
        monkeypatch.setattr(service, "checkout", lambda sale, real=service.checkout: sent.append(sale) or real(sale))
        return service

    monkeypatch.setattr(view, "_checkout", spied)
    fill(qtbot, view)
    QTest.keyClick(view.cvc, Qt.Key.Key_Return)
    assert not view.charge.isEnabled() and view.busy
    assert view.result.text() == "Charging VISA •••• 4242, $3.50…"
    assert view.cvc.text() == ""  # out of the field the moment it was sent
    wait_for_result(qtbot, view, "paid")
    [order] = stored_orders(charging_services)
    assert (view.result.text(), view.result.styleSheet()) == (f"Order {order.id} paid: $3.50 on VISA •••• 4242",
                                                              GREEN)
    assert order.status is OrderStatus.PAID and len(localstripe.payment_intents()) == 1
    assert view.charge.isEnabled() and (view.card.text(), view.expiry.text(), view.cvc.text()) == ("", "", "")
    [sale] = sent
    assert sale.cvc is not None and str(sale.cvc) == "•••"
    assert view._pending is None


def test_a_keyed_card_needs_its_cvc_and_nothing_is_sent_without_it(qtbot, view, charging_services, localstripe):
    fill(qtbot, view, cvc="12")
    view.submit()
    assert view.result.text() == ("The VISA verification code is 3 digits, printed on the back of "
                                  "the card")
    assert view.cvc.text() == "" and view.charge.isEnabled() and view.focusWidget() is view.cvc
    qtbot.wait(100)
    assert stored_orders(charging_services) == [] and localstripe.payment_intents() == []


def test_a_decline_is_red_wipes_the_card_and_another_card_is_a_new_attempt(qtbot, view, charging_services, localstripe):
    fill(qtbot, view, name="Dinner", amount="48.50", card=DECLINING)
    QTest.keyClick(view.cvc, Qt.Key.Key_Return)
    wait_for_result(qtbot, view, "Declined")
    assert view.result.styleSheet() == RED
    assert view.result.text().startswith("Declined") and "Declined: Declined" not in view.result.text()
    assert "another card" in view.result.text()
    assert (view.card.text(), view.expiry.text(), view.cvc.text(), view.brand.text()) == ("", "", "", "")
    assert view.focusWidget() is view.card
    assert (view.name.text(), view.amount.text(), view.amount_due.text()) == ("Dinner", "48.50", "$48.50")
    qtbot.keyClicks(view.card, VISA)
    qtbot.keyClicks(view.expiry, "12/30")
    qtbot.keyClicks(view.cvc, "123")
    QTest.keyClick(view.cvc, Qt.Key.Key_Return)
    wait_for_result(qtbot, view, "paid")
    paid, declined = stored_orders(charging_services)
    assert (declined.status, paid.status) == (OrderStatus.DECLINED, OrderStatus.PAID)
    assert (declined.name, paid.name, paid.amount) == ("Dinner", "Dinner", declined.amount)
    assert declined.idempotency_key != paid.idempotency_key
    assert len(localstripe.payment_intents()) == 2


def test_an_answer_that_never_came_is_not_confirmed_and_enter_never_charges_again(
        qtbot, view, charging_services, localstripe, monkeypatch):
    def no_answer(**_sale):
        raise ProcessorUnavailable("the card processor cannot be reached: connection refused")

    monkeypatch.setattr(charging_services.processor, "authorize", no_answer)
    fill(qtbot, view)
    view.submit()
    wait_for_result(qtbot, view, "Not confirmed")
    [order] = stored_orders(charging_services)
    assert view.result.text().startswith(f"Not confirmed: order {order.id} is pending")
    assert "not recorded" not in view.result.text().lower() and view.result.styleSheet() == RED
    assert view._pending is not None and view._pending.cvc is None  # the same sale, without its code
    qtbot.keyClicks(view.cvc, "123")
    view.submit()  # the same sale again: its order answers, nothing is charged
    qtbot.waitUntil(lambda: not view.busy, timeout=20_000)
    assert view.result.text().startswith(f"Not confirmed: order {order.id} is pending")
    assert [each.status for each in stored_orders(charging_services)] == [OrderStatus.PENDING]
    assert localstripe.payment_intents() == []


def test_a_swiped_card_needs_no_cvc(qtbot, view, key_clock):
    from guihelpers import reader_types

    qtbot.keyClicks(view.card, VISA)
    qtbot.keyClicks(view.cvc, "123")
    number = random_pan("51", 16)
    reader_types(qtbot, view.name, key_clock, f"%B{number}^DOE/JANE^30121010000000000000?")
    qtbot.waitUntil(lambda: "Card swiped" in view.card_message.text())
    assert view.cvc.isHidden() and view.cvc.text() == ""
    qtbot.keyClicks(view.card, VISA)  # typing a number again asks for its code again
    assert view.cvc.isVisible()


def test_the_idle_lock_wipes_the_cvc(qtbot, charging_window):
    view = charging_window.checkout
    fill(qtbot, view)
    charging_window.lock()
    assert (view.card.text(), view.cvc.text()) == ("", "")
    assert not view.cvc.isUndoAvailable()
