"""Start the Qt application: the only entry point into the GUI."""

from __future__ import annotations

import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from posapp.config import Settings
from posapp.ui.main_window import MainWindow

SMOKE_RUN_MS = 300


def run(settings: Settings, *, smoke: bool = False) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("posapp")
    window = MainWindow(settings)
    window.show()
    if smoke:
        # Run the event loop briefly: a bundle missing a Qt plugin fails here, not at a till.
        QTimer.singleShot(SMOKE_RUN_MS, app.quit)
    return app.exec()
