"""The screens, driven as the demo till's operators use them, and shot: sign-in, checkout, a
decline, the receipt preview, the history filtered, an order's detail, the day report; then the
first-run dialog of a new till.

Widgets are found by the attributes the screens expose (``window.checkout.card``…); a missing one
fails the run with its name (``screenshots_capture.attribute``). Keys go where the focus is, as a
cashier's would: the Tab order, the quick keys and the card's moving on by itself are part of
what is shown.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from screenshots_capture import (
    WAIT_SECONDS,
    ScreenFailed,
    attribute,
    fill_screen,
    focused,
    press,
    settle,
    shoot,
    type_keys,
    wait_until,
)
from screenshots_demo import NEW_TILL, Operator, Shop, demo_card_number, demo_cvc, demo_expiry
from screenshots_receipt import receipt_preview

STATUS_MESSAGE_SECONDS = 15  # the window's notices last 10 s
FILTER_TEXT = "Table"  # the history's search: the tables' bills (screenshots_demo.TABLES)


class PersonPace:
    """Key times at a person's pace (0.12 s apart) for the swipe catcher: typed keys come faster
    than a reader's here, and "y" starts a track on a Turkish keyboard."""

    now = 1000.0

    def __call__(self, _event) -> float:
        self.now += 0.12
        return self.now


def render_window(shop: Shop, runner, out: Path, work: Path) -> None:
    """Every screen of the main window, as the cashier then the supervisor use it."""
    from posapp.ui.main_window import MainWindow

    window = MainWindow(shop.services, runner, dialogs=False, key_clock=PersonPace())
    try:
        fill_screen(window)
        sign_in(window, runner, shop.cashier, shot=out)
        order = checkout(window, out)
        decline(window, out)
        receipt_preview(shop.services, window.operator, order.id, out, work)
        press(Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)  # Session › Sign out
        wait_until(lambda: window.operator is None, "signed out after Ctrl+L")
        sign_in(window, runner, shop.supervisor)
        history(window, out)
        reports(window, out)
    finally:
        window.close()
        settle()


def sign_in(window, runner, operator: Operator, *, shot: Path | None = None) -> None:
    """Type ``operator``'s login, Tab, secret (shot into ``shot`` if given), Enter; wait until signed
    in, and until what the sign-in started in the background (on ``runner``) is done and said."""
    screen = attribute(window, "sign_in")
    login, secret = attribute(screen, "login"), attribute(screen, "secret")
    wait_until(lambda: login.isVisible(), "the sign-in screen shown")
    login.setFocus()
    focused(login, "the login field")
    type_keys(operator.login)
    press(Qt.Key.Key_Tab)
    focused(secret, "the secret field (Tab from the login)")
    type_keys(operator.secret)
    if shot is not None:
        shoot("sign-in", shot)
    press(Qt.Key.Key_Return)
    wait_until(lambda: window.operator is not None and window.operator.login == operator.login,
               f"{operator.name} signed in")
    # What the status bar says after a sign-in (payments recovered, say) covers who is signed in
    # for a few seconds: the pictures show it as it then stays.
    runner.wait(WAIT_SECONDS * 1000)
    wait_until(lambda: not window.statusBar().currentMessage(), "the status bar's sign-in message gone",
               seconds=STATUS_MESSAGE_SECONDS)


def checkout(window, out: Path):
    """A quick-key sale typed up to its card's code, shot; then charged. The paid order."""
    view = attribute(window, "checkout")
    name, card, expiry, cvc = (attribute(view, field) for field in ("name", "card", "expiry", "cvc"))
    buttons = attribute(attribute(view, "quick_keys"), "buttons")
    if len(buttons) < 2:
        raise ScreenFailed(f"checkout: {len(buttons)} quick key(s) shown, the demo till has more")
    focused(name, "the order name at sign-in")
    press(Qt.Key.Key_F6)  # the second quick key: Flat white
    wait_until(lambda: name.text() == "Flat white", "F6 filling in the second quick key")
    focused(card, "the card number after a quick key")
    type_keys(demo_card_number("4", 16))
    focused(expiry, "the expiry (a complete card number moves on by itself)")
    type_keys(demo_expiry())
    focused(cvc, "the card's security code (a complete expiry moves on by itself)")
    type_keys(demo_cvc())
    shoot("checkout", out)
    receipt = attribute(view, "receipt")
    press(Qt.Key.Key_Return)
    _sale_done(view)
    if receipt.order is None:
        raise ScreenFailed(f"checkout: the sale was not paid: {attribute(view, 'result').text()!r}")
    return receipt.order


