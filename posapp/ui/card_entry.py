"""The card part of the checkout: number, expiry and verification code (CVC), the brand and the
card check beside them, and a swiped card. It holds a card only until it is wiped: the idle
lock, a discarded sale, a sale that is done.

The cashier types on without Tab: a number complete for its brand moves on to the expiry, and a
complete expiry to the code (where one is asked) or, through ``completed``, to the checkout's
Charge. The code's field (``posapp.ui.cvc_field``) is emptied after every attempt to charge.
"""

from __future__ import annotations

import datetime
from typing import TypeVar

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QWidget

from posapp.card import LENGTHS, Brand, Card, Expiry, InvalidCard, Pan, Reason, brand_of, parse_swipe
from posapp.clock import utc_now
from posapp.cvc import Cvc, InvalidCvc
from posapp.ui import announce
from posapp.ui.card_field import CardNumberField
from posapp.ui.cvc_field import CvcField
from posapp.ui.expiry_field import ExpiryField, complete
from posapp.ui.messages import sentence

T = TypeVar("T", bound=QLineEdit)
_USUAL_LENGTH = 16  # what nearly every card of a brand that issues several lengths has


def named(field: T, name: str, placeholder: str) -> T:
    """``field`` with its screen-reader name and its placeholder text."""
    field.setAccessibleName(name)
    field.setPlaceholderText(placeholder)
    return field


def typed_in_full(digits: str) -> bool:
    """Whether typed ``digits`` are a whole card number, so the cashier can be moved on: a valid
    number (brand length and checksum) as long as the brand's cards usually are (16; AMEX 15,
    Diners Club's 36 range 14), or as long as the brand's longest. A 13-digit Visa card or a
    17-digit one is valid too, but then the cashier moves on with Tab: advancing at every valid
    length would cut a 16-digit number after its 13th digit one time in ten (the checksum)."""
    brand = brand_of(digits)
    if brand is None or not Pan.is_valid(digits):
        return False
    lengths = LENGTHS[brand]
    if brand is Brand.DINERS and digits.startswith("36"):
        usual = 14
    else:
        usual = min(lengths) if len(lengths) == 1 else _USUAL_LENGTH
    return len(digits) in (usual, max(lengths))


class CardEntry(QWidget):
    """Number, expiry, CVC and brand in one row; ``message`` (the card check, laid out by the
    checkout under the row) says what is wrong with the number as soon as it can be judged.

    ``edited``: the cashier changed the card (a new sale); ``submitted``: Enter in one of its
    fields; ``completed``: the card needs nothing more (the expiry typed in full where no code is
    asked), so the checkout moves the cashier on to Charge."""

    edited = Signal()
    submitted = Signal()
    completed = Signal()

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
        self.message.setWordWrap(True)

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
        self.number.reentered.connect(self._reentered)
        self.number.editingFinished.connect(self._left)
        self.expiry.textEdited.connect(self._expiry_typed)

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

    @property
    def touched(self) -> bool:
        """Whether anything of a card is in the entry: a number, a swipe, an expiry or a code."""
        return not self.empty or bool(self.expiry.text() or self.cvc.text())

    def card(self, today: datetime.date) -> Card:
        """The swiped or typed card, checked not to have expired by ``today``; raises InvalidCard."""
        if self._swiped is not None:
            card = self._swiped
        else:
            expiry = Expiry.parse(self.expiry.text()) if self.expiry.text().strip() else None
            card = Card(Pan.parse(self.number.digits()), expiry)
        card.check_not_expired(today)
        return card

    def field_of(self, error: ValueError) -> QLineEdit:
        """The field ``error`` (raised by :meth:`card` or :meth:`take_cvc`) is about, for the
        cashier to fix: the expiry for a typed card's bad or past expiry, the code, else the number."""
        if isinstance(error, InvalidCvc):
            return self.cvc
        typed_expiry = self._swiped is None and isinstance(error, InvalidCard)
        if typed_expiry and error.reason in (Reason.BAD_EXPIRY, Reason.EXPIRED):
            return self.expiry
        return self.number

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
        self.number.show_masked(card.pan.masked)
        self.brand.setText(card.pan.brand.value)
        self.expiry.setText(str(card.expiry) if card.expiry else "")
        holder = f", {card.holder}" if card.holder else ""
        self.message.setStyleSheet("")
        announce.show(self.message, self.tr("Card swiped: %1").replace("%1", f"{card.pan.masked}{holder}"))
        return True

    # -- checks as typed ----------------------------------------------------------------

    def _typed(self, digits: str) -> None:
        if digits and self._swiped is not None:
            self._forget_swipe()
        brand = brand_of(digits) if len(digits) >= 2 else None
        self.brand.setText(brand.value if brand else "")
        self.cvc.set_brand(brand)
        # Judge the number whenever it has a length its brand uses; earlier would only nag.
        judged = brand is not None and len(digits) in LENGTHS[brand]
        self._show_problem(self._problem(digits) if judged else None)
        if typed_in_full(digits):
            self.expiry.setFocus()

    def _reentered(self) -> None:
        """The cashier came back to the masked number: the card is typed anew, swiped or not."""
        self.edited.emit()
        self._forget_swipe()

    def _forget_swipe(self) -> None:
        if self._swiped is not None:
            self._swiped = None
            self.expiry.setText("")  # the swiped card's
            self.cvc.setVisible(self._asks_cvc)
            self._show_problem(None)

    def _expiry_typed(self, text: str) -> None:
        if not complete(text):
            return
        if self.cvc.isVisible():
            self.cvc.setFocus()
        else:
            self.completed.emit()

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
        announce.show(self.message, problem or "", urgent=True)
        self.message.setStyleSheet("color: #b00020;" if problem else "")
