"""The card part of the checkout: number, expiry and verification code (CVC), the brand and the
card check beside them, and a swiped card. It holds a card only until it is wiped: the idle
lock, a discarded sale, a sale that is done.

The verification code is asked only where a processor charges the sale and the card is keyed:
a swipe carries no code, and a card kept on file must not have one (PCI DSS 3.3.1). Its field
echoes dots as a PIN field does, takes digits only (4 for American Express, else 3), and cannot
be copied, dragged or undone; it is emptied after every attempt to charge (``wipe_cvc``).
"""

from __future__ import annotations

import datetime
from typing import TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QWidget

from posapp.card import LENGTHS, Brand, Card, Expiry, InvalidCard, Pan, brand_of, parse_swipe
from posapp.clock import utc_now
from posapp.cvc import Cvc
from posapp.pan_detect import normalize
from posapp.ui.card_field import CardNumberField
from posapp.ui.expiry_field import ExpiryField
from posapp.ui.messages import sentence

T = TypeVar("T", bound=QLineEdit)

_BLOCKED_KEYS = (QKeySequence.StandardKey.Undo, QKeySequence.StandardKey.Redo, QKeySequence.StandardKey.Copy,
                 QKeySequence.StandardKey.Cut, QKeySequence.StandardKey.Paste)
CVC_LENGTHS = {Brand.AMEX: 4}  # digits of the code by brand; 3 for every other brand


def named(field: T, name: str, placeholder: str) -> T:
    """``field`` with its screen-reader name and its placeholder text."""
    field.setAccessibleName(name)
    field.setPlaceholderText(placeholder)
    return field


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


class CardEntry(QWidget):
    """Number, expiry, CVC and brand in one row; ``message`` (the card check, laid out by the
    checkout under the row) says what is wrong with the number as soon as it can be judged.

    ``edited``: the cashier changed the card (a new sale); ``submitted``: Enter in one of its fields."""

    edited = Signal()
    submitted = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._swiped: Card | None = None
        self._asks_cvc = False
        self.number = named(CardNumberField(), self.tr("Card number"), self.tr("Type the card number or swipe the card"))
        self.expiry = named(ExpiryField(), self.tr("Expiry date"), self.tr("MM/YY"))
        self.cvc = named(CvcField(), self.tr("Card verification code"), self.tr("CVC"))
        self.cvc.setToolTip(self.tr("3 digits on the back of the card; 4 on the front of an AMEX card"))
        self.brand = QLabel()
        self.brand.setAccessibleName(self.tr("Detected card brand"))
        self.message = QLabel()
        self.message.setAccessibleName(self.tr("Card check"))

        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.number, 3)
        row.addWidget(self.expiry, 1)
        row.addWidget(self.cvc, 1)
        row.addWidget(self.brand, 1)
        QWidget.setTabOrder(self.number, self.expiry)
        QWidget.setTabOrder(self.expiry, self.cvc)
        self.cvc.hide()

        for field in (self.number, self.expiry, self.cvc):
            field.returnPressed.connect(self.submitted)
        for field in (self.number, self.expiry):  # a new code alone keeps the sale: a retry needs it again
            field.textEdited.connect(self.edited)
        self.number.digits_changed.connect(self._typed)
        self.number.editingFinished.connect(self._left)

    # -- what the checkout asks ---------------------------------------------------------

    def ask_cvc(self, asks: bool) -> None:
        """Whether a keyed card's verification code is asked (a processor charges the sale)."""
        self._asks_cvc = asks
        self.cvc.setVisible(asks and self._swiped is None)

    @property
    def swiped(self) -> Card | None:
        """The card of the last swipe, until a number is typed or the card is wiped."""
        return self._swiped

    @property
    def empty(self) -> bool:
        """Whether neither a number was typed nor a card swiped."""
        return self._swiped is None and not self.number.digits()

    def card(self, today: datetime.date) -> Card:
        """The swiped or typed card, checked not to have expired by ``today``; raises InvalidCard."""
        if self._swiped is not None:
            card = self._swiped
        else:
            expiry = Expiry.parse(self.expiry.text()) if self.expiry.text().strip() else None
            card = Card(Pan.parse(self.number.digits()), expiry)
        card.check_not_expired(today)
        return card

    def take_cvc(self, brand: Brand) -> Cvc | None:
        """The code typed for a keyed card of ``brand``, taken out of its field, which is left empty
        (None: none is asked); raises InvalidCvc when it is not the brand's number of digits."""
        if not self._asks_cvc or self._swiped is not None:
            return None
        typed = self.cvc.text()
        self.cvc.wipe()
        return Cvc.parse(typed, brand)

    def wipe_cvc(self) -> None:
        """Forget the verification code typed."""
        self.cvc.wipe()

    def wipe(self) -> None:
        """Forget the card typed or swiped, its expiry and code."""
        self._swiped = None
        self.number.wipe()
        self.expiry.setText("")  # setText, not clear(): no undo brings it back
        self.cvc.wipe()
        self.cvc.setVisible(self._asks_cvc)
        self.brand.clear()
        self._show_problem(None)

    def accept_swipe(self, raw: str) -> bool:
        """A swipe caught anywhere on the screen: keep its card, never its track data. False (the
        reason shown beside the card) when the swipe holds no card that can be used."""
        self.edited.emit()
        self.number.wipe()
        self.cvc.wipe()
        try:
            self._swiped = parse_swipe(raw, utc_now().date())
        except InvalidCard as error:
            self._swiped = None
            self.brand.setText("")
            self._show_problem(sentence(error, beside_field=True))
            return False
        del raw
        card = self._swiped
        self.cvc.hide()  # a swipe carries no code, and none is asked for it
        self.brand.setText(card.pan.brand.value)
        self.expiry.setText(str(card.expiry) if card.expiry else "")
        holder = f", {card.holder}" if card.holder else ""
        self.message.setStyleSheet("")
        self.message.setText(self.tr("Card swiped: %1").replace("%1", f"{card.pan.masked}{holder}"))
        return True

    # -- checks as typed ----------------------------------------------------------------

    def _typed(self, digits: str) -> None:
        if digits and self._swiped is not None:
            self._swiped = None
            self.cvc.setVisible(self._asks_cvc)
        brand = brand_of(digits) if len(digits) >= 2 else None
        self.brand.setText(brand.value if brand else "")
        self.cvc.set_brand(brand)
        # Judge the number whenever it has a length its brand uses; earlier would only nag.
        complete = brand is not None and len(digits) in LENGTHS[brand]
        self._show_problem(self._problem(digits) if complete else None)

    def _left(self) -> None:
        digits = self.number.digits()
        if digits and self._swiped is None:
            self._show_problem(self._problem(digits))

    @staticmethod
    def _problem(digits: str) -> str | None:
        try:
            Pan.parse(digits)
        except InvalidCard as error:
            return sentence(error, beside_field=True)
        return None

    def _show_problem(self, problem: str | None) -> None:
        self.message.setText(problem or "")
        self.message.setStyleSheet("color: #b00020;" if problem else "")
