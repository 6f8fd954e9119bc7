"""Start the Qt application: the only entry point into the GUI."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from posapp import app, config, hardening
from posapp.config import Settings
from posapp.ui import look
from posapp.ui.display import NoDisplay, check_display
from posapp.ui.main_window import MainWindow
from posapp.ui.tasks import TaskRunner

SMOKE_RUN_MS = 100


def _application() -> QApplication:
    if QApplication.instance() is not None:
        return QApplication.instance()
    application = QApplication(sys.argv[:1])
    application.setApplicationName("posapp")
    look.apply(application)
    return application


def run(settings: Settings, *, smoke: bool = False, explicit: Path | None = None) -> int:
    """Open the window (after the first-run dialog on a till without settings) until it closes.

    ``explicit``: the ``--config`` file to reload after that dialog. ``smoke``: come up, then quit.
    Returns Qt's exit code (0 when the first-run dialog's Cancel chose to quit); raises NoDisplay
    without a screen, ConfigError for the reloaded settings."""
    check_display(os.environ)  # before Qt, which aborts the process without a screen
    hardening.harden()  # the window reads cards too: no core file, private files (idempotent)
    application = _application()
    runner = TaskRunner()
    saved = None
    if not settings.files and not smoke:
        from posapp.ui.first_run import FirstRunDialog, Leaving  # once per till: off the usual start-up path

        dialog = FirstRunDialog(settings, runner)
        if dialog.exec() == FirstRunDialog.DialogCode.Accepted:
            settings, saved = config.load(explicit), dialog.target
        elif dialog.leaving is Leaving.QUIT:
            runner.wait()
            return 0
    services = app.build(settings)
    # The smoke run checks that the window comes up; it leaves the backends alone.
    window = MainWindow(services, runner, dialogs=not smoke, health_checks=not smoke)
    if saved is not None:
        runner.run(lambda: services.note_settings_saved(saved), lambda _journalled: None, owner=window)
    window.show_for_screen()
    if smoke:
        # Run the event loop briefly: a bundle missing a Qt plugin fails here, not at a till.
        QTimer.singleShot(SMOKE_RUN_MS, application.quit)
    code = application.exec()
    runner.wait()
    return code


def show_startup_error(message: str) -> None:
    """A problem before the window exists (a bad settings file): a dialog, never a traceback.

    Without a screen the line on stderr is all there is."""
    try:
        check_display(os.environ)
    except NoDisplay:
        return
    _application()
    box = QMessageBox(QMessageBox.Icon.Critical, "posapp", "posapp cannot start.")
    box.setInformativeText(message + "\n\nFix the setting named above, or run 'posapp doctor' for details.")
    box.exec()
