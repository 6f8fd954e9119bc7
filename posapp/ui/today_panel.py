""""Today at this till": the signed-in operator's sales of the business day at this till, for the
checkout ("Today: 12 sales · $1,234.50 · €20.00").

A shift is taken as the merchant's business day (``[merchant] timezone``, the day report's day) of
this operator at this till, not the time since the sign-in: a cashier who signs in again after a
break or the idle lock still sees the whole day. Sales are orders neither declined, voided nor
pending, as the day report counts them; the database counts and sums them
(``OrderStore.totals``), off the GUI thread, on each ``refresh()``.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from posapp.access.roles import SignedIn
from posapp.clock import utc_now
from posapp.localization import Localization
from posapp.orders import OrderFilter, OrderStore, OrderTotals
from posapp.ui.history_footer import amounts_text, counted
from posapp.ui.tasks import TaskRunner


class TodayPanel(QLabel):
    """The line of today's sales of ``set_operator``'s operator at ``workstation``; ``orders()`` is
    called on ``runner``'s worker thread. Empty while nobody is signed in."""

    def __init__(self, orders: Callable[[], OrderStore], runner: TaskRunner, localization: Localization,
                 workstation: str, parent: QWidget | None = None):
        super().__init__(parent)
        self._orders = orders
        self._runner = runner
        self._localization = localization
        self._workstation = workstation
        self._operator: SignedIn | None = None
        self._asked = 0  # an answer for an earlier operator or an earlier question is dropped
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setAccessibleName(self.tr("Today's sales at this till"))

    def set_operator(self, operator: SignedIn | None) -> None:
        """Show ``operator``'s sales (None: nobody signed in, nothing shown); asks the database at once."""
        self._operator = operator
        self.clear()
        self.refresh()

    def refresh(self) -> None:
        """Ask the database for today's sales again (after a sale, say); the line changes when it answers."""
        self._asked += 1
        if self._operator is None:
            return
        start, end = self._localization.business_day(self._localization.today(utc_now()))
        where = OrderFilter(since=start, until=end, workstation=self._workstation, operator=self._operator.login)
        asked = self._asked
        self._runner.run(lambda: self._orders().totals(where), lambda totals: self._show(asked, totals),
                         lambda _message, _error: self._show(asked, None), owner=self)

    def _show(self, asked: int, totals: OrderTotals | None) -> None:
        if asked != self._asked:
            return
        if totals is None:
            self.setText(self.tr("Today: not known now (the order history is not answering)"))
        elif not totals.sales:
            self.setText(self.tr("Today: no sales yet"))
        else:
            sales = counted("%n sale", "%n sales", totals.sales)
            self.setText(self.tr("Today: %1 · %2")
                         .replace("%1", sales).replace("%2", amounts_text(totals, self._localization)))
