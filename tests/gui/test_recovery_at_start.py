"""At window start, once someone signs in, the orders a lost processor answer left pending are settled
in the background (as ``posapp payments recover`` does); the status bar says how many, and a
failure is a status-bar message too: never a dialog, never a frozen window."""

import datetime
import threading

import pytest
from guihelpers import sign_in
from kit import CASHIER, sale
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog

from posapp.card import Brand
from posapp.charging import PaymentPending
from posapp.checkout import CheckoutService
from posapp.clock import utc_now
from posapp.cvc import Cvc
from posapp.orders.status import OrderStatus
from posapp.payments import ProcessorOutcomeUnknown, ProcessorUnavailable
from posapp.ui.main_window import MainWindow

VISA = "4242424242424242"


@pytest.fixture
def pending_orders(charging_services, monkeypatch):
    """Two orders left pending five minutes ago (past recovery's grace): one the processor charged
    (its answer was lost), one it never saw."""
    services = charging_services
    services.paired()
    checkout = CheckoutService(services.vault, services.orders, workstation=services.workstation, operator=CASHIER,
                               processor=services.processor,
                               clock=lambda: utc_now() - datetime.timedelta(minutes=5))
    processor = services.processor
    real_authorize = processor.authorize

    def answer_lost(**charge):
        real_authorize(**charge)
        raise ProcessorOutcomeUnknown("the card processor's answer was lost: read timed out")

    def never_sent(**_charge):
        raise ProcessorUnavailable("the card processor cannot be reached: connection refused")

    ids = []
    for authorize in (answer_lost, never_sent):
        with monkeypatch.context() as patched:
            patched.setattr(processor, "authorize", authorize)
            with pytest.raises(PaymentPending) as pending:
                checkout.checkout(sale(number=VISA, cvc=Cvc.parse("123", Brand.VISA)))
        ids.append(pending.value.order_id)
    assert [services.orders.get(each).status for each in ids] == [OrderStatus.PENDING] * 2
    return ids


def open_window(qtbot, services, runner, key_clock):
    window = MainWindow(services, runner, dialogs=False, key_clock=key_clock)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_pending_orders_are_settled_after_sign_in_and_the_status_bar_says_how_many(
        qtbot, pending_orders, charging_services, runner, key_clock, localstripe):
    window = open_window(qtbot, charging_services, runner, key_clock)
    assert charging_services.orders.get(pending_orders[0]).status is OrderStatus.PENDING  # nothing before sign-in
    sign_in(qtbot, window, charging_services)
    qtbot.waitUntil(lambda: "settled" in window.statusBar().currentMessage(), timeout=20_000)
    assert window.statusBar().currentMessage() == "Payments: 2 pending orders settled with the processor."
    charged, never = (charging_services.orders.get(each) for each in pending_orders)
    assert (charged.status, never.status, never.decline_code) == (OrderStatus.PAID, OrderStatus.DECLINED,
                                                                  "not_charged")
    assert len(localstripe.payment_intents()) == 1  # asked, never charged again


def test_a_recovery_that_fails_is_a_status_bar_message_and_the_window_goes_on(
        qtbot, pending_orders, charging_services, runner, key_clock, monkeypatch):
    release = threading.Event()

    def down(*_args, **_kwargs):
        release.wait(30)  # a connect timeout, as long as the test wants: the window goes on meanwhile
        raise ProcessorUnavailable("the card processor cannot be reached: connection refused")

    monkeypatch.setattr(charging_services.processor, "find", down)
    window = open_window(qtbot, charging_services, runner, key_clock)
    sign_in(qtbot, window, charging_services)
    ticks = []
    timer = QTimer(interval=10)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    qtbot.waitUntil(lambda: len(ticks) >= 20, timeout=10_000)  # the event loop runs during the recovery
    timer.stop()
    assert "could not be settled" not in window.statusBar().currentMessage()
    release.set()
    qtbot.waitUntil(lambda: "could not be settled" in window.statusBar().currentMessage(), timeout=20_000)
    assert window.statusBar().currentMessage() == ("Pending payments could not be settled now: The card processor "
                                                   "is not answering. Cards cannot be charged until it is back: try "
                                                   "again in a few minutes, or call your administrator.")
    assert QApplication.activeModalWidget() is None
    assert not any(dialog.isVisible() for dialog in window.findChildren(QDialog))
    assert window.tabs.currentWidget() is window.checkout
    assert {charging_services.orders.get(each).status for each in pending_orders} == {OrderStatus.PENDING}


def test_it_runs_once_per_window(qtbot, charging_services, runner, key_clock, monkeypatch):
    from posapp.ui import recovery

    calls = []
    real_recover = recovery.recover
    monkeypatch.setattr(recovery, "recover", lambda *args, **kwargs: calls.append(1) or real_recover(*args, **kwargs))
    window = open_window(qtbot, charging_services, runner, key_clock)
    sign_in(qtbot, window, charging_services)
    qtbot.waitUntil(lambda: "no order was left pending" in window.statusBar().currentMessage(), timeout=20_000)
    window.sign_out()
    sign_in(qtbot, window, charging_services, "supervisor-1")
    runner.wait(10_000)
    assert calls == [1]


def test_without_a_processor_nothing_is_recovered(qtbot, window):
    assert not window.pending_payments._started
    assert "Payments" not in window.statusBar().currentMessage()


@pytest.mark.parametrize("settled, left, said", [
    (1, 0, "Payments: 1 pending order settled with the processor."),
    (3, 1, "Payments: 3 pending orders settled with the processor. 1 still pending: it is settled at the next start"),
    (0, 2, "Payments: 0 pending orders settled with the processor. 2 still pending: they are settled"),
])
def test_the_counts_are_said_in_the_right_number(qtbot, window, settled, left, said):
    from posapp.payment_recovery import Recovery

    heard = []
    window.pending_payments.said.connect(heard.append)
    window.pending_payments._done(Recovery(settled=[object()] * settled, left_pending=[(object(), "")] * left))
    assert heard[-1].startswith(said)
