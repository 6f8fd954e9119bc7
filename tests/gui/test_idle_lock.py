"""The idle lock (PCI DSS 8.2.8): after the configured time without input the window covers every
screen, wipes the card, and asks for a secret; the same operator resumes, another switches user."""

import pytest
from cardgen import random_pan
from guihelpers import add_operator, reader_types, sign_in, type_sign_in
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox

from posapp.orders.journal import JournalFilter
from posapp.ui.main_window import MainWindow

IDLE_MS = 1000  # the test's idle time; each key typed starts it again


@pytest.fixture
def window(qtbot, services, runner, key_clock):
    """A cashier's window that locks after IDLE_MS without input, a sale half-typed, the About box open."""
    window = MainWindow(services, runner, dialogs=False, health_checks=False, key_clock=key_clock,
                        idle_lock_ms=IDLE_MS)
    qtbot.addWidget(window)
    window.show()
    sign_in(qtbot, window, services, "cashier-1")
    view = window.checkout
    qtbot.keyClicks(view.name, "Table 4")
    qtbot.keyClicks(view.amount, "20.00")
    qtbot.keyClicks(view.card, random_pan("4", 16))
    qtbot.keyClicks(view.expiry, "12/30")
    window.show_about()
    yield window
    runner.wait(10_000)
    qtbot.wait(10)


def entries(services, action):
    """(operator, outcome) of the journal entries of ``action``, oldest first."""
    return [(entry.operator, entry.outcome) for entry in services.orders.journal.page(JournalFilter(action=action))]


def wait_for_lock(qtbot, window):
    qtbot.waitUntil(lambda: window.screens.currentWidget() is window.sign_in, timeout=10_000)


def test_the_idle_lock_covers_every_screen_and_wipes_the_card(qtbot, window, services):
    view = window.checkout
    assert view.card.digits() and any(box.isVisible() for box in window.findChildren(QMessageBox))
    wait_for_lock(qtbot, window)
    assert window.sign_in.heading.text() == "Locked"
    assert window.operator is None and window.status.operator_label.text() == "Locked"
    assert not any(box.isVisible() for box in window.findChildren(QMessageBox))
    assert (view.card.digits(), view.card.text(), view.expiry.text(), view.brand.text()) == ("", "", "", "")
    assert not view.expiry.isUndoAvailable()
    assert (window.sign_in.login.text(), window.sign_in.focusWidget()) == ("cashier-1", window.sign_in.secret)
    qtbot.waitUntil(lambda: entries(services, "idle-lock") == [("cashier-1", "ok")])


def test_the_same_operator_resumes_the_sale_without_its_card(qtbot, window, services):
    wait_for_lock(qtbot, window)
    type_sign_in(qtbot, window, "cashier-1")
    qtbot.waitUntil(lambda: window.operator is not None, timeout=10_000)
    view = window.checkout
    assert window.tabs.currentWidget() is view
    assert (view.name.text(), view.amount.text(), view.card.digits(), view.expiry.text()) == ("Table 4", "20.00", "", "")
    assert entries(services, "unlock-screen") == [("cashier-1", "ok")]
    assert entries(services, "switch-user") == []


def test_another_operator_switches_user_and_the_half_entered_sale_is_discarded(qtbot, window, services):
    add_operator(services, "cashier-2")
    wait_for_lock(qtbot, window)
    window.sign_in.login.setText("")
    type_sign_in(qtbot, window, "cashier-2")
    qtbot.waitUntil(lambda: window.operator is not None, timeout=10_000)
    view = window.checkout
    assert window.status.operator_label.text() == "Signed in: Cashier Two (cashier)"
    assert (view.name.text(), view.amount.text(), view.card.digits(), view.expiry.text()) == ("", "", "", "")
    qtbot.waitUntil(lambda: entries(services, "switch-user") == [("cashier-1", "ok")])
    assert entries(services, "unlock-screen") == [("cashier-2", "ok")]


def test_a_wrong_secret_at_the_lock_keeps_it_locked(qtbot, window, services):
    wait_for_lock(qtbot, window)
    type_sign_in(qtbot, window, "cashier-1", "905162")
    qtbot.waitUntil(lambda: "refused" in window.sign_in.message.text(), timeout=10_000)
    assert window.screens.currentWidget() is window.sign_in and window.operator is None
    assert window.checkout.name.text() == "Table 4"  # still the locked operator's, unseen


def test_a_card_readers_keys_count_as_input_though_no_field_sees_them(qtbot, services, runner, key_clock):
    window = MainWindow(services, runner, dialogs=False, health_checks=False, key_clock=key_clock,
                        idle_lock_ms=60_000)
    qtbot.addWidget(window)
    window.show()
    sign_in(qtbot, window, services, "cashier-1")
    [idle_time] = window.idle.findChildren(QTimer)
    qtbot.wait(300)  # idle for a while
    left_before = idle_time.remainingTime()
    reader_types(qtbot, window.checkout.name, key_clock, f"%B{random_pan('4', 16)}^DOE/JANE^3012101?")
    assert idle_time.remainingTime() > left_before  # the swipe started the idle time again
    qtbot.waitUntil(lambda: "Card swiped" in window.checkout.card_message.text())
    runner.wait(10_000)
