"""Reading the checkout's form as a sale, and what the cashier is told when it is not one yet: the
first field to fix (in the Tab order) is focused and marked until it is edited; Esc's question."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QLineEdit, QMessageBox, QWidget

from posapp.checkout import Sale
from posapp.clock import utc_now
from posapp.orders.base import checked_text
from posapp.pan_detect import contains_pan
from posapp.ui.messages import sentence

if TYPE_CHECKING:
    from posapp.ui.checkout_view import CheckoutView


def _tr(text: str) -> str:
    return QCoreApplication.translate("CheckoutView", text)


class Problem(Exception):
    """What keeps the form from being a sale: the ``field`` to fix, and the sentence saying why."""

    def __init__(self, field: QLineEdit, message: str):
        # A line of its own on the checkout, where the command line writes the same after "posapp: ".
        super().__init__(message[:1].upper() + message[1:])
        self.field = field


def mark(field: QLineEdit, problem: bool) -> None:
    """Mark ``field`` as the one to fix (``checkout_layout.PROBLEM_STYLE``), or unmark it."""
    if bool(field.property("problem")) != problem:
        field.setProperty("problem", problem)
        field.style().unpolish(field)
        field.style().polish(field)


def sale_from_form(view: CheckoutView, *, charges: bool) -> Sale:
    """The sale in ``view``'s form (a blank name is recorded as "Sale"); raises Problem naming the
    first field to fix, in the Tab order: name, amount, card number, expiry, then the description.
    ``charges``: a processor charges the sale, so a typed card needs its expiry."""
    def checked(field: QLineEdit, read: Callable[[], object]) -> object:
        try:
            return read()
        except ValueError as error:  # refused text, amount or card: one sentence
            if contains_pan(field.text()):
                field.setText("")  # a card number in another field is not left on screen (setText: no undo)
            raise Problem(field, sentence(error)) from None

    name = checked(view.name, lambda: checked_text("order name", view.name.text(), required=False))
    if not view.amount.text().strip():
        raise Problem(view.amount, _tr("Type the amount."))
    amount = checked(view.amount, view.typed_amount)
    entry = view.card_entry
    if entry.empty:
        raise Problem(view.card, _tr("Type the card number or swipe the card."))
    try:
        card = entry.card(utc_now().date())
    except ValueError as error:
        raise Problem(entry.field_of(error), sentence(error)) from None
    if charges and card.expiry is None:
        raise Problem(view.expiry, _tr("Type the card's expiry date, MM/YY: the card processor needs it."))
    description = checked(view.description, lambda: checked_text("description", view.description.text(),
                                                                  required=False))
    return Sale(name or "", description, amount, card)


def ask_to_clear(parent: QWidget, clear: Callable[[], None], closed: Callable[[], None]) -> QMessageBox:
    """Open (not exec: the window stays live for a swipe or the idle lock) the question whether to
    clear a sale with a card in it; Yes calls ``clear``, and ``closed`` follows either answer. No
    is the default: Enter or a second Esc keeps the sale."""
    question = QMessageBox(QMessageBox.Icon.Question, _tr("Clear the sale"), _tr("Clear this sale and wipe the card?"),
                           QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, parent)
    question.setDefaultButton(QMessageBox.StandardButton.No)
    question.setEscapeButton(QMessageBox.StandardButton.No)
    question.button(QMessageBox.StandardButton.Yes).clicked.connect(clear)
    question.finished.connect(closed)
    question.finished.connect(question.deleteLater)
    question.open()
    return question
