"""The baseline of gui_start: the least a PySide6 main window costs to start (same as --smoke)."""

import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

application = QApplication(sys.argv[:1])
window = QMainWindow()
window.setCentralWidget(QLabel("bare"))
window.resize(1280, 800)
window.show()
QTimer.singleShot(100, application.quit)  # posapp gui --smoke runs its event loop as long
sys.exit(application.exec())
