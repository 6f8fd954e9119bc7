"""The main window: checkout (F2) and order history (F3), with a status bar that says
which till this is, where cards and orders go, whether those backends answer, and when
something is still working."""

from __future__ import annotations

import logging
from importlib.metadata import version

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QMessageBox, QProgressBar, QTabWidget, QWidget

from posapp import doctor
from posapp.app import Services
from posapp.ui.checkout_view import CheckoutView
from posapp.ui.history_model import HistoryModel
from posapp.ui.history_view import HistoryView
from posapp.ui.swipe import KeyClock, SwipeCatcher, pressed_at
from posapp.ui.tasks import TaskRunner

log = logging.getLogger(__name__)

NOTICE_MS = 10_000


class MainWindow(QMainWindow):
    """Checkout and history tabs over ``services``; backend work runs on ``runner``, never here.

    ``dialogs``: show a failed start-up health check in a dialog too; ``health_checks``: run
    ``posapp doctor``'s health checks in the background at start; ``key_clock``: key times for swipe detection."""

    def __init__(self, services: Services, runner: TaskRunner, *, dialogs: bool = True,
                 health_checks: bool = True, key_clock: KeyClock = pressed_at, parent: QWidget | None = None):
        super().__init__(parent)
        self._services = services
        self._runner = runner
        self._dialogs = dialogs
        self.setWindowTitle(self.tr("posapp — %1").replace("%1", services.workstation))
        self.resize(1280, 800)

        # The services are built by the first background task that needs them, not here.
        self.checkout = CheckoutView(lambda: services.checkout, runner, currency=services.currency)
        # The history loads its first page when first shown, and more as the table scrolls.
        self.history_model = HistoryModel(lambda before, limit, where: services.orders.page(
            before=before, limit=limit, where=where), runner, self)
        self.history = HistoryView(self.history_model)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.checkout, self.tr("Checkout (F2)"))
        self.tabs.addTab(self.history, self.tr("Order history (F3)"))
        self.tabs.currentChanged.connect(self._tab_shown)
        self.setCentralWidget(self.tabs)

        QShortcut(QKeySequence(Qt.Key.Key_F2), self, lambda: self.tabs.setCurrentWidget(self.checkout))
        QShortcut(QKeySequence(Qt.Key.Key_F3), self, lambda: self.tabs.setCurrentWidget(self.history))
        QShortcut(QKeySequence(Qt.Key.Key_F5), self, self.history_model.refresh)

        self.workstation_label = QLabel(self.tr("Workstation: %1").replace("%1", services.workstation))
        self.backends_label = QLabel()
        self.backends_label.setToolTip(services.backends_text)
        self._show_backends(self.tr("checking…"))
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)  # indeterminate: "working"
        self.busy.setMaximumWidth(120)
        self.busy.setAccessibleName(self.tr("Working"))
        self.busy.hide()
        self.statusBar().addWidget(self.workstation_label)
        self.statusBar().addWidget(self.backends_label, 1)
        self.statusBar().addPermanentWidget(self.busy)
        runner.busy_changed.connect(self.busy.setVisible)
        runner.failed.connect(lambda message: self.statusBar().showMessage(message, NOTICE_MS))

        about = self.menuBar().addMenu(self.tr("&Help")).addAction(self.tr("&About posapp"))
        about.triggered.connect(self.show_about)

        # On the application, not on this window: a swipe must never type into any field of
        # any screen or dialog. Qt removes the filter by itself when the window is deleted.
        self.swipes = SwipeCatcher(self, clock=key_clock)
        self.swipes.swiped.connect(self._swiped)
        QApplication.instance().installEventFilter(self.swipes)
        self.checkout.name.setFocus()
        if health_checks:
            self._run_health_checks()

    def _show_backends(self, state: str) -> None:
        cards = self.tr("DynamoDB + KMS") if self._services.shared_vault else self.tr("local vault")
        orders = self.tr("MySQL") if self._services.shared_orders else self.tr("SQLite")
        self.backends_label.setText(self.tr("Cards: %1 · Orders: %2 · %3").replace("%1", cards)
                                    .replace("%2", orders).replace("%3", state))

    def _swiped(self, raw: str) -> None:
        taking_a_sale = (self.tabs.currentWidget() is self.checkout and not self.checkout.busy
                         and QApplication.activeModalWidget() is None)
        if taking_a_sale:
            self.checkout.accept_swipe(raw)
            return
        del raw  # a swipe meant for no sale is dropped, never typed or kept
        self.statusBar().showMessage(self.tr("A card swipe was ignored: swipe cards on the checkout screen (F2), "
                                             "during a sale."), NOTICE_MS)

    def _tab_shown(self, index: int) -> None:
        if self.tabs.widget(index) is self.history and not self.history_model.started:
            self.history.apply_filters()

    def _run_health_checks(self) -> None:
        self._runner.run(lambda: list(doctor.run(self._services)), self._show_health, owner=self)

    def _show_health(self, results: list[doctor.CheckResult]) -> None:
        failures = [result for result in results if not result.ok]
        self._show_backends(self.tr("all answering") if not failures
                            else self.tr("PROBLEM: %1").replace("%1", failures[0].detail))
        self.backends_label.setToolTip("\n".join(f"{r.name}: {r.detail}" for r in results))
        if failures:
            log.warning("start-up check failed: %s: %s", failures[0].name, failures[0].detail)
            if self._dialogs:
                box = QMessageBox(QMessageBox.Icon.Warning, self.tr("posapp"),
                                  self.tr("posapp cannot use its %1.").replace("%1", failures[0].name), parent=self)
                box.setInformativeText(failures[0].detail + "\n\n" + self.tr(
                    "Sales cannot be recorded until this is fixed. Check the network and the settings, or call "
                    "your administrator; 'posapp doctor' shows every check."))
                box.open()

    def show_about(self) -> None:
        """Open the About box (version, workstation, backends); returns at once."""
        box = QMessageBox(QMessageBox.Icon.Information, self.tr("About posapp"),
                          self.tr("posapp %1").replace("%1", version("posapp")), parent=self)
        box.setInformativeText(self.tr("Card-safe point of sale and billing.\n\nWorkstation: %1\n%2")
                               .replace("%1", self._services.workstation)
                               .replace("%2", self._services.backends_text))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def closeEvent(self, event) -> None:
        QApplication.instance().removeEventFilter(self.swipes)
        super().closeEvent(event)
