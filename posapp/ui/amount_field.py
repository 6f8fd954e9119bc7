"""Amounts as the cashier's locale writes them, read without guessing; the currency button beside them.

An amount must never change without a word: a field that silently drops a comma turns
``10,50`` into 1050.00. Here the one decimal separator of the cashier's locale is accepted
(``10,50`` in de_DE or fr_FR, ``10.50`` in en_US); anything else that is not a digit
(thousands separators, the other locale's separator, spaces, a second separator) is
refused with a sentence that shows how to write it. Nothing is dropped while typing.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QLocale, Qt
from PySide6.QtWidgets import QMenu, QToolButton

from posapp.money import EXPONENTS, InvalidAmount, Money

_SEPARATOR_NAMES = {".": "a dot", ",": "a comma"}


def parse_amount(text: str, currency: str, locale: QLocale) -> Money:
    """``text`` as typed in ``locale`` (``10,50`` in de_DE), as Money in ``currency``'s minor units;
    raises InvalidAmount (also for too many decimals or an unknown currency) with a sentence fit for the cashier."""
    separator = locale.decimalPoint()
    text = text.strip()
    whole, found, fraction = text.partition(separator)
    if not text or not (whole + fraction).isdigit() or not (whole + fraction).isascii():
        if text.startswith("-"):
            raise InvalidAmount("the amount must be more than zero")
        # The input is not echoed: a card number typed into the wrong field must not be shown.
        name = _SEPARATOR_NAMES.get(separator, f"“{separator}”")
        raise InvalidAmount(f"write the amount with digits only and {name} before the decimals, like 12{separator}34")
    return Money.parse(f"{whole or 0}.{fraction}" if found and fraction else whole or "0", currency)


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
