"""The main window: sign-in first, then checkout (F2), order history (F3) and reports (F4) as the operator's
role allows; a status bar says who is signed in, the till, where cards and orders go, whether those answer
and when work is under way. Sign out (Ctrl+L) and the idle lock return to the sign-in screen. Where a
processor charges, pending orders are settled in the background after the first sign-in (``ui.recovery``)."""

from __future__ import annotations

from importlib.metadata import version

from PySide6.QtCore import QRect, QSize, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QStyle,
    QTabWidget,
    QWidget,
)

from posapp import doctor
from posapp.access.roles import Permission, SignedIn
from posapp.audit.chain import ANCHOR_AGE
from posapp.app import Services
from posapp.orders import Order
from posapp.ui.checkout_view import CheckoutView
from posapp.ui.history_export import HistoryExport
from posapp.ui.history_model import HistoryModel
from posapp.ui.history_view import HistoryView
from posapp.ui.idle import IdleWatch
from posapp.ui.order_actions import OrderActions
from posapp.ui.receipt_actions import ReceiptActions
from posapp.ui.recovery import PendingPayments
from posapp.ui.reports_view import ReportsView
from posapp.ui.sign_in import SignInScreen
from posapp.ui.status_line import StatusLine
from posapp.ui.swipe import KeyClock, SwipeCatcher, pressed_at
from posapp.ui.tasks import TaskRunner
from posapp.ui.today_panel import TodayPanel

TILL_SCREEN = QSize(1366, 768)  # a till's screen is this large or smaller: the window fills it
ROOMY = QSize(1280, 800)  # the window's size on a larger (back-office) screen, centred on it


def placement(screen: QRect, available: QRect) -> QRect | None:
    """Where the window goes on a screen of ``screen`` size with ``available`` room (without panels):
    None to fill it (maximized), on a till's screen up to TILL_SCREEN; else ROOMY, centred."""
    if screen.width() <= TILL_SCREEN.width() and screen.height() <= TILL_SCREEN.height():
        return None
    return QStyle.alignedRect(Qt.LayoutDirection.LeftToRight, Qt.AlignmentFlag.AlignCenter,
                              ROOMY.boundedTo(available.size()), available)


