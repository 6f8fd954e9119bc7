"""The card number field: formats as typed, and the number cannot leave it.

The digits are visible while the cashier types (password echo on edit) and masked once the
field loses focus. Because the echo mode is not Normal, Qt never copies the text to the
clipboard or to the X11 selection; undo/redo, copy, cut, drag and the context menu are
switched off too, and every change of text goes through ``setText``, which drops Qt's undo
history, so the number can be erased without a trace left in the widget.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QLineEdit, QWidget

from posapp.card import Brand, brand_of
from posapp.pan_detect import normalize

_BLOCKED_KEYS = (QKeySequence.StandardKey.Undo, QKeySequence.StandardKey.Redo, QKeySequence.StandardKey.Copy,
                 QKeySequence.StandardKey.Cut)
MAX_DIGITS = 19


def group_sizes(brand: Brand | None) -> tuple[int, ...]:
    """How the card is printed: Amex 4-6-5, others in fours."""
    return (4, 6, 5) if brand is Brand.AMEX else (4, 4, 4, 4, 3)


def formatted(digits: str) -> str:
    """ASCII ``digits`` (a whole or partial number) grouped as printed for their brand, by spaces."""
    groups, start = [], 0
    for size in group_sizes(brand_of(digits)):
        if start >= len(digits):
            break
        groups.append(digits[start:start + size])
        start += size
    return " ".join(groups)


def _ascii_digits(text: str) -> str:
    return "".join(char for char in normalize(text) if char.isascii() and char.isdigit())


class CardNumberField(QLineEdit):
    """The card number as the cashier types it: at most 19 digits of any script, shown grouped."""

    digits_changed = Signal(str)  # the ASCII digits after each edit; "" once wiped

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setEchoMode(QLineEdit.EchoMode.PasswordEchoOnEdit)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.setDragEnabled(False)
        self.setAcceptDrops(False)
        self.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly | Qt.InputMethodHint.ImhSensitiveData
                                 | Qt.InputMethodHint.ImhNoPredictiveText)
        self.setMaxLength(MAX_DIGITS + 5)
        self.textEdited.connect(self._reformat)

    def digits(self) -> str:
        """The ASCII digits typed so far (not validated: ``Pan.parse`` does that)."""
        return "".join(char for char in self.text() if char.isascii() and char.isdigit())

    def wipe(self) -> None:
        """Erase the number; setText also empties Qt's undo history."""
        self.setText("")
        self.digits_changed.emit("")

    def _reformat(self, text: str) -> None:
        # Digits of any script (an input method's full-width ones) are the card's digits too.
        digits_before_cursor = len(_ascii_digits(text[:self.cursorPosition()]))
        digits = _ascii_digits(text)[:MAX_DIGITS]
        shown = formatted(digits)
        self.setText(shown)
        position, seen = 0, 0
        while position < len(shown) and seen < digits_before_cursor:
            seen += shown[position].isdigit()
            position += 1
        self.setCursorPosition(position)
        self.digits_changed.emit(digits)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if any(event.matches(key) for key in _BLOCKED_KEYS):
            event.accept()
            return
        super().keyPressEvent(event)
