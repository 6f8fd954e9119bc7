"""A manager override: a supervisor signs in at the cashier's till for one action only.

The approval and the action run in one background task, so the approved operator exists for
that one action and is never kept: the next action needs a supervisor again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from posapp.ui import announce, look
from posapp.ui.tasks import TaskRunner


class SupervisorDialog(QDialog):
    """Asks a supervisor's login and secret to approve ``what`` (a sentence, e.g. "Void order 12").

    ``work(login, secret)`` runs on a worker thread: it gets the approval and does the action.
    ``succeeded(result)`` is emitted and the dialog accepted when it succeeds; a refusal is shown as one
    sentence and the secret must be typed again."""

    succeeded = Signal(object)

    def __init__(self, what: str, work: Callable[[str, str], Any], runner: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self._work = work
        self._runner = runner
        self._busy = False
        self.setWindowTitle(self.tr("Supervisor approval"))
        self.login = QLineEdit()
        self.login.setAccessibleName(self.tr("Supervisor login"))
        self.secret = QLineEdit()
        self.secret.setAccessibleName(self.tr("Supervisor password"))
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {look.ERROR};")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.approve_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.approve_button.setText(self.tr("Approve"))
        buttons.accepted.connect(self.approve)
        buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow(self.tr("Supervisor &login"), self.login)
        form.addRow(self.tr("&Password"), self.secret)
        layout = QVBoxLayout(self)
        explanation = QLabel(self.tr("%1 needs a supervisor. The supervisor signs in here for this action only.")
                             .replace("%1", what))
        explanation.setWordWrap(True)
        layout.addWidget(explanation)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.login.setFocus()

    def approve(self) -> None:
        """Check the supervisor and do the action in the background; ignored while that runs."""
        login, secret = self.login.text().strip(), self.secret.text()
        if self._busy or not login or not secret:
            return
        self.secret.setText("")  # setText also empties the undo history
        self._busy = True
        self.approve_button.setEnabled(False)
        announce.show(self.message, "")
        self._runner.run(lambda: self._work(login, secret), self._succeeded, self._failed, owner=self)

    def _succeeded(self, result: Any) -> None:
        self._busy = False
        self.succeeded.emit(result)
        self.accept()

    def _failed(self, message: str, _error: Exception) -> None:
        self._busy = False
        self.approve_button.setEnabled(True)
        announce.show(self.message, message, urgent=True)
        self.secret.setFocus()

    def reject(self) -> None:
        """Close without approving; the typed secret is wiped."""
        self.secret.setText("")
        super().reject()
