"""The expiry field: the cashier types the digits as printed, the field writes the slash.

Typing ``1229`` shows ``12/29``; a one-digit month closed with a slash (``1/``) becomes
``01/``. Whatever else is typed is shown as typed, and the checkout names it if it is not
an expiry: nothing typed disappears without a word.
"""

from __future__ import annotations

import re

from PySide6.QtWidgets import QLineEdit, QWidget

from posapp.pan_detect import normalize

MAX_LENGTH = 7  # MM/YYYY

_DIGITS = re.compile(r"(\d{0,2})/?(\d{0,4})", re.ASCII)
_SHORT_MONTH = re.compile(r"(\d)/(\d{0,4})", re.ASCII)
_COMPLETE = re.compile(r"(\d{2})/\d{2}", re.ASCII)


def formatted(text: str) -> str:
    """``1229`` -> ``12/29``, ``1/29`` -> ``01/29``, in any digits (``１２２９`` from an input
    method too); other text is left as it is."""
    text = normalize(text)
    short = _SHORT_MONTH.fullmatch(text)
    if short:
        return f"0{short[1]}/{short[2]}"
    match = _DIGITS.fullmatch(text)
    if not match:
        return text
    month, year = match.groups()
    return f"{month}/{year}" if year else month


def complete(text: str) -> bool:
    """Whether ``text`` is an expiry typed in full as printed, ``MM/YY`` with a month 01-12: the
    cashier is moved on (a four-digit year is still taken, with Tab)."""
    match = _COMPLETE.fullmatch(text)
    return bool(match) and 1 <= int(match[1]) <= 12


class ExpiryField(QLineEdit):
    """The expiry as typed, shown ``MM/YY``; its ``text()`` is what ``Expiry.parse`` reads."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setMaxLength(MAX_LENGTH)
        self.textEdited.connect(self._reformat)

    def _reformat(self, text: str) -> None:
        shown = formatted(text)
        if shown != text:
            at_end = self.cursorPosition() == len(text)
            self.setText(shown)
            if at_end:
                self.setCursorPosition(len(shown))
