"""The currency button beside an amount field.

Amounts themselves are read by ``posapp.localization`` as ``[merchant] locale`` writes them,
the same parser as the command line's ``--amount``: nothing is dropped or guessed."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QMenu, QToolButton

from posapp.money import EXPONENTS


def currency_button(currency: str, choose: Callable[[str], None]) -> QToolButton:
    """The button beside the amount showing ``currency``; its menu calls ``choose(code)``.

    Not in the Tab order and never focused, so no stray key can change it: another currency
    is a deliberate click, for one sale only."""
    def tr(text: str) -> str:
        return QCoreApplication.translate("CheckoutView", text)

    button = QToolButton()
    button.setAccessibleName(tr("Currency of this sale"))
    button.setToolTip(tr("Another currency for this sale only"))
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
    button.setText(currency)
    menu = QMenu(button)
    for code in sorted(EXPONENTS):
        menu.addAction(code, lambda code=code: choose(code))
    button.setMenu(menu)
    return button
