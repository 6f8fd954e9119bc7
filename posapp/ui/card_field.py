"""The card number field: formats as typed, and the number cannot leave it.

The digits are visible while the cashier types (password echo on edit). Once the field loses
focus, and after a swipe, it shows the card as every other screen does, "VISA •••• 4242"
(``show_masked``), never a row of dots; the digits then stay only in the field's memory. A
cashier who comes back to the field (Tab, a click, a shortcut) finds it empty and types the
number again, as at any POS: the digits are never shown again. While typing, the echo mode is
not Normal, so Qt never copies the text to the clipboard or to the X11 selection; undo/redo,
copy, cut, drag and the context menu are switched off too, and every change of text goes
through ``setText``, which drops Qt's undo history, so the number can be erased without a
trace left in the widget.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QLineEdit, QWidget

from posapp.card import MASK, Brand, brand_of
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
    """The card number as the cashier types it: at most 19 digits of any script, shown grouped,
    and shown masked once the cashier has left the field."""

    digits_changed = Signal(str)  # the ASCII digits after each edit; "" once wiped
    reentered = Signal()  # the cashier chose the masked field again, or typed over it: it was wiped
    # The cashier choosing the field: a click, Tab, Shift+Tab or its Alt key. Focus that comes back
    # otherwise (the window was inactive, a question was open, Enter pointed at the card's problem)
    # keeps the masked card and the message about it; a key typed into it starts a new number.
    _CHOSEN = (Qt.FocusReason.MouseFocusReason, Qt.FocusReason.TabFocusReason, Qt.FocusReason.BacktabFocusReason,
               Qt.FocusReason.ShortcutFocusReason)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._digits = ""
        self._masked = False
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
        return self._digits

    @property
    def masked(self) -> bool:
        """Whether the field shows a card as "VISA •••• 4242" rather than the digits being typed."""
        return self._masked

    def show_masked(self, text: str) -> None:
        """Show ``text`` (a masked card, "VISA •••• 4242") instead of the digits, until the field is
        chosen again or wiped."""
        self._masked = True
        self.setEchoMode(QLineEdit.EchoMode.Normal)  # the text is masked: dots would hide the brand
        self.setText(text)

    def wipe(self) -> None:
        """Erase the number; setText also empties Qt's undo history."""
        self._digits = ""
        self._end_mask()
        self.setText("")
        self.digits_changed.emit("")

    def _end_mask(self) -> None:
        if self._masked:
            self._masked = False
            self.setEchoMode(QLineEdit.EchoMode.PasswordEchoOnEdit)

    def _reformat(self, text: str) -> None:
        # Digits of any script (an input method's full-width ones) are the card's digits too.
        digits_before_cursor = len(_ascii_digits(text[:self.cursorPosition()]))
        digits = _ascii_digits(text)[:MAX_DIGITS]
        shown = formatted(digits)
        self._digits = digits
        self.setText(shown)
        position, seen = 0, 0
        while position < len(shown) and seen < digits_before_cursor:
            seen += shown[position].isdigit()
            position += 1
        self.setCursorPosition(position)
        self.digits_changed.emit(digits)

    def focusInEvent(self, event: QFocusEvent) -> None:
        if self._masked and event.reason() in self._CHOSEN:
            self.wipe()  # chosen again: the cashier types the number anew
            self.reentered.emit()
        super().focusInEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        if self._digits and not self._masked:  # whatever took the focus: dots would hide the brand
            brand = brand_of(self._digits)
            self.show_masked(f"{brand.value if brand else self.tr('Card')} {MASK} {self._digits[-4:]}")

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if any(event.matches(key) for key in _BLOCKED_KEYS):
            event.accept()
            return
        if self._masked and (event.text().isprintable() and event.text()
                             or event.key() in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete)):
            self.wipe()  # a key typed over the masked card starts a new number
            self.reentered.emit()
        super().keyPressEvent(event)
