"""The order history of a till whose sales are charged (localstripe): every status in its column,
the payment and what was refunded in the detail pane, Refund… (a supervisor's, or a cashier's
with a supervisor's approval) run in the background, and Void for what can still be voided."""

import datetime
import threading

import pytest
from guihelpers import PASSWORD, sign_in
from kit import sell
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from posapp.card import Brand
from posapp.charging import PaymentPending, SaleDeclined
from posapp.cvc import Cvc
from posapp.localization import Localization
from posapp.money import Money
from posapp.orders import Order
from posapp.orders.journal import JournalFilter
from posapp.orders.status import OrderStatus
from posapp.payments import PaymentRefused, ProcessorUnavailable
from posapp.ui.order_details import OrderDetails
from posapp.ui.override import SupervisorDialog
from posapp.ui.refund_dialog import RefundDialog

VISA = "4242424242424242"
DECLINING = "4000000000000341"  # localstripe declines this one on confirm
STATUS = 5  # the status column


def charged(services, name="Coffee", number=VISA):
    """One sale charged through the till's processor; the order, or the error it raised."""
    try:
        return sell(services, name, number, cvc=Cvc.parse("123", Brand.VISA))
    except (SaleDeclined, PaymentPending) as error:
        return error


def show_history(qtbot, window, rows):
    window.tabs.setCurrentWidget(window.history)
    window.history_model.refresh()
    qtbot.waitUntil(lambda: window.history_model.rowCount() == rows and not window.history_model.loading,
                    timeout=10_000)
    return window.history_model


def select(qtbot, window, order_id):
    model = window.history_model
    [row] = [row for row in range(model.rowCount()) if model.order_at(row).id == order_id]
    window.history.table.selectRow(row)
    return window.history.details


def open_refund(qtbot, window, order_id):
    details = select(qtbot, window, order_id)
    assert details.refund.isVisible() and details.refund.isEnabled()
    details.refund.click()
    [dialog] = [dialog for dialog in window.findChildren(RefundDialog) if dialog.isVisible()]
    return dialog


def refunds(services):
    return services.orders.journal.page(JournalFilter(action="refund"))


def test_the_status_column_and_the_detail_pane_show_every_payment(qtbot, charging_window, charging_services,
                                                                  monkeypatch):
    paid = charged(charging_services, "Paid")
    declined = charged(charging_services, "Declined", DECLINING).order

    def no_answer(**_sale):
        raise ProcessorUnavailable("the card processor cannot be reached: connection refused")

    monkeypatch.setattr(charging_services.processor, "authorize", no_answer)
    pending = charged(charging_services, "Pending")
    model = show_history(qtbot, charging_window, 3)
    assert model.headerData(STATUS, Qt.Orientation.Horizontal) == "Status"
    shown = {model.data(model.index(row, 2)): model.data(model.index(row, STATUS)) for row in range(3)}
    assert shown == {"Paid": "Paid", "Declined": "Declined", "Pending": "Pending"}
    colour = model.data(model.index(1, STATUS), Qt.ItemDataRole.ForegroundRole)
    assert model.data(model.index(1, 2)) == "Declined" and colour.name() == "#b00020"
    details = select(qtbot, charging_window, paid.id)
    assert details._fields["payment"].text() == f"stripe {paid.payment_reference}"
    assert details._fields["refunded"].text() == "" and details._fields["status"].text() == "Paid"
    details = select(qtbot, charging_window, declined.id)
    assert details._fields["payment"].text().startswith("stripe ") and "declined: " in details._fields["payment"].text()
    assert not details.refund.isEnabled() and not details.void.isEnabled()
    assert select(qtbot, charging_window, pending.order_id)._fields["status"].text() == "Pending"


