"""The two receipt buttons, "Print receipt" (Alt+P) and "Save receipt…" (Alt+V), for one order: shown
under the checkout after a sale and in the order history's detail pane."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from posapp.orders import Order

PRINT, SAVE = "print", "save"


class ReceiptButtons(QWidget):
    """Print and Save for the order :meth:`show_order` was given, hidden without one or for an
    operator who may not print receipts (:meth:`set_allowed`). ``requested(order, how)``: a button
    was pressed, ``how`` is ``PRINT`` or ``SAVE``."""

    requested = Signal(object, str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.order: Order | None = None
        self._allowed = False
        # Mnemonics, not global shortcuts: only the visible screen's buttons answer Alt+P and Alt+V.
        self.print_receipt = QPushButton(self.tr("&Print receipt"))
        self.print_receipt.setAccessibleName(self.tr("Print the receipt of this order"))
        self.save_receipt = QPushButton(self.tr("Sa&ve receipt…"))
        self.save_receipt.setAccessibleName(self.tr("Save the receipt of this order as a PDF file"))
        self.print_receipt.clicked.connect(lambda: self._request(PRINT))
        self.save_receipt.clicked.connect(lambda: self._request(SAVE))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.print_receipt)
        layout.addWidget(self.save_receipt)
        layout.addStretch(1)
        self.show_order(None)

    def set_allowed(self, allowed: bool) -> None:
        """Whether the signed-in operator may print receipts (else the buttons stay hidden)."""
        self._allowed = allowed
        self.show_order(self.order)

    def show_order(self, order: Order | None) -> None:
        """Offer the receipt of ``order`` (None: nothing to offer: hidden)."""
        self.order = order
        self.setVisible(order is not None and self._allowed)

    def _request(self, how: str) -> None:
        if self.order is not None and self._allowed:
            self.requested.emit(self.order, how)