def decline(window, out: Path) -> None:
    """A table's bill on the card localstripe declines, typed through the form, and its answer shot."""
    import localstripetest

    view = window.checkout
    focused(view.name, "the order name after a sale")
    type_keys("Table 4 dinner")
    press(Qt.Key.Key_Tab)
    focused(view.amount, "the amount (Tab from the order name)")
    type_keys("48.50")
    press(Qt.Key.Key_Tab)
    focused(view.card, "the card number (Tab from the amount)")
    type_keys(localstripetest.DECLINING)
    focused(view.expiry, "the expiry after the declining card")
    type_keys(demo_expiry())
    focused(view.cvc, "the code after the declining card")
    type_keys(demo_cvc())
    press(Qt.Key.Key_Return)
    _sale_done(view)
    if "Declined" not in view.result.text():
        raise ScreenFailed(f"decline: the checkout says {view.result.text()!r}, not the decline")
    shoot("decline", out)


def _sale_done(view) -> None:
    result = attribute(view, "result")
    wait_until(lambda: not view.busy and result.text() and not result.text().startswith("Charging"),
               "the checkout's answer from localstripe")


def history(window, out: Path) -> None:
    """The history searched for the tables' bills, one of them selected; then every order, with a
    partly refunded one in the detail pane."""
    from posapp.orders.status import OrderStatus

    press(Qt.Key.Key_F3)
    view = attribute(window, "history")
    model, table, search = (attribute(view, name) for name in ("model", "table", "search"))
    attribute(view, "details")
    wait_until(lambda: view.isVisible() and model.rowCount() > 0, "F3 showing the order history")
    everything = model.rowCount()
    search.setFocus()
    focused(search, "the history's search field")
    type_keys(FILTER_TEXT)

    def filtered() -> bool:
        rows = range(model.rowCount())
        return 0 < len(rows) < everything and all(FILTER_TEXT in model.order_at(row).name for row in rows)

    wait_until(filtered, f"the history searched for {FILTER_TEXT!r}")
    _select(view, lambda order: order.status is OrderStatus.DECLINED, "a declined table's bill")
    shoot("history-filter", out)

    search.clear()
    wait_until(lambda: model.rowCount() == everything, "the whole history again, the search cleared")
    _select(view, lambda order: order.status is OrderStatus.PARTIALLY_REFUNDED, "the partly refunded order")
    table.setFocus()  # the selected row as the back office sees it while reading
    shoot("detail", out)


def _select(view, wanted, what: str) -> None:
    model, details = view.model, view.details
    rows = [row for row in range(model.rowCount()) if wanted(model.order_at(row))]
    if not rows:
        raise ScreenFailed(f"history: no row shows {what}")
    view.table.selectRow(rows[0])
    order_id = model.order_at(rows[0]).id
    wait_until(lambda: details.order is not None and details.order.id == order_id, f"the detail pane of {what}")


def reports(window, out: Path) -> None:
    """F4: today's report of this till, as the supervisor reads it."""
    press(Qt.Key.Key_F4)
    view = attribute(window, "reports")
    text = attribute(view, "text")
    wait_until(lambda: view.isVisible() and attribute(view, "report") is not None and text.toPlainText(),
               "F4 showing today's report")
    shoot("reports", out)


def render_first_run(runner, home: Path, out: Path) -> None:
    """The first-run dialog as a new till without settings shows it, before any window."""
    from posapp import config
    from posapp.ui.first_run import FirstRunDialog

    new_home = home.parent / NEW_TILL
    new_home.mkdir()
    settings = config.load(env={**os.environ, "POSAPP_HOME": str(new_home)})
    if settings.files:
        raise ScreenFailed(f"first-run: this machine has settings files ({', '.join(map(str, settings.files))})")
    # A new till's id is its host name: the demo's, not that of the machine making the pictures.
    settings = dataclasses.replace(settings, workstation=dataclasses.replace(settings.workstation, id=NEW_TILL))
    dialog = FirstRunDialog(settings, runner, key_clock=PersonPace())
    try:
        dialog.show()
        dialog.activateWindow()
        wait_until(lambda: dialog.windowHandle() is not None and dialog.windowHandle().isExposed(),
                   "the first-run dialog shown")
        wait_until(lambda: QApplication.activeWindow() is dialog, "the first-run dialog active")
        shoot("first-run", out)
    finally:
        dialog.hide()
        dialog.deleteLater()
        settle()