def test_a_supervisor_refunds_part_then_the_rest_off_the_gui_thread(qtbot, charging_window, charging_services,
                                                                    monkeypatch):
    order = charged(charging_services)
    charging_window.sign_out()
    sign_in(qtbot, charging_window, charging_services, "supervisor-1")
    threads = []
    real_refund = charging_services.processor.refund
    monkeypatch.setattr(charging_services.processor, "refund", lambda *args, **kwargs: (
        threads.append(threading.current_thread()), real_refund(*args, **kwargs))[1])
    show_history(qtbot, charging_window, 1)
    details = select(qtbot, charging_window, order.id)
    assert (details.refund.text(), details.void.text(), details.void.isEnabled()) == ("Refund…", "Void", False)
    dialog = open_refund(qtbot, charging_window, order.id)
    assert dialog.amount.text() == "3.50"
    dialog.amount.setText("1.00")
    dialog.reason.setText("cold coffee")
    dialog.accept()
    status = charging_window.statusBar()
    qtbot.waitUntil(lambda: "refunded" in status.currentMessage(), timeout=20_000)
    assert status.currentMessage() == f"Order {order.id}: $1.00 refunded; it is now partially_refunded."
    assert threads and threading.main_thread() not in threads
    model = charging_window.history_model
    assert model.data(model.index(0, STATUS)) == "Partly refunded"
    assert (details._fields["refunded"].text(), details.refund.isEnabled()) == ("$1.00", True)
    dialog = open_refund(qtbot, charging_window, order.id)
    assert dialog.amount.text() == "2.50"  # what is left
    dialog.reason.setText("the rest")
    dialog.accept()
    qtbot.waitUntil(lambda: model.data(model.index(0, STATUS)) == "Refunded", timeout=20_000)
    assert (details._fields["refunded"].text(), details.refund.isEnabled()) == ("$3.50", False)
    stored = charging_services.orders.get(order.id)
    assert (stored.status, stored.refunded_minor) == (OrderStatus.REFUNDED, 350)
    reasons = [entry.details_dict().get("reason") for entry in refunds(charging_services) if entry.outcome == "ok"]
    assert sorted(reasons) == ["cold coffee", "the rest"]


def test_a_cashier_refunds_with_a_supervisors_approval_for_that_refund_only(qtbot, charging_window,
                                                                            charging_services):
    from guihelpers import add_operator

    order = charged(charging_services)
    add_operator(charging_services, "supervisor-1")
    show_history(qtbot, charging_window, 1)
    assert select(qtbot, charging_window, order.id).refund.text() == "Refund (supervisor)…"
    dialog = open_refund(qtbot, charging_window, order.id)
    dialog.reason.setText("wrong order")
    dialog.accept()
    [approval] = [each for each in charging_window.findChildren(SupervisorDialog) if each.isVisible()]
    approval.login.setText("supervisor-1")
    qtbot.keyClicks(approval.secret, PASSWORD)
    with qtbot.waitSignal(approval.accepted, timeout=20_000):
        approval.approve()
    qtbot.waitUntil(lambda: charging_window.history_model.order_at(0).status is OrderStatus.REFUNDED,
                    timeout=10_000)
    [entry] = [entry for entry in refunds(charging_services) if entry.outcome == "ok"]
    assert entry.operator == "cashier-1"
    assert {key: entry.details_dict()[key] for key in ("approved_by", "reason")} == {
        "approved_by": "supervisor-1", "reason": "wrong order"}


def test_the_refund_dialog_refuses_too_much_and_no_reason_and_sends_nothing(qtbot, charging_window,
                                                                           charging_services, monkeypatch):
    order = charged(charging_services)
    sent = []
    monkeypatch.setattr(charging_services.processor, "refund", lambda *args, **kwargs: sent.append(args))
    show_history(qtbot, charging_window, 1)
    dialog = open_refund(qtbot, charging_window, order.id)
    dialog.amount.setText("9.99")
    dialog.reason.setText("too much")
    dialog.accept()
    assert dialog.isVisible() and dialog.message.text() == "At most $3.50 is left to refund on this order."
    dialog.amount.setText("1,00")
    dialog.accept()
    assert dialog.isVisible() and "Write the amount with a dot before the decimals" in dialog.message.text()
    dialog.amount.setText("1.00")
    dialog.reason.setText("")
    dialog.accept()
    assert dialog.isVisible() and "refund reason is empty" in dialog.message.text()
    dialog.reason.setText(f"card {VISA}")
    dialog.accept()
    assert dialog.isVisible() and "looks like a card number" in dialog.message.text()
    dialog.reject()
    qtbot.wait(100)
    assert sent == [] and refunds(charging_services) == []
    assert not any(each.isVisible() for each in charging_window.findChildren(SupervisorDialog))


