"""How much of a paid order to give back, and why: the form behind the history's Refund… button.

The amount is in the order's currency, typed as the cashier's locale writes amounts (as at the
checkout), all that is left to refund by default; the reason goes to the journal, so it is
checked as stored text is (no card number, no control character). Nothing is sent from here:
``chosen`` hands the amount and reason to the window, which refunds in the background.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from posapp.localization import Localization
from posapp.money import Money
from posapp.orders import Order
from posapp.orders.base import checked_text
from posapp.ui import announce, look
from posapp.ui.messages import sentence


class RefundDialog(QDialog):
    """Asks the amount (default: what is left of ``order``'s capture) and the reason of a refund.

    ``chosen(amount_minor, reason)`` is emitted and the dialog accepted once both are acceptable;
    a refused one is named under the form and the dialog stays open."""

    chosen = Signal(int, str)

    def __init__(self, order: Order, localization: Localization, parent: QWidget | None = None):
        super().__init__(parent)
        self._localization = localization
        self._currency = order.amount.currency
        self._left = order.captured_minor - order.refunded_minor
        left = Money(self._left, self._currency) if self._left > 0 else None
        self.setWindowTitle(self.tr("Refund order %1").replace("%1", str(order.id)))
        self.setMinimumWidth(460)  # the order's line reads whole, its masked card unbroken
        self.amount = QLineEdit(localization.amount_number(left) if left else "")
        self.amount.setAccessibleName(self.tr("Amount to refund"))
        self.amount.selectAll()
        self.reason = QLineEdit()
        self.reason.setAccessibleName(self.tr("Reason for the refund"))
        self.reason.setPlaceholderText(self.tr("Why, for the journal: e.g. cold coffee"))
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {look.ERROR};")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.refund_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.refund_button.setText(self.tr("Refund"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        amount_row = QHBoxLayout()
        amount_row.addWidget(self.amount, 1)
        amount_row.addWidget(QLabel(self._currency))
        form = QFormLayout()
        form.addRow(self.tr("&Amount"), amount_row)
        form.addRow(self.tr("&Reason"), self.reason)
        form.itemAt(0, QFormLayout.ItemRole.LabelRole).widget().setBuddy(self.amount)
        explanation = QLabel(self.tr("Order %1 (%2 on %3): %4 can be given back.").replace("%1", str(order.id))
                             .replace("%2", localization.amount(order.amount)).replace("%3", order.card_masked)
                             .replace("%4", localization.amount(left) if left else self.tr("nothing")))
        explanation.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(explanation)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.amount.setFocus()

    def accept(self) -> None:
        """Check the amount and the reason; emit ``chosen`` and close, or say what is refused."""
        try:
            amount = self._localization.parse_amount(self.amount.text(), self._currency)
            reason = checked_text("refund reason", self.reason.text(), required=True)
        except ValueError as error:
            announce.show(self.message, sentence(error), urgent=True)
            return
        if amount.minor > self._left:
            left = Money(self._left, self._currency) if self._left > 0 else None
            announce.show(self.message, self.tr("At most %1 is left to refund on this order.").replace(
                "%1", self._localization.amount(left)) if left else self.tr("Nothing is left to refund on this order."),
                urgent=True)
            return
        self.chosen.emit(amount.minor, reason)
        super().accept()
