"""The main window's status bar: who is signed in, the till, where cards and orders go and whether
those answer, a busy bar, and every message, announced to screen readers.

A backend's failure reads as a sentence about what to do; its technical detail (a host, a URL, an
error number) is kept for **Details…**, a button only an administrator sees.
"""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QProgressBar, QPushButton, QWidget

from posapp import doctor
from posapp.access.roles import Role, SignedIn
from posapp.app import Services
from posapp.ui import announce
from posapp.ui.tasks import TaskRunner

log = logging.getLogger(__name__)

NOTICE_MS = 10_000


class StatusLine(QWidget):
    """Fills ``window``'s status bar for ``services``; shows ``runner``'s work and its failures."""

    def __init__(self, window: QMainWindow, services: Services, runner: TaskRunner):
        super().__init__(window)
        self._services = services
        self._administrator = False
        self._problem: tuple[str, str] | None = None  # the last (sentence shown, detail) of a failure
        bar = self.bar = window.statusBar()
        self.operator_label = QLabel()
        self.operator_label.setAccessibleName(self.tr("Signed-in operator"))
        self.workstation_label = QLabel(self.tr("Workstation: %1").replace("%1", services.workstation))
        self.workstation_label.setAccessibleName(self.tr("Workstation"))
        self.backends_label = QLabel()
        self.backends_label.setAccessibleName(self.tr("Backends"))
        self.show_backends(self.tr("checking…"))
        self.details_button = QPushButton(self.tr("Details…"))
        self.details_button.setAccessibleName(self.tr("Details of the last problem"))
        self.details_button.clicked.connect(self.show_details)
        self.details_button.hide()
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)  # indeterminate: "working"
        self.busy.setMaximumWidth(120)
        self.busy.setAccessibleName(self.tr("Working"))
        self.busy.hide()
        bar.addWidget(self.workstation_label)
        bar.addWidget(self.backends_label, 1)
        # Permanent: a message hides the bar's other widgets, and who is signed in must always show.
        bar.addPermanentWidget(self.operator_label)
        bar.addPermanentWidget(self.details_button)
        bar.addPermanentWidget(self.busy)
        bar.messageChanged.connect(lambda text: announce.announce(bar, text))
        runner.busy_changed.connect(self.busy.setVisible)
        runner.failed.connect(lambda message: self.say(message))
        runner.problem.connect(self.keep_problem)

    def say(self, message: str, msecs: int = NOTICE_MS) -> None:
        """Show ``message`` for ``msecs`` (0: until the next one) and announce it."""
        self.bar.showMessage(message, msecs)

    def show_backends(self, state: str) -> None:
        """Name where cards and orders go, and ``state`` ("all answering", a problem)."""
        cards = self.tr("DynamoDB + KMS") if self._services.shared_vault else self.tr("local vault")
        orders = self.tr("MySQL") if self._services.shared_orders else self.tr("SQLite")
        self.backends_label.setText(self.tr("Cards: %1 · Orders: %2 · %3").replace("%1", cards)
                                    .replace("%2", orders).replace("%3", state))

    def signed_in(self, operator: SignedIn | None, *, locked: bool = False) -> None:
        """Name ``operator`` (None: nobody, or ``locked``); Details… is for an administrator only."""
        if operator is None:
            self.operator_label.setText(self.tr("Locked") if locked else self.tr("Nobody signed in"))
        else:
            self.operator_label.setText(self.tr("Signed in: %1 (%2)").replace("%1", operator.name)
                                        .replace("%2", operator.role.value))
        self._administrator = operator is not None and operator.role is Role.ADMIN
        self._offer_details()

    def keep_problem(self, shown: str, detail: str) -> None:
        """Keep the detail of a failure whose sentence ``shown`` leaves it out (the last one only)."""
        self._problem = (shown, detail)
        self._offer_details()

    def _offer_details(self) -> None:
        self.details_button.setVisible(self._administrator and self._problem is not None)

    def show_details(self) -> None:
        """The last problem's sentence, with its detail under Details (administrators only); returns at once."""
        if not self._administrator or self._problem is None:
            return
        shown, detail = self._problem
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("posapp: the last problem"), shown, parent=self.window())
        box.setDetailedText(detail)
        box.open()

    def show_health(self, results: list[doctor.CheckResult], *, dialog: bool) -> None:
        """Say whether the start-up checks passed; a failure in a dialog too (``dialog``)."""
        failures = [result for result in results if not result.ok]
        self.show_backends(self.tr("all answering") if not failures
                           else self.tr("PROBLEM: %1").replace("%1", failures[0].name))
        self.backends_label.setToolTip("\n".join(
            f"{result.name}: " + (self.tr("passed") if result.ok else self.tr("FAILED")) for result in results))
        if not failures:
            return
        failed = failures[0]
        log.warning("start-up check failed: %s: %s", failed.name, failed.detail)
        self.keep_problem(failed.advice, f"{failed.name}: {failed.detail}")
        if dialog:
            box = QMessageBox(QMessageBox.Icon.Warning, self.tr("posapp"),
                              self.tr("posapp cannot use its %1.").replace("%1", failed.name), parent=self.window())
            box.setInformativeText(failed.advice + "\n\n" + self.tr(
                "An administrator finds the detail under Details… in the status bar once signed in, and every "
                "check with 'posapp doctor'."))
            box.open()