def test_a_refund_the_processor_refuses_is_said_in_the_status_bar(qtbot, charging_window, charging_services,
                                                                 monkeypatch):
    order = charged(charging_services)
    charging_window.sign_out()
    sign_in(qtbot, charging_window, charging_services, "supervisor-1")

    def refused(*_args, **_kwargs):
        raise PaymentRefused("the card processor refused the refund: charge already refunded")

    monkeypatch.setattr(charging_services.processor, "refund", refused)
    show_history(qtbot, charging_window, 1)
    dialog = open_refund(qtbot, charging_window, order.id)
    dialog.reason.setText("cold coffee")
    dialog.accept()
    status = charging_window.statusBar()
    qtbot.waitUntil(lambda: "not refunded" in status.currentMessage(), timeout=20_000)
    assert status.currentMessage() == (f"Order {order.id} was not refunded: the card processor refused the refund: "
                                       "charge already refunded")
    assert QApplication.activeModalWidget() is None
    assert charging_services.orders.get(order.id).refunded_minor == 0  # given back when refused


@pytest.mark.parametrize("capture_method", ["manual"])
def test_a_supervisor_voids_an_authorization_which_the_processor_cancels(qtbot, charging_window, charging_services,
                                                                         localstripe):
    order = charged(charging_services)
    assert order.status is OrderStatus.AUTHORIZED
    charging_window.sign_out()
    sign_in(qtbot, charging_window, charging_services, "supervisor-1")
    show_history(qtbot, charging_window, 1)
    details = select(qtbot, charging_window, order.id)
    assert (details.void.isEnabled(), details.refund.isEnabled()) == (True, False)
    details.void.click()
    qtbot.waitUntil(lambda: charging_window.history_model.order_at(0).status is OrderStatus.VOIDED, timeout=20_000)
    assert details._fields["status"].text() == "Voided" and not details.void.isEnabled()
    assert charging_window.statusBar().currentMessage() == f"Order {order.id} voided."
    assert [intent["status"] for intent in localstripe.payment_intents()] == ["canceled"]


def test_a_back_office_operator_sees_neither_refund_nor_void(qtbot, signed_out_window, services):
    sell(services)
    sign_in(qtbot, signed_out_window, services, "backoffice-1")
    show_history(qtbot, signed_out_window, 1)
    details = select(qtbot, signed_out_window, signed_out_window.history_model.order_at(0).id)
    assert details.refund.isHidden() and details.void.isHidden()


def test_a_card_on_file_order_is_voided_not_refunded(qtbot, window, services):
    order = sell(services)
    show_history(qtbot, window, 1)
    details = select(qtbot, window, order.id)
    assert (details.void.isEnabled(), details.refund.isVisible(), details.refund.isEnabled()) == (True, True, False)


@pytest.mark.parametrize(("status", "voids", "refunds"), [
    (OrderStatus.RECORDED, True, False), (OrderStatus.AUTHORIZED, True, False), (OrderStatus.PAID, False, True),
    (OrderStatus.PARTIALLY_REFUNDED, False, True), (OrderStatus.REFUNDED, False, False),
    (OrderStatus.PENDING, False, False), (OrderStatus.DECLINED, False, False), (OrderStatus.VOIDED, False, False),
    (None, False, False)])
def test_each_status_enables_what_it_allows(qtbot, status, voids, refunds):
    details = OrderDetails(Localization.named("en_US", "UTC"))
    qtbot.addWidget(details)
    details.set_access(refunds=True, voids=True, asks_supervisor=False)
    order = Order(17, "Coffee", None, Money(350, "USD"), None, Brand.VISA, "4242", "till-01",
                  datetime.datetime(2026, 11, 29, 12, 0, tzinfo=datetime.timezone.utc), status=status,
                  processor="stripe", payment_reference="pi_1", captured_minor=350, refunded_minor=100)
    details.show_order(order)
    assert (details.void.isEnabled(), details.refund.isEnabled()) == (voids, refunds)
    assert details._fields["refunded"].text() == "$1.00"
