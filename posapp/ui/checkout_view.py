"""The cashier's screen: one sale at a time, card checked as typed, Enter to charge."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QLocale, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from posapp.access.roles import SignedIn
from posapp.card import LENGTHS, Card, Expiry, InvalidCard, Pan, brand_of, parse_swipe
from posapp.checkout import CheckoutService, Sale
from posapp.money import InvalidAmount, Money
from posapp.orders import Order, OrderOutcomeUnknown
from posapp.orders.base import checked_text
from posapp.ui.amount_field import currency_button, parse_amount
from posapp.ui.card_field import CardNumberField
from posapp.ui.expiry_field import ExpiryField
from posapp.ui.messages import sentence
from posapp.ui.tasks import TaskRunner
from posapp.clock import utc_now

T = TypeVar("T", bound=QLineEdit)


class CheckoutView(QWidget):
    """The sale form of ``operator`` (set by the window at sign-in). ``checkout(operator)`` is called
    on a worker thread to get the CheckoutService; ``currency`` is the till's ISO 4217 code,
    restored after each sale in another one."""

    def __init__(self, checkout: Callable[[SignedIn], CheckoutService], runner: TaskRunner, *, currency: str,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._checkout = checkout  # called on the worker thread: building the services is I/O
        self.operator: SignedIn | None = None
        self._runner = runner
        self._till_currency = currency  # from the settings; a sale in another one is chosen each time
        self._locale = QLocale()  # the cashier's: amounts are typed the way the desktop writes them
        self._swiped: Card | None = None
        self._pending: Sale | None = None  # a failed sale, retried as the same sale until changed
        self._busy = False

        self.name = _named(QLineEdit(), self.tr("Order name"), self.tr("What is sold, e.g. Table 4 dinner"))
        self.description = _named(QLineEdit(), self.tr("Description"), self.tr("Optional"))
        self.amount = _named(QLineEdit(), self.tr("Amount"), f"0{self._locale.decimalPoint()}00")
        self.amount_message = QLabel()
        self.amount_message.setAccessibleName(self.tr("Amount check"))
        self.amount_message.setStyleSheet("color: #b00020;")
        self.currency = currency_button(currency, self._choose_currency)
        self.card = _named(CardNumberField(), self.tr("Card number"), self.tr("Type the card number or swipe the card"))
        self.expiry = _named(ExpiryField(), self.tr("Expiry date"), self.tr("MM/YY"))
        self.brand = QLabel()
        self.brand.setAccessibleName(self.tr("Detected card brand"))
        self.card_message = QLabel()
        self.card_message.setAccessibleName(self.tr("Card check"))
        self.charge = QPushButton()
        self.charge.setAccessibleName(self.tr("Record sale"))
        self.charge.setToolTip(self.tr("Enter"))
        self.charge.setDefault(True)
        self.result = QLabel()
        self.result.setAccessibleName(self.tr("Sale result"))
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        # Larger type than the desktop's: a till is read at arm's length, often standing.
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.25)
        self.setFont(font)
        for label in (self.brand, self.result):
            bigger = QFont(font)
            bigger.setPointSizeF(font.pointSizeF() * 1.3)
            label.setFont(bigger)
        heading = QLabel(self.tr("New sale"))
        heading_font = QFont(font)
        heading_font.setPointSizeF(font.pointSizeF() * 1.6)
        heading_font.setBold(True)
        heading.setFont(heading_font)

        amount_row = QHBoxLayout()
        amount_row.addWidget(self.amount, 1)
        amount_row.addWidget(self.currency)
        card_row = QHBoxLayout()
        card_row.addWidget(self.card, 3)
        card_row.addWidget(self.expiry, 1)
        card_row.addWidget(self.brand, 1)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.tr("&Order name"), self.name)
        form.addRow(self.tr("&Description"), self.description)
        form.addRow(self.tr("&Amount"), amount_row)
        form.addRow("", self.amount_message)
        form.addRow(self.tr("Ca&rd"), card_row)
        form.addRow("", self.card_message)
        for row, field in ((0, self.name), (1, self.description), (2, self.amount), (4, self.card)):
            form.itemAt(row, QFormLayout.ItemRole.LabelRole).widget().setBuddy(field)

        column = QVBoxLayout()
        column.addSpacing(24)
        column.addWidget(heading)
        column.addSpacing(12)
        column.addLayout(form)
        column.addWidget(self.charge, 0, Qt.AlignmentFlag.AlignRight)
        column.addWidget(self.result)
        column.addStretch(1)
        outer = QHBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(column, 4)
        outer.addStretch(1)

        for first, second in ((self.name, self.description), (self.description, self.amount),
                              (self.amount, self.card), (self.card, self.expiry),
                              (self.expiry, self.charge)):
            QWidget.setTabOrder(first, second)

        self.charge.clicked.connect(self.submit)
        for field in (self.name, self.description, self.amount, self.card, self.expiry):
            field.returnPressed.connect(self.submit)
            field.textEdited.connect(self._sale_changed)
        self.amount.textChanged.connect(self._show_amount)
        self._show_amount()
        self.card.digits_changed.connect(self._card_typed)
        self.card.editingFinished.connect(self._card_left)

    # -- card checks as typed ---------------------------------------------------------

    def _card_typed(self, digits: str) -> None:
        if digits:
            self._swiped = None
        brand = brand_of(digits) if len(digits) >= 2 else None
        self.brand.setText(brand.value if brand else "")
        # Judge the number whenever it has a length its brand uses; earlier would only nag.
        complete = brand is not None and len(digits) in LENGTHS[brand]
        self._show_card_problem(self._card_problem(digits) if complete else None)

    def _card_left(self) -> None:
        digits = self.card.digits()
        if digits and self._swiped is None:
            self._show_card_problem(self._card_problem(digits))

    def _card_problem(self, digits: str) -> str | None:
        try:
            Pan.parse(digits)
        except InvalidCard as error:
            return sentence(error, beside_field=True)
        return None

    def _show_card_problem(self, problem: str | None) -> None:
        self.card_message.setText(problem or "")
        self.card_message.setStyleSheet("color: #b00020;" if problem else "")

    def accept_swipe(self, raw: str) -> None:
        """A swipe caught anywhere on the screen: keep the card, never its track data."""
        self._sale_changed()
        self.card.wipe()
        try:
            self._swiped = parse_swipe(raw, utc_now().date())
        except InvalidCard as error:
            self._swiped = None
            self.brand.setText("")
            self._show_card_problem(sentence(error, beside_field=True))
            return
        del raw
        card = self._swiped
        self.brand.setText(card.pan.brand.value)
        self.expiry.setText(str(card.expiry) if card.expiry else "")
        holder = f", {card.holder}" if card.holder else ""
        self.card_message.setStyleSheet("")
        self.card_message.setText(self.tr("Card swiped: %1").replace("%1", f"{card.pan.masked}{holder}"))
        self.charge.setFocus()

    # -- amount and currency ------------------------------------------------------------

    def _choose_currency(self, code: str) -> None:
        self._sale_changed()
        self.currency.setText(code)
        self._show_amount()

    def _amount(self) -> Money:
        return parse_amount(self.amount.text(), self.currency.text(), self._locale)

    def _show_amount(self) -> None:
        """The button says what Enter will record; a refused amount says why, as typed."""
        try:
            amount = self._amount()
        except InvalidAmount as error:
            self.charge.setText(self.tr("Record sale in %1").replace("%1", self.currency.text()))
            self._show_amount_problem(sentence(error, beside_field=True) if self.amount.text().strip() else "")
            return
        self.charge.setText(self.tr("Record %1").replace("%1", str(amount)))
        self._show_amount_problem("")

    def _show_amount_problem(self, problem: str) -> None:
        self.amount_message.setText(problem)
        self.amount_message.setVisible(bool(problem))  # no empty line between amount and card

    # -- the sale ---------------------------------------------------------------------

    def _sale_changed(self, *_args: object) -> None:
        self._pending = None  # an edited sale is a new sale, with a new idempotency key

    def _sale_from_form(self) -> Sale:
        today = utc_now().date()
        name = checked_text("order name", self.name.text(), required=True)
        description = checked_text("description", self.description.text(), required=False)
        amount = self._amount()
        if self._swiped is not None:
            card = self._swiped
        else:
            expiry = Expiry.parse(self.expiry.text()) if self.expiry.text().strip() else None
            card = Card(Pan.parse(self.card.digits()), expiry)
        card.check_not_expired(today)
        return Sale(name, description, amount, card)

    def submit(self) -> None:
        """Record the form's sale in the background (Enter, or the button); refused input is
        shown and nothing is sent. A failed sale is retried with the same idempotency key until
        the form changes; ignored while a sale runs."""
        if self._busy:
            return  # a second Enter while the sale runs must not start another
        if self._pending is None:
            try:
                if self._swiped is None and not self.card.digits():
                    self._fail(self.tr("Type the card number or swipe the card."))
                    return
                self._pending = self._sale_from_form()
            except ValueError as error:  # refused card, amount or text: one sentence, nothing sent
                self._fail(sentence(error))
                return
        sale = self._pending
        self._set_busy(True)
        self.result.setStyleSheet("")
        self.result.setText(self.tr("Charging %1…").replace("%1", f"{sale.card.pan.masked}, {sale.amount}"))
        operator = self.operator  # the one signed in now, whatever happens while the sale runs
        self._runner.run(lambda: self._checkout(operator).checkout(sale), self._sold, self._failed, owner=self)

    def wipe_card(self) -> None:
        """Forget the card typed or swiped and its expiry (the idle lock); the rest of the sale stays."""
        self._pending = None  # the sale held the card too
        self._swiped = None
        self.card.wipe()
        self.expiry.setText("")  # setText, not clear(): no undo brings it back
        self.brand.clear()
        self._show_card_problem(None)

    def discard_sale(self) -> None:
        """Empty the whole form (sign-out, another operator), in the till's currency again."""
        self.wipe_card()
        for field in (self.name, self.description, self.amount):
            field.setText("")
        self.currency.setText(self._till_currency)  # another currency was for that sale only
        self._show_amount()
        self.result.clear()

    def _sold(self, order: Order) -> None:
        self._set_busy(False)
        self.discard_sale()
        self.result.setStyleSheet("color: #1b5e20;")
        self.result.setText(self.tr("Order %1 recorded: %2 on %3").replace("%1", str(order.id))
                            .replace("%2", str(order.amount)).replace("%3", order.card_masked))
        self.name.setFocus()

    def _failed(self, message: str, error: Exception) -> None:
        self._set_busy(False)
        # Nobody can tell whether an unknown outcome was recorded: never say it was not.
        prefix = self.tr("Not confirmed: %1") if isinstance(error, OrderOutcomeUnknown) else self.tr("Not recorded: %1")
        self._fail(prefix.replace("%1", message))

    def _fail(self, message: str) -> None:
        self.result.setStyleSheet("color: #b00020;")
        self.result.setText(message)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.charge.setEnabled(not busy)

    @property
    def busy(self) -> bool:
        """Whether a sale is being recorded now."""
        return self._busy


def _named(field: T, name: str, placeholder: str) -> T:
    """``field`` with its screen-reader name and its placeholder text."""
    field.setAccessibleName(name)
    field.setPlaceholderText(placeholder)
    return field
