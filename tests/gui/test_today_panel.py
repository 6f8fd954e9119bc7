"""Today at this till: the signed-in operator's sales of the business day at this till, counted and
summed per currency by the database, refreshed off the GUI thread."""

import datetime
import threading

from kit import CASHIER, sale, sell

from posapp.access.roles import Role, SignedIn
from posapp.clock import utc_now
from posapp.money import Money
from posapp.orders.schema import order_history
from posapp.ui.today_panel import TodayPanel

OTHER = SignedIn("cashier-2", "Cashier Two", Role.CASHIER)


def test_today_counts_this_operators_sales_at_this_till_per_currency(qtbot, services, runner, monkeypatch):
    panel = TodayPanel(lambda: services.orders, runner, services.localization, services.workstation)
    qtbot.addWidget(panel)
    loc = services.localization
    panel.set_operator(CASHIER)
    qtbot.waitUntil(lambda: panel.text() == "Today: no sales yet")

    sell(services, "Latte", amount=Money(450, "USD"))
    panel.refresh()
    qtbot.waitUntil(lambda: panel.text() == f"Today: 1 sale · {loc.total(450, 'USD')}")

    sell(services, "Tea", amount=Money(250, "USD"))
    sell(services, "Croissant", amount=Money(200, "EUR"))
    services.checkout(OTHER).checkout(sale("Not mine", amount=Money(9900, "USD")))
    with services.orders.connection() as connection, connection.begin():  # yesterday's, and another till's
        for created, till in ((utc_now() - datetime.timedelta(days=2), services.workstation),
                              (utc_now(), "till-99")):
            connection.execute(order_history.insert(), {
                "OrderName": "Other", "amount_minor": 7700, "currency": "USD", "status": "recorded",
                "operator": CASHIER.login, "workstation": till, "created_at": created.replace(tzinfo=None),
                "captured_minor": 0, "refunded_minor": 0})
    threads = []
    real_totals = services.orders.totals
    monkeypatch.setattr(services.orders, "totals", lambda where: threads.append(threading.current_thread())
                        or real_totals(where))
    panel.refresh()
    qtbot.waitUntil(lambda: panel.text() == f"Today: 3 sales · {loc.total(200, 'EUR')} · {loc.total(700, 'USD')}")
    assert threads and threading.main_thread() not in threads

    panel.set_operator(None)
    runner.wait(10_000)
    assert panel.text() == ""


def test_the_checkout_shows_the_cashiers_day_and_counts_each_sale_made_there(qtbot, window):
    from cardgen import random_pan
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    view, today = window.checkout, window.today
    qtbot.waitUntil(lambda: today.text() == "Today: no sales yet", timeout=20_000)
    assert today.isVisible() and view.isAncestorOf(today)
    for number in (1, 2):
        for field, text in ((view.name, "Tea"), (view.amount, "3.50"), (view.card, random_pan("4", 16)),
                            (view.expiry, "1230")):
            field.setFocus()
            qtbot.keyClicks(field, text)
        QTest.keyClick(view.expiry, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: f"Order {number} recorded" in view.result.text(), timeout=20_000)
        sales = "1 sale" if number == 1 else "2 sales"
        qtbot.waitUntil(lambda: today.text() == f"Today: {sales} · ${3.5 * number:.2f}", timeout=20_000)
    window.sign_out()
    assert today.text() == ""  # nobody's day on the sign-in screen
