"""The cashier's screen: one sale at a time, card checked as typed, the amount due shown big, Enter
to record it (card on file) or to charge it (a processor configured: the keyed card's CVC is asked,
sent once, and never kept); then Print receipt and Save receipt… for the sale just made.

Keys: Tab goes through the fields a sale needs (name, amount, card, expiry, code, Charge), and the
card fields move on by themselves once complete; F5-F12 are the quick keys; Enter records or
charges, or puts the focus on the first field to fix, marked; Esc clears the sale (asking first
when a card is in it). Every message goes as soon as the cashier edits what it is about."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QLineEdit, QMessageBox, QPushButton, QWidget

from posapp.access.roles import Permission, SignedIn
from posapp.charging import PaymentPending, SaleDeclined
from posapp.checkout import CheckoutService, Sale
from posapp.errors import Unavailable
from posapp.localization import Localization
from posapp.money import InvalidAmount, Money
from posapp.orders import Order, OrderOutcomeUnknown
from posapp.orders.status import OrderStatus
from posapp.payments import PaymentError
from posapp.ui import announce
from posapp.ui.amount_field import currency_button
from posapp.ui.card_entry import CardEntry, named
from posapp.ui.checkout_layout import lay_out
from posapp.ui.messages import sentence
from posapp.ui.quick_keys import QuickKeys
from posapp.ui.receipt_buttons import ReceiptButtons
from posapp.ui.sale_form import Problem, ask_to_clear, mark, sale_from_form
from posapp.ui.tasks import TaskRunner


class CheckoutView(QWidget):
    """The sale form of ``operator`` (set by the window at sign-in). ``checkout(operator)`` is called
    on a worker thread to get the CheckoutService; ``currency`` is the till's ISO 4217 code,
    restored after each sale in another one; ``charges``: a processor charges the sale (the
    button says "Charge", a keyed card's CVC is asked), else it is recorded as card on file;
    ``quick_keys``: (order name, amount in ``currency``) of the quick keys, in order.
    ``receipt_requested(order, how)``: Print receipt or Save receipt… for the last sale."""

    receipt_requested = Signal(object, str)
    sale_finished = Signal()  # a sale was recorded, charged, declined or left pending: the history changed

    def __init__(self, checkout: Callable[[SignedIn], CheckoutService], runner: TaskRunner, *, currency: str,
                 localization: Localization, charges: bool = False, quick_keys: Sequence[tuple[str, Money]] = (),
                 today: QWidget | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.today = today  # "Today at this till" (ui.today_panel), under the heading; the window feeds it
        self._charges = charges
        self._checkout = checkout  # called on the worker thread: building the services is I/O
        self.operator: SignedIn | None = None
        self._runner = runner
        self._till_currency = currency  # from the settings; a sale in another one is chosen each time
        self._localization = localization  # the merchant's: amounts are typed as [merchant] locale writes them
        self._pending: Sale | None = None  # a failed sale, retried as the same sale until changed
        self._busy = False

        self.name = named(QLineEdit(), self.tr("Order name"), self.tr("Optional: what is sold, e.g. Table 4 dinner"))
        self.description = named(QLineEdit(), self.tr("Description"), self.tr("Optional (Alt+D)"))
        self.amount = named(QLineEdit(), self.tr("Amount"), f"0{localization.decimal_symbol}00")
        self.amount_message = QLabel()
        self.amount_message.setAccessibleName(self.tr("Amount check"))
        self.amount_message.setStyleSheet("color: #b00020;")
        self.currency = currency_button(currency, self._choose_currency)
        self.amount_due = QLabel()
        self.amount_due.setAccessibleName(self.tr("Amount due"))
        self.amount_due.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.quick_keys = QuickKeys(quick_keys, localization, self)
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
        self.discard_question: QMessageBox | None = None  # Esc's question, while it is open
        lay_out(self)

        self.charge.clicked.connect(self.submit)
        for field in (self.name, self.description, self.amount):
            field.returnPressed.connect(self.submit)
            field.textEdited.connect(self._sale_changed)
        self.card_entry.submitted.connect(self.submit)
        self.card_entry.edited.connect(self._sale_changed)
        self.card_entry.completed.connect(self.charge.setFocus)
        self.cvc.textEdited.connect(self._clear_result)  # a new code keeps the sale (see CardEntry)
        for field in (self.name, self.description, self.amount, self.card, self.expiry, self.cvc):
            field.textEdited.connect(lambda _text, field=field: mark(field, False))
        self.card.reentered.connect(lambda: mark(self.card, False))
        self.amount.textChanged.connect(self._show_amount)
        self.quick_keys.chosen.connect(self.use_quick_key)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.clear_sale, Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._show_amount()

    def accept_swipe(self, raw: str) -> None:
        """A swipe caught anywhere on the screen: its card goes to the card entry, never its track data."""
        mark(self.card, False)
        if self.card_entry.accept_swipe(raw):
            self.charge.setFocus()

    def use_quick_key(self, name: str, amount: Money) -> None:
        """Fill the order name and the amount (in the till's currency) of a quick key, and move the
        focus on to what the sale still needs: the card, usually."""
        if self._busy:
            return
        self.name.setText(name)
        self.currency.setText(self._till_currency)
        self.amount.setText(self._localization.amount_number(amount))
        for field in (self.name, self.amount):
            mark(field, False)
        self._sale_changed()
        if self.card_entry.empty:
            self.card.setFocus()
        elif self.cvc.isVisible() and not self.cvc.text():
            self.cvc.setFocus()
        else:
            self.charge.setFocus()

    # -- amount and currency ------------------------------------------------------------

    def _choose_currency(self, code: str) -> None:
        self._sale_changed()
        self.currency.setText(code)
        self._show_amount()

    def typed_amount(self) -> Money:
        """The amount typed, in the chosen currency; raises InvalidAmount."""
        return self._localization.parse_amount(self.amount.text(), self.currency.text())

    def _show_amount(self) -> None:
        """The amount due and the button say what Enter will record or charge; a refused amount says
        why, as typed."""
        try:
            amount = self.typed_amount()
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
        announce.show(self.amount_message, problem, urgent=True)
        self.amount_message.setVisible(bool(problem))  # no empty line between amount and card

    # -- the sale ---------------------------------------------------------------------

    def _sale_changed(self, *_args: object) -> None:
        self._pending = None  # an edited sale is a new sale, with a new idempotency key
        self._clear_result()

    def _clear_result(self, *_args: object) -> None:
        """The last sale's result or this one's refusal is about a form the cashier has changed."""
        if not self._busy:
            self.result.clear()
            self.receipt.show_order(None)  # the last sale's: the next one has started

    def submit(self) -> None:
        """Record or charge the form's sale in the background (Enter, or the button); refused input
        is shown, its field focused and marked, and nothing is sent. A failed sale is retried with
        the same idempotency key until the form changes (a declined one is not: the next card is a
        new attempt); ignored while a sale runs. The CVC leaves its field for this one attempt and
        is kept in no pending sale."""
        if self._busy:
            return  # a second Enter while the sale runs must not start another
        try:
            if self._pending is None:
                self._pending = sale_from_form(self, charges=self._charges)
            try:
                cvc = self.card_entry.take_cvc(self._pending.card.pan.brand)
            except ValueError as error:
                raise Problem(self.cvc, sentence(error)) from None
        except Problem as problem:
            self._fail(str(problem))
            mark(problem.field, True)
            problem.field.setFocus()
            return
        sale = dataclasses.replace(self._pending, cvc=cvc) if cvc else self._pending
        self._set_busy(True)
        self.receipt.show_order(None)
        self.result.setStyleSheet("")
        busy = self.tr("Charging %1…") if self._charges else self.tr("Recording %1…")
        amount = self._localization.amount(sale.amount)
        announce.show(self.result, busy.replace("%1", f"{sale.card.pan.masked}, {amount}"))
        operator = self.operator  # the one signed in now, whatever happens while the sale runs
        self._runner.run(lambda: self._checkout(operator).checkout(sale), self._sold, self._failed, owner=self)

    def clear_sale(self) -> None:
        """Esc: empty the form; with a card in it, only once the cashier says Yes (the default is No)."""
        if self._busy or self.discard_question is not None:
            return
        if not self.card_entry.touched:
            self.discard_sale()
            self.name.setFocus()
            return
        self.discard_question = ask_to_clear(self, self._cleared, self._question_closed)

    def _cleared(self) -> None:
        self.discard_sale()
        self.name.setFocus()

    def _question_closed(self) -> None:
        self.discard_question = None
        # The keyboard back to the till's window (a kiosk session has no window manager to do it),
        # where the focus was: on No, the card is kept.
        self.window().activateWindow()

    def wipe_card(self) -> None:
        """Forget the card typed or swiped, its expiry and CVC (the idle lock); the rest of the sale stays."""
        self._pending = None  # the sale held the card too
        self.card_entry.wipe()

    def discard_sale(self) -> None:
        """Empty the whole form (Esc, sign-out, another operator), in the till's currency again."""
        self.wipe_card()
        for field in (self.name, self.description, self.amount):
            field.setText("")
        for field in (self.name, self.description, self.amount, self.card, self.expiry, self.cvc):
            mark(field, False)
        self.currency.setText(self._till_currency)  # another currency was for that sale only
        self._show_amount()
        self.result.clear()
        self.receipt.show_order(None)

    def _sold(self, order: Order) -> None:
        self._set_busy(False)
        self.sale_finished.emit()
        self.discard_sale()
        self.result.setStyleSheet("color: #1b5e20;")
        done = {OrderStatus.PAID: self.tr("Order %1 paid: %2 on %3"),
                OrderStatus.AUTHORIZED: self.tr("Order %1 authorized: %2 on %3")}
        said = done.get(order.status, self.tr("Order %1 recorded: %2 on %3"))
        announce.show(self.result, said.replace("%1", str(order.id)).replace("%2", self._localization.amount(order.amount))
                      .replace("%3", order.card_masked))
        self.receipt.set_allowed(self.operator is not None and self.operator.may(Permission.PRINT_RECEIPTS))
        self.receipt.show_order(order)
        self.name.setFocus()

    def _failed(self, message: str, error: Exception) -> None:
        self._set_busy(False)
        self.sale_finished.emit()
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
        announce.show(self.result, message, urgent=True)
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


