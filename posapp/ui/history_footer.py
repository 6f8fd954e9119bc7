"""The words of order totals, for the history's footer and the checkout's "Today at this till": counts
with their plural forms, and each currency's sum as the merchant's locale writes it."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from posapp.localization import Localization
from posapp.orders import OrderTotals, presentation

_CONTEXT = "OrderTotals"


def counted(singular: str, plural: str, count: int) -> str:
    """``count`` with its noun, translated with the count (Qt's plural forms): "1 order", "2 orders".
    ``singular`` and ``plural`` are source texts holding ``%n``; English needs both, other languages
    give every form of the plural one."""
    return QCoreApplication.translate(_CONTEXT, singular if count == 1 else plural, None, count)


def amounts_text(totals: OrderTotals, loc: Localization) -> str:
    """Each currency's sum of sales, by currency code, as ``loc`` writes amounts: "$1,234.50 · €20.00"."""
    return " · ".join(presentation.total_text(minor, currency, loc) for currency, minor in totals.amounts.items())


def totals_text(totals: OrderTotals, loc: Localization) -> str:
    """The footer of a list: "1 order", or "120 orders · 112 sales: $1,234.50 · €20.00" where some are sales."""
    text = counted("%n order", "%n orders", totals.count)
    if totals.sales:
        sales = counted("%n sale", "%n sales", totals.sales)
        text = QCoreApplication.translate(_CONTEXT, "%1 · %2: %3").replace("%1", text).replace("%2", sales) \
            .replace("%3", amounts_text(totals, loc))
    return text
