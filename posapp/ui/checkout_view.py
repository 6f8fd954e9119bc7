"""The cashier's screen: one sale at a time, card checked as typed, the amount due shown big, Enter
to record it (card on file) or to charge it (a processor configured: the keyed card's CVC is asked,
sent once, and never kept); then Print receipt and Save receipt… for the sale just made."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
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

from posapp.access.roles import Permission, SignedIn
from posapp.charging import PaymentPending, SaleDeclined
from posapp.checkout import CheckoutService, Sale
from posapp.clock import utc_now
from posapp.cvc import InvalidCvc
from posapp.errors import Unavailable
from posapp.localization import Localization
from posapp.money import InvalidAmount, Money
from posapp.orders import Order, OrderOutcomeUnknown
from posapp.orders.base import checked_text
from posapp.orders.status import OrderStatus
from posapp.payments import PaymentError
from posapp.ui.amount_field import currency_button
from posapp.ui.card_entry import CardEntry, named
from posapp.ui.messages import sentence
from posapp.ui.receipt_buttons import ReceiptButtons
from posapp.ui.tasks import TaskRunner


class CheckoutView(QWidget):
    """The sale form of ``operator`` (set by the window at sign-in). ``checkout(operator)`` is called
    on a worker thread to get the CheckoutService; ``currency`` is the till's ISO 4217 code,
    restored after each sale in another one; ``charges``: a processor charges the sale (the
    button says "Charge", a keyed card's CVC is asked), else it is recorded as card on file.
    ``receipt_requested(order, how)``: Print receipt or Save receipt… for the last sale."""

    receipt_requested = Signal(object, str)

    def __init__(self, checkout: Callable[[SignedIn], CheckoutService], runner: TaskRunner, *, currency: str,
                 localization: Localization, charges: bool = False, parent: QWidget | None = None):
        super().__init__(parent)
        self._charges = charges
        self._checkout = checkout  # called on the worker thread: building the services is I/O
        self.operator: SignedIn | None = None
        self._runner = runner
        self._till_currency = currency  # from the settings; a sale in another one is chosen each time
        self._localization = localization  # the merchant's: amounts are typed as [merchant] locale writes them
        self._pending: Sale | None = None  # a failed sale, retried as the same sale until changed
        self._busy = False

        self.name = named(QLineEdit(), self.tr("Order name"), self.tr("What is sold, e.g. Table 4 dinner"))
        self.description = named(QLineEdit(), self.tr("Description"), self.tr("Optional"))
        self.amount = named(QLineEdit(), self.tr("Amount"), f"0{localization.decimal_symbol}00")
        self.amount_message = QLabel()
        self.amount_message.setAccessibleName(self.tr("Amount check"))
        self.amount_message.setStyleSheet("color: #b00020;")
        self.currency = currency_button(currency, self._choose_currency)
        self.amount_due = QLabel()
        self.amount_due.setAccessibleName(self.tr("Amount due"))
        self.amount_due.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.card_entry = CardEntry()
        self.card_entry.ask_cvc(charges)
        # The names the tests and the window use for the entry's parts.
        self.card, self.expiry, self.cvc = self.card_entry.number, self.card_entry.expiry, self.card_entry.cvc
        self.brand, self.card_message = self.card_entry.brand, self.card_entry.message
        self.charge = QPushButton()
        self.charge.setAccessibleName(self.tr("Charge card") if charges else self.tr("Record sale"))
        self.charge.setToolTip(self.tr("Enter"))
        self.charge.setDefault(True)
        self.result = QLabel()
        self.result.setAccessibleName(self.tr("Sale result"))
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.receipt = ReceiptButtons()  # shown once a sale is made, until the next one starts
        self.receipt.requested.connect(self.receipt_requested)

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
        due_font = QFont(heading_font)
        due_font.setPointSizeF(font.pointSizeF() * 2.4)  # what the customer pays, readable across the counter
        self.amount_due.setFont(due_font)
        heading_row = QHBoxLayout()
        heading_row.addWidget(heading)
        heading_row.addWidget(self.amount_due, 1)

        amount_row = QHBoxLayout()
        amount_row.addWidget(self.amount, 1)
        amount_row.addWidget(self.currency)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.tr("&Order name"), self.name)
        form.addRow(self.tr("&Description"), self.description)
        form.addRow(self.tr("&Amount"), amount_row)
        form.addRow("", self.amount_message)
        form.addRow(self.tr("Ca&rd"), self.card_entry)
        form.addRow("", self.card_message)
        for row, field in ((0, self.name), (1, self.description), (2, self.amount), (4, self.card)):
            form.itemAt(row, QFormLayout.ItemRole.LabelRole).widget().setBuddy(field)

        column = QVBoxLayout()
        column.addSpacing(24)
        column.addLayout(heading_row)
        column.addSpacing(12)
        column.addLayout(form)
        column.addWidget(self.charge, 0, Qt.AlignmentFlag.AlignRight)
        column.addWidget(self.result)
        column.addWidget(self.receipt)
        column.addStretch(1)
        outer = QHBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(column, 4)
        outer.addStretch(1)

        for first, second in ((self.name, self.description), (self.description, self.amount),
                              (self.amount, self.card), (self.cvc, self.charge)):
            QWidget.setTabOrder(first, second)  # card, expiry and CVC are in order in their entry

        self.charge.clicked.connect(self.submit)
        for field in (self.name, self.description, self.amount):
            field.returnPressed.connect(self.submit)
            field.textEdited.connect(self._sale_changed)
        self.card_entry.submitted.connect(self.submit)
        self.card_entry.edited.connect(self._sale_changed)
        self.amount.textChanged.connect(self._show_amount)
        self._show_amount()

    def accept_swipe(self, raw: str) -> None:
        """A swipe caught anywhere on the screen: its card goes to the card entry, never its track data."""
        if self.card_entry.accept_swipe(raw):
            self.charge.setFocus()

    # -- amount and currency ------------------------------------------------------------

    def _choose_currency(self, code: str) -> None:
        self._sale_changed()
        self.currency.setText(code)
        self._show_amount()

    def _amount(self) -> Money:
        return self._localization.parse_amount(self.amount.text(), self.currency.text())

    def _show_amount(self) -> None:
        """The amount due and the button say what Enter will record or charge; a refused amount says
        why, as typed."""
        try:
            amount = self._amount()
        except InvalidAmount as error:
            currency = self.currency.text()
            self.charge.setText((self.tr("Charge in %1") if self._charges else self.tr("Record sale in %1"))
                                .replace("%1", currency))
            self.amount_due.setText(f"— {currency}")
            self._show_amount_problem(sentence(error, beside_field=True) if self.amount.text().strip() else "")
            return
        action = self.tr("Charge %1") if self._charges else self.tr("Record %1")
        self.charge.setText(action.replace("%1", self._localization.amount(amount)))
        self.amount_due.setText(self._localization.amount(amount))
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
        return Sale(name, description, amount, self.card_entry.card(today))

    def submit(self) -> None:
        """Record or charge the form's sale in the background (Enter, or the button); refused input
        is shown and nothing is sent. A failed sale is retried with the same idempotency key until
        the form changes (a declined one is not: the next card is a new attempt); ignored while a
        sale runs. The CVC leaves its field for this one attempt and is kept in no pending sale."""
        if self._busy:
            return  # a second Enter while the sale runs must not start another
        try:
            if self._pending is None:
                if self.card_entry.empty:
                    self._fail(self.tr("Type the card number or swipe the card."))
                    return
                self._pending = self._sale_from_form()
            cvc = self.card_entry.take_cvc(self._pending.card.pan.brand)
        except ValueError as error:  # refused card, code, amount or text: one sentence, nothing sent
            self._fail(sentence(error))
            if isinstance(error, InvalidCvc):
                self.cvc.setFocus()
            return
        sale = dataclasses.replace(self._pending, cvc=cvc) if cvc else self._pending
        self._set_busy(True)
        self.receipt.show_order(None)
        self.result.setStyleSheet("")
        busy = self.tr("Charging %1…") if self._charges else self.tr("Recording %1…")
        amount = self._localization.amount(sale.amount)
        self.result.setText(busy.replace("%1", f"{sale.card.pan.masked}, {amount}"))
        operator = self.operator  # the one signed in now, whatever happens while the sale runs
        self._runner.run(lambda: self._checkout(operator).checkout(sale), self._sold, self._failed, owner=self)

    def wipe_card(self) -> None:
        """Forget the card typed or swiped, its expiry and CVC (the idle lock); the rest of the sale stays."""
        self._pending = None  # the sale held the card too
        self.card_entry.wipe()

    def discard_sale(self) -> None:
        """Empty the whole form (sign-out, another operator), in the till's currency again."""
        self.wipe_card()
        for field in (self.name, self.description, self.amount):
            field.setText("")
        self.currency.setText(self._till_currency)  # another currency was for that sale only
        self._show_amount()
        self.result.clear()
        self.receipt.show_order(None)

    def _sold(self, order: Order) -> None:
        self._set_busy(False)
        self.discard_sale()
        self.result.setStyleSheet("color: #1b5e20;")
        done = {OrderStatus.PAID: self.tr("Order %1 paid: %2 on %3"),
                OrderStatus.AUTHORIZED: self.tr("Order %1 authorized: %2 on %3")}
        self.result.setText(done.get(order.status, self.tr("Order %1 recorded: %2 on %3")).replace("%1", str(order.id))
                            .replace("%2", self._localization.amount(order.amount)).replace("%3", order.card_masked))
        self.receipt.set_allowed(self.operator is not None and self.operator.may(Permission.PRINT_RECEIPTS))
        self.receipt.show_order(order)
        self.name.setFocus()

    def _failed(self, message: str, error: Exception) -> None:
        self._set_busy(False)
        self.card_entry.wipe_cvc()
        if isinstance(error, SaleDeclined):
            # Another card is the same sale for the cashier, a new attempt (a new key) for posapp.
            self.wipe_card()
            self._fail(message if message.startswith("Declined") else self.tr("Declined: %1").replace("%1", message))
            self.card.setFocus()
            return
        if isinstance(error, (OrderOutcomeUnknown, PaymentPending)):
            prefix = self.tr("Not confirmed: %1")  # nobody can tell yet: never say it was not done
        elif self._charges:
            if isinstance(error, PaymentError) and not isinstance(error, Unavailable):
                self._pending = None  # the processor refused the request: that attempt's order is declined
            prefix = self.tr("Not charged: %1")
        else:
            prefix = self.tr("Not recorded: %1")
        self._fail(prefix.replace("%1", message))

    def _fail(self, message: str) -> None:
        self.result.setStyleSheet("color: #b00020;")
        self.result.setText(message)
        # The buttons were the last sale's, which this message replaces: beside it they would
        # read as this attempt's (that receipt is in the history's detail pane).
        self.receipt.show_order(None)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.charge.setEnabled(not busy)

    @property
    def busy(self) -> bool:
        """Whether a sale is being recorded or charged now."""
        return self._busy

