"""The first-run dialog's **Test connection**: the doctor's checks of the shared backends the form
names, run in the background before anything is saved, each listed as passed or failed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QListWidget, QPushButton

from posapp import app, config, doctor, workstation_setup
from posapp.ui import announce
from posapp.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from posapp.ui.first_run import FirstRunDialog


class ConnectionTest(QObject):
    """The button and the list of results of ``dialog``'s connection test, run on ``runner``."""

    def __init__(self, dialog: FirstRunDialog, runner: TaskRunner):
        super().__init__(dialog)
        self._dialog, self._runner = dialog, runner
        self.button = QPushButton(self.tr("&Test connection"))
        self.button.setAccessibleName(self.tr("Test the connection to the shared backends"))
        self.button.setEnabled(False)  # the shared backends only: local mode has nothing to reach
        self.button.clicked.connect(self.run)
        self.results = QListWidget()
        self.results.setAccessibleName(self.tr("Connection test results"))
        self.results.setMaximumHeight(self.results.fontMetrics().lineSpacing() * 8)
        self.results.hide()

    def run(self) -> None:
        """Check the form as Save does; then, in the background, fetch what sealed materials need and
        run every check of ``posapp doctor`` on those settings, with the typed password."""
        dialog = self._dialog
        found = dialog.problems()
        dialog.show_problems(found)
        if found:
            return
        target, values, typed = dialog.target, dialog.values(), dialog.password.text()

        def work() -> list[doctor.CheckResult]:
            setup = workstation_setup.prepare(target, values, shared=False, password=lambda: typed)
            services = app.build(config.settings_of(target, setup.values), orders_password=lambda _url: setup.password)
            return list(doctor.run(services))

        self.button.setEnabled(False)
        self.results.clear()
        self.results.addItem(self.tr("Testing the connection…"))
        self.results.show()
        announce.announce(self.results, self.tr("Testing the connection…"))
        self._runner.run(work, self._show, self._failed, owner=self)

    def _show(self, results: list[doctor.CheckResult]) -> None:
        self.button.setEnabled(self._dialog.shared.isChecked())
        self.results.clear()
        for result in results:
            state = self.tr("passed") if result.ok else self.tr("FAILED")
            self.results.addItem(f"{'✓' if result.ok else '✗'} {result.name}: {state} — {result.detail}")
        failed = sum(not result.ok for result in results)
        said = (self.tr("Every check passed.") if not failed else self.tr("1 check failed.") if failed == 1
                else self.tr("%1 checks failed.").replace("%1", str(failed)))
        announce.announce(self.results, said, urgent=bool(failed))

    def _failed(self, message: str, error: Exception) -> None:
        self.button.setEnabled(self._dialog.shared.isChecked())
        self.results.clear()
        self.results.addItem(f"✗ {message}")
        self._dialog.show_failure(message, error)
