"""The card verification code's field (CVC2, CVV2; CID on American Express).

Asked only where a processor charges the sale and the card is keyed: a swipe carries no code,
and a card kept on file must not have one (PCI DSS 3.3.1). It echoes dots as a PIN field does,
takes digits only (4 for American Express, else 3), and cannot be copied, dragged or undone.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QLineEdit, QWidget

from posapp.card import Brand
from posapp.pan_detect import normalize

_BLOCKED_KEYS = (QKeySequence.StandardKey.Undo, QKeySequence.StandardKey.Redo, QKeySequence.StandardKey.Copy,
                 QKeySequence.StandardKey.Cut, QKeySequence.StandardKey.Paste)
CVC_LENGTHS = {Brand.AMEX: 4}  # digits of the code by brand; 3 for every other brand


class CvcField(QLineEdit):
    """The card verification code as typed: hidden like a PIN, digits only (of any script, kept as
    ASCII), at most the brand's length (``set_brand``); ``wipe`` empties it without an undo."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setEchoMode(QLineEdit.EchoMode.Password)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.setDragEnabled(False)
        self.setAcceptDrops(False)
        self.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly | Qt.InputMethodHint.ImhSensitiveData
                                 | Qt.InputMethodHint.ImhNoPredictiveText | Qt.InputMethodHint.ImhHiddenText)
        self.set_brand(None)
        self.textEdited.connect(self._digits_only)

    def set_brand(self, brand: Brand | None) -> None:
        """Take at most ``brand``'s number of digits (4 for AMEX, else 3)."""
        self.setMaxLength(CVC_LENGTHS.get(brand, 3) if brand else max(CVC_LENGTHS.values()))

    def wipe(self) -> None:
        """Erase the code; setText also empties Qt's undo history."""
        self.setText("")

    def _digits_only(self, text: str) -> None:
        digits = "".join(char for char in normalize(text) if char.isascii() and char.isdigit())
        if digits != text:
            self.setText(digits[:self.maxLength()])

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if any(event.matches(key) for key in _BLOCKED_KEYS):
            event.accept()
            return
        super().keyPressEvent(event)
