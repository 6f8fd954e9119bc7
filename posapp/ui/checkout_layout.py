"""How the checkout is laid out: the heading with the amount due, the quick keys, the sale form
and the Charge button, in a centred column that fits a 1024x768 screen. Type is larger than the
desktop's: a till is read at arm's length, often standing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from posapp.ui.checkout_view import CheckoutView

# A field the cashier must fix after Enter is marked by the dynamic property "problem".
PROBLEM_STYLE = 'QLineEdit[problem="true"] { border: 2px solid #b00020; border-radius: 2px; }'


def _scaled(font: QFont, factor: float, *, bold: bool = False) -> QFont:
    scaled = QFont(font)
    scaled.setPointSizeF(font.pointSizeF() * factor)
    scaled.setBold(bold)
    return scaled


def lay_out(view: CheckoutView) -> None:
    """Place ``view``'s widgets (made by the view) and set their fonts and the Tab order: name,
    amount, card number, expiry, code, Charge. The description (Alt+D or a click) and the
    currency (a click) are off the Tab chain: most sales need neither."""
    font = _scaled(view.font(), 1.25)
    view.setFont(font)
    for field in (view.name, view.description, view.amount, view.card, view.expiry, view.cvc):
        field.setStyleSheet(PROBLEM_STYLE)  # the fields' own: on the view, every child would lose the font
        field.setFont(font)  # a field with a style sheet no longer takes its parent's
    for widget in (view.brand, view.result, view.charge):
        widget.setFont(_scaled(font, 1.3))
    view.charge.setMinimumHeight(view.charge.sizeHint().height() * 3 // 2)  # the key of the screen: easy to hit
    heading = QLabel(view.tr("New sale"))
    heading.setFont(_scaled(font, 1.6, bold=True))
    view.amount_due.setFont(_scaled(font, 2.4, bold=True))  # what the customer pays, read across the counter
    heading_column = QVBoxLayout()
    heading_column.addWidget(heading)
    if view.today is not None:  # the cashier's day so far, always in sight
        view.today.setFont(font)
        heading_column.addWidget(view.today)
    heading_row = QHBoxLayout()
    heading_row.addLayout(heading_column)
    heading_row.addWidget(view.amount_due, 1)

    amount_row = QHBoxLayout()
    amount_row.addWidget(view.amount, 1)
    amount_row.addWidget(view.currency)

    form = QFormLayout()
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    form.addRow(view.tr("&Order name"), view.name)
    form.addRow(view.tr("&Description"), view.description)
    form.addRow(view.tr("&Amount"), amount_row)
    form.addRow("", view.amount_message)
    form.addRow(view.tr("Ca&rd"), view.card_entry)
    form.addRow("", view.card_message)
    for row, field in ((0, view.name), (1, view.description), (2, view.amount), (4, view.card)):
        form.itemAt(row, QFormLayout.ItemRole.LabelRole).widget().setBuddy(field)

    column = QVBoxLayout()
    column.addSpacing(12)
    column.addLayout(heading_row)
    column.addWidget(view.quick_keys)
    column.addSpacing(8)
    column.addLayout(form)
    column.addWidget(view.charge, 0, Qt.AlignmentFlag.AlignRight)
    column.addWidget(view.result)
    column.addWidget(view.receipt)
    column.addStretch(1)
    outer = QHBoxLayout(view)
    outer.addStretch(1)
    outer.addLayout(column, 6)
    outer.addStretch(1)

    view.description.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # Alt+D (its label's buddy) still reaches it
    chain = (view.name, view.amount, view.card, view.expiry, view.cvc, view.charge)
    for first, second in zip(chain, chain[1:]):
        QWidget.setTabOrder(first, second)
