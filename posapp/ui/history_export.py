"""Export… in the order history: the orders the history's filter selects, as a new CSV file, written
in the background (``posapp.reports.export``); how far it got and how it ended in the history's
status line. Back office and administrators only: the button is shown to them, and the service
checks the permission again."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from posapp.access.roles import SignedIn
from posapp.app import Services
from posapp.reports.export import export_csv
from posapp.ui import announce
from posapp.ui.history_footer import counted
from posapp.ui.history_view import HistoryView
from posapp.ui.messages import sentence
from posapp.ui.tasks import TaskRunner

# Asks where to write; the path, or None when the question was cancelled. Tests pass their own.
ChooseFile = Callable[[QWidget], str | None]
PROGRESS_EVERY = 10_000  # orders between two progress messages


def ask_for_file(parent: QWidget) -> str | None:
    """A save dialog for a new CSV file (".csv" added to a name without it); None if cancelled. It
    does not offer to overwrite: an existing file is refused by the export, which never overwrites."""
    default = f"orders-{datetime.date.today().isoformat()}.csv"
    dialog = QFileDialog(parent, parent.tr("Export orders"), default, parent.tr("CSV files (*.csv)"))
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setDefaultSuffix("csv")
    dialog.setOption(QFileDialog.Option.DontConfirmOverwrite)
    return dialog.selectedFiles()[0] if dialog.exec() and dialog.selectedFiles() else None


class HistoryExport(QObject):
    """Runs ``history``'s Export… button for ``operator()`` (None: nobody signed in: nothing is done),
    over ``services`` on ``runner``; ``choose_file`` asks for the new file (tests replace it)."""

    progressed = Signal(int)  # orders written so far; emitted on the worker, shown on the GUI thread

    def __init__(self, services: Services, runner: TaskRunner, operator: Callable[[], SignedIn | None],
                 history: HistoryView, *, choose_file: ChooseFile = ask_for_file):
        super().__init__(history)
        self._services = services
        self._runner = runner
        self._operator = operator
        self._history = history
        self.choose_file = choose_file
        self.running = False
        history.export.clicked.connect(self.start)
        self.progressed.connect(self._show_progress)

    def start(self) -> None:
        """Ask for the file, then export the orders of the history's current filter to it."""
        operator, history = self._operator(), self._history
        if operator is None or self.running:
            return
        try:
            where = history.current_filter()
        except ValueError as error:
            announce.show(history.message, sentence(error), urgent=True)
            return
        chosen = self.choose_file(history)
        if not chosen:
            return
        target, services = Path(chosen), self._services
        self.running = True
        history.export.setEnabled(False)
        announce.show(history.message, self.tr("Exporting orders to %1…").replace("%1", str(target)))

        def export() -> int:
            return export_csv(services.orders, operator, where, target, localization=services.localization,
                              progress=self.progressed.emit, every=PROGRESS_EVERY)

        self._runner.run(export, lambda rows: self._done(
                             counted("Exported %n order to %2.", "Exported %n orders to %2.", rows)
                             .replace("%2", str(target))),
                         lambda message, _error: self._done(self.tr("Nothing was exported: %1").replace(
                             "%1", message)), owner=self)

    def _show_progress(self, rows: int) -> None:
        if self.running:
            self._history.message.setText(self.tr("Exporting orders… %1 written").replace("%1", f"{rows:,}"))

    def _done(self, said: str) -> None:
        self.running = False
        self._history.export.setEnabled(True)
        announce.show(self._history.message, said)
