"""The main window: the frame that the checkout and history screens live in."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMainWindow, QWidget, QVBoxLayout

from posapp.config import Settings


class MainWindow(QMainWindow):
    def __init__(self, settings: Settings, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("posapp"))
        self.resize(1280, 800)

        welcome = QLabel(self.tr(
            "<h1>posapp</h1>"
            "<p>Card numbers are tokenized, encrypted and signed on this workstation; "
            "order history keeps only the token and the masked card.</p>"
            "<p>Record sales with <code>posapp order new --card-stdin</code> and browse them with "
            "<code>posapp order list</code>.</p>"))
        welcome.setAlignment(Qt.AlignmentFlag.AlignCenter)
        welcome.setWordWrap(True)
        welcome.setTextFormat(Qt.TextFormat.RichText)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(welcome)
        self.setCentralWidget(central)

        self.workstation_label = QLabel(self.tr("Workstation: %1").replace("%1", settings.workstation.id))
        self.backends_label = QLabel(self.tr("Cards: %1 vault").replace("%1", settings.vault.backend.value))
        self.statusBar().addWidget(self.workstation_label)
        self.statusBar().addPermanentWidget(self.backends_label)
