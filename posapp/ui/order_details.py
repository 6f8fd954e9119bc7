"""The order history's detail pane: one order as a receipt shows it (masked card), who took it (the
operator's name and login), its status in words, the processor's reference and what was refunded,
the Refund… and Void buttons of the signed-in role, and Print receipt and Save receipt…

The vault token is of use only to administrators (``posapp vault verify``, ``order charge``): it is
on an "Advanced" line that only they see (``set_access(advanced=True)``)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QPushButton, QWidget

from posapp.localization import Localization
from posapp.orders import Order, presentation
from posapp.orders.status import OrderStatus
from posapp.ui.history_model import status_label
from posapp.ui.receipt_buttons import ReceiptButtons

# What each button can act on: an uncharged or uncaptured order is voided; money taken is refunded.
VOIDABLE = (OrderStatus.RECORDED, OrderStatus.AUTHORIZED)
REFUNDABLE = (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED)


class OrderDetails(QWidget):
    """The selected order's fields (``presentation.detail_fields``) under translated labels, and the
    buttons ``set_access`` shows: Refund… for a paid order, Void for a recorded or authorized one."""

    def __init__(self, localization: Localization, parent: QWidget | None = None):
        super().__init__(parent)
        self._localization = localization
        self.setAccessibleName(self.tr("Order details"))
        self._fields: dict[str, QLabel] = {}
        self.order: Order | None = None
        self.refund = QPushButton(self.tr("Refund…"))
        self.refund.setAccessibleName(self.tr("Refund this order"))
        self.void = QPushButton(self.tr("Void"))
        self.void.setAccessibleName(self.tr("Void this order"))
        self.receipt = ReceiptButtons()
        self._layout = layout = QFormLayout(self)
        # Keys of presentation.detail_fields, in the pane's row order, under translated labels.
        for key, label in (("id", self.tr("Order")), ("created", self.tr("Time")), ("name", self.tr("Name")),
                           ("description", self.tr("Description")), ("amount", self.tr("Amount")),
                           ("card", self.tr("Card")), ("status", self.tr("Status")),
                           ("payment", self.tr("Processor reference")), ("refunded", self.tr("Refunded")),
                           ("operator", self.tr("Operator")), ("workstation", self.tr("Till")),
                           ("token", self.tr("Advanced"))):
            value = QLabel()
            value.setTextFormat(Qt.TextFormat.PlainText)  # stored text is shown, never rendered as HTML
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setAccessibleName(label)
            self._fields[key] = value
            layout.addRow(label, value)
        layout.setRowVisible(self._fields["token"], False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.refund)
        buttons.addWidget(self.void)
        buttons.addStretch(1)
        layout.addRow(buttons)  # under the fields, not beside their labels: the pane stays narrow
        layout.addRow(self.receipt)
        self.show_order(None)

    def set_access(self, *, refunds: bool, voids: bool, asks_supervisor: bool, receipts: bool = False,
                   advanced: bool = False) -> None:
        """Show Refund… and Void to an operator who ``refunds`` or ``voids``, or (``asks_supervisor``)
        who may ask a supervisor to approve it, the receipt buttons to one who prints ``receipts``, and
        the Advanced line (the vault token) to an administrator (``advanced``); hide them from everyone else."""
        self.receipt.set_allowed(receipts)
        self._layout.setRowVisible(self._fields["token"], advanced)
        self.refund.setVisible(refunds or asks_supervisor)
        self.refund.setText(self.tr("Refund…") if refunds else self.tr("Refund (supervisor)…"))
        self.void.setVisible(voids or asks_supervisor)
        self.void.setText(self.tr("Void") if voids else self.tr("Void (supervisor)…"))

    def show_order(self, order: Order | None, operator_name: str | None = None) -> None:
        """Show ``order`` (None: nothing selected), taken by the operator called ``operator_name`` (None:
        not known; the login alone is shown); the buttons are enabled for what it allows."""
        self.order = order
        status = order.status if order is not None else None
        self.void.setEnabled(status in VOIDABLE)
        self.refund.setEnabled(status in REFUNDABLE)
        self.receipt.show_order(order)
        values = {} if order is None else presentation.detail_fields(order, self._localization)
        if order is not None:
            values["status"] = status_label(status)
            if order.token:
                values["token"] = self.tr("Vault token %1").replace("%1", order.token)
            if order.operator and operator_name:
                values["operator"] = f"{operator_name} ({order.operator})"
        for key, label in self._fields.items():
            label.setText(values.get(key, ""))