class MainWindow(QMainWindow):
    """The sign-in screen, then checkout and history tabs over ``services``; backend work runs on
    ``runner``, never here.

    ``dialogs``: show a failed start-up health check in a dialog too; ``health_checks``: run
    ``posapp doctor``'s health checks in the background at start, and ask whether any operator exists
    (else the first administrator is created when a sign-in finds none); ``key_clock``: key times for swipe
    detection; ``idle_lock_ms``: input-free time before the lock (default ``[access] idle_lock_minutes``)."""

    def __init__(self, services: Services, runner: TaskRunner, *, dialogs: bool = True,
                 health_checks: bool = True, key_clock: KeyClock = pressed_at, idle_lock_ms: int | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._services = services
        self._runner = runner
        self._dialogs = dialogs
        self.operator: SignedIn | None = None
        self._locked: SignedIn | None = None  # who was signed in when the idle lock came
        self.setWindowTitle(self.tr("posapp — %1").replace("%1", services.workstation))

        self.sign_in = SignInScreen(lambda: services.operators, runner, workstation=services.workstation,
                                    look_for_operators=health_checks)
        self.sign_in.signed_in.connect(self._signed_in)
        # The services are built by the first background task that needs them, not here.
        self.today = TodayPanel(lambda: services.orders, runner, services.localization, services.workstation)
        self.checkout = CheckoutView(services.checkout, runner, currency=services.currency,
                                     localization=services.localization, charges=services.charges_cards,
                                     quick_keys=services.quick_keys, today=self.today)
        self.checkout.sale_finished.connect(self.today.refresh)
        # The history loads its first page when first shown, and more as the table scrolls.
        self.history_model = HistoryModel(lambda: services.orders, runner, services.localization, self)
        self.history = HistoryView(self.history_model, services.localization)
        self.checkout.sale_finished.connect(self.history.sale_recorded)  # it reloads if shown
        self.actions = OrderActions(services, runner, lambda: self.operator, self)
        self.export = HistoryExport(services, runner, lambda: self.operator, self.history)
        self.history.void_requested.connect(self.actions.void)
        self.history.refund_requested.connect(self.actions.refund)
        self.actions.done.connect(self._order_changed)
        self.status = StatusLine(self, services, runner)
        self.actions.failed.connect(lambda message: self.status.say(message, 0))  # stays until the next: read it
        self.receipts = ReceiptActions(services, runner, lambda: self.operator, self)
        self.checkout.receipt_requested.connect(self.receipts.request)
        self.history.receipt_requested.connect(self.receipts.request)
        self.receipts.said.connect(lambda message: self.status.say(message, 0))
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName(self.tr("Screens"))
        self.tabs.addTab(self.checkout, self.tr("Checkout (F2)"))
        self.tabs.addTab(self.history, self.tr("Order history (F3)"))
        self.reports = ReportsView(services, runner, lambda: self.operator)
        self.tabs.addTab(self.reports, self.tr("Reports (F4)"))
        self.tabs.currentChanged.connect(self._tab_shown)
        self.screens = QStackedWidget()
        self.screens.addWidget(self.sign_in)
        self.screens.addWidget(self.tabs)
        self.setCentralWidget(self.screens)

        # Only while someone is signed in: the sign-in screen has no other screen to switch to.
        self._work_shortcuts = [
            QShortcut(QKeySequence(Qt.Key.Key_F2), self, lambda: self._show_tab(self.checkout)),
            QShortcut(QKeySequence(Qt.Key.Key_F3), self, lambda: self._show_tab(self.history)),
            QShortcut(QKeySequence(Qt.Key.Key_F4), self, lambda: self._show_tab(self.reports)),
            QShortcut(QKeySequence(Qt.Key.Key_F5), self.history, self.history.reload,
                      Qt.ShortcutContext.WidgetWithChildrenShortcut)]

        # Orders a lost processor answer left pending are settled after the first sign-in.
        self.pending_payments = PendingPayments(services, runner, self)
        self.pending_payments.said.connect(self.status.say)
        self.pending_payments.settled.connect(self.history.reload)

        self.sign_out_action = self.menuBar().addMenu(self.tr("&Session")).addAction(self.tr("Sign &out"))
        self.sign_out_action.setShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_L))
        self.sign_out_action.triggered.connect(self.sign_out)
        about = self.menuBar().addMenu(self.tr("&Help")).addAction(self.tr("&About posapp"))
        about.triggered.connect(self.show_about)

        # On the application, not on this window: a swipe must never type into any field of
        # any screen or dialog. Qt removes the filter by itself when the window is deleted.
        self.swipes = SwipeCatcher(self, clock=key_clock)
        self.swipes.swiped.connect(self._swiped)
        QApplication.instance().installEventFilter(self.swipes)
        # Installed after the swipe catcher, so Qt asks it first: a reader's keys count as input too.
        self.idle = IdleWatch(idle_lock_ms or services.idle_lock_minutes * 60_000, self)
        self.idle.idle.connect(self.lock)
        QApplication.instance().installEventFilter(self.idle)
        self._signed_out()
        # The newest journal entries are anchored at least this often, also while a till is quiet.
        self._anchor_timer = QTimer(self, interval=int(ANCHOR_AGE.total_seconds() * 1000))
        self._anchor_timer.timeout.connect(
            lambda: self._runner.run(services.anchor_journal, lambda _none: None, owner=self))
        self._anchor_timer.start()
        if health_checks:
            self._run_health_checks()

    def show_for_screen(self) -> None:
        """Show the window maximized on a till's screen (up to 1366×768), else 1280×800 centred on its screen."""
        screen = self.screen()
        where = placement(screen.geometry(), screen.availableGeometry())
        if where is None:
            self.setGeometry(screen.availableGeometry())  # a kiosk session has no window manager to maximize
            self.showMaximized()
            return
        self.setGeometry(where)
        self.show()

    # -- who is signed in ------------------------------------------------------------

    def _signed_in(self, operator: SignedIn) -> None:
        previous, self._locked = self._locked, None
        if previous is not None and previous.login != operator.login:
            # Another operator at a locked till: the sale was not theirs to finish.
            self._journal(lambda: self._services.operators.sign_out(previous, action="switch-user"))
            self._forget_work()
        self.operator = self.checkout.operator = operator
        self.status.signed_in(operator)
        sells = operator.may(Permission.SELL)
        self.today.set_operator(operator if sells else None)
        every_till = operator.may(Permission.ALL_ORDERS)
        self.tabs.setTabVisible(self.tabs.indexOf(self.checkout), sells)
        self.tabs.setTabVisible(self.tabs.indexOf(self.history),
                                every_till or operator.may(Permission.OWN_TILL_ORDERS))
        self.tabs.setTabVisible(self.tabs.indexOf(self.reports), self.reports.set_access(operator))
        # A till's operators (who sell) may ask a supervisor to approve a void or a refund.
        self.history.set_access(only_workstation=None if every_till else self._services.workstation,
                                voids=operator.may(Permission.VOID), refunds=operator.may(Permission.REFUND),
                                asks_supervisor=sells, receipts=operator.may(Permission.PRINT_RECEIPTS),
                                exports=operator.may(Permission.EXPORT), advanced=operator.may(Permission.VAULT))
        self._set_working(True)
        self.pending_payments.signed_in(operator)
        if previous is None or previous.login != operator.login:
            self._show_tab(self.checkout if sells else self.history)
        if self.tabs.currentWidget() is self.history and not self.history_model.started:
            self.history.apply_filters()
        if self.tabs.currentWidget() is self.checkout:
            self.checkout.name.setFocus()
        elif self.tabs.currentWidget() is self.history:
            self.history.search.setFocus()  # back office's first key is a search, not the tab bar

    def sign_out(self) -> None:
        """Sign the operator out (Ctrl+L): journalled, the sale discarded, back to the sign-in screen."""
        operator = self.operator
        if operator is None:
            return
        self._journal(lambda: self._services.operators.sign_out(operator))
        self._forget_work()
        self._signed_out()

    def lock(self) -> None:
        """The idle lock: cover every screen and dialog, wipe the card, ask for a secret again."""
        operator = self.operator
        if operator is None:
            return
        self.checkout.wipe_card()
        self._journal(lambda: self._services.operators.sign_out(operator, action="idle-lock"))
        self._signed_out(locked=operator)

    def _signed_out(self, *, locked: SignedIn | None = None) -> None:
        self.operator = self.checkout.operator = None
        self.today.set_operator(None)
        self._locked = locked
        for dialog in self.findChildren(QDialog):  # an open dialog is never left over the sign-in screen
            if dialog.isVisible():
                dialog.reject()
        if QApplication.activePopupWidget() is not None:  # the currency menu, say
            QApplication.activePopupWidget().close()
        self._set_working(False)
        self.status.signed_in(None, locked=locked is not None)
        self.sign_in.ask(locked)

    def _set_working(self, working: bool) -> None:
        self.screens.setCurrentWidget(self.tabs if working else self.sign_in)
        self.sign_out_action.setEnabled(working)
        for shortcut in self._work_shortcuts:
            shortcut.setEnabled(working)
        if working:
            self.idle.arm()
        else:
            self.idle.disarm()

    def _forget_work(self) -> None:
        self.checkout.discard_sale()
        self.history.forget()

    def _journal(self, work) -> None:
        # A journal entry that cannot be written is said in the status bar; the screen locks anyway.
        # A session's end anchors its newest entries, so that deleting them is caught too.
        def journal_and_anchor() -> None:
            work()
            self._services.anchor_journal()

        self._runner.run(journal_and_anchor, lambda _none: None, owner=self)

    def _show_tab(self, screen: QWidget) -> None:
        if self.tabs.isTabVisible(self.tabs.indexOf(screen)):
            self.tabs.setCurrentWidget(screen)

    # -- voids and refunds -------------------------------------------------------------

    def _order_changed(self, order: Order, said: str) -> None:
        self.status.say(said)
        self.history.order_changed(order)

    def _swiped(self, raw: str) -> None:
        taking_a_sale = (self.screens.currentWidget() is self.tabs and self.tabs.currentWidget() is self.checkout
                         and not self.checkout.busy and QApplication.activeModalWidget() is None)
        if taking_a_sale:
            self.checkout.accept_swipe(raw)
            return
        del raw  # a swipe meant for no sale is dropped, never typed or kept
        self.status.say(self.tr("A card swipe was ignored: swipe cards on the checkout screen (F2), during a sale."))

    def _tab_shown(self, index: int) -> None:
        if self.tabs.widget(index) is self.history and not self.history_model.started:
            self.history.apply_filters()

    def _run_health_checks(self) -> None:
        self._runner.run(lambda: list(doctor.run(self._services)),
                         lambda results: self.status.show_health(results, dialog=self._dialogs), owner=self)

    def show_about(self) -> None:
        """Open the About box (version, workstation; where cards and orders go for those who change
        settings: it names the database's address); returns at once."""
        box = QMessageBox(QMessageBox.Icon.Information, self.tr("About posapp"),
                          self.tr("posapp %1").replace("%1", version("posapp")), parent=self)
        shows_backends = self.operator is not None and self.operator.may(Permission.SETTINGS)
        box.setInformativeText(self.tr("Card-safe point of sale and billing.\n\nWorkstation: %1\n%2")
                               .replace("%1", self._services.workstation)
                               .replace("%2", self._services.backends_text if shows_backends else ""))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def closeEvent(self, event) -> None:
        """Stop watching the application's input when the window closes."""
        QApplication.instance().removeEventFilter(self.swipes)
        QApplication.instance().removeEventFilter(self.idle)
        super().closeEvent(event)
