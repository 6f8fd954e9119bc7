"""The order history table model: pages fetched lazily, off the GUI thread, by keyset.

Like Anki's browser model, it holds what was fetched and asks for more only when the view
scrolls near the end (``canFetchMore``/``fetchMore``). Each page is one keyset query of the
order store through the task runner; a million orders scroll as smoothly as a hundred.
It shows only what orders hold (masked card, token-free): browsing never touches the vault.
Every order's status is in its own column, the usual ones (recorded, paid) too.

Sorting (``sort``, by a header click) asks the store again in the new order: the order, time,
amount and status columns sort, on the database (``posapp.orders.listing``); the others do not.
The totals of the filter (``totals_changed``) are asked of the database with each new list.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import (QT_TRANSLATE_NOOP, QAbstractTableModel, QCoreApplication, QModelIndex,
                            QPersistentModelIndex, Qt, Signal)
from PySide6.QtGui import QColor

from posapp.localization import Localization
from posapp.orders import (Order, OrderFilter, OrderPage, OrderSort, OrderStore, OrderStoreError, OrderTotals, PageKey,
                           SortKey, presentation)
from posapp.orders.listing import NEWEST_FIRST
from posapp.orders.status import OrderStatus
from posapp.ui.tasks import TaskRunner

PAGE_SIZE = 100
# Statuses that need a look, in the colour of the checkout's messages; the others in the table's own.
_STATUS_COLOURS = {OrderStatus.DECLINED: QColor("#b00020"), OrderStatus.PENDING: QColor("#8a5a00")}
_SORT_KEYS = {"id": SortKey.ORDER, "created": SortKey.TIME, "amount": SortKey.AMOUNT, "status": SortKey.STATUS}
_STATUS_LABELS = {
    OrderStatus.RECORDED: QT_TRANSLATE_NOOP("OrderStatus", "Card on file"),
    OrderStatus.PENDING: QT_TRANSLATE_NOOP("OrderStatus", "Pending"),
    OrderStatus.AUTHORIZED: QT_TRANSLATE_NOOP("OrderStatus", "Authorized"),
    OrderStatus.PAID: QT_TRANSLATE_NOOP("OrderStatus", "Paid"),
    OrderStatus.DECLINED: QT_TRANSLATE_NOOP("OrderStatus", "Declined"),
    OrderStatus.VOIDED: QT_TRANSLATE_NOOP("OrderStatus", "Voided"),
    OrderStatus.PARTIALLY_REFUNDED: QT_TRANSLATE_NOOP("OrderStatus", "Partly refunded"),
    OrderStatus.REFUNDED: QT_TRANSLATE_NOOP("OrderStatus", "Refunded"),
}

Index = QModelIndex | QPersistentModelIndex


def status_label(status: OrderStatus | None) -> str:
    """An order's status as people say it ("Partly refunded"), translated; "" for none (a status
    another program wrote, which posapp does not know)."""
    return QCoreApplication.translate("OrderStatus", _STATUS_LABELS[status]) if status else ""


class HistoryModel(QAbstractTableModel):
    """The order list of ``orders()`` (called on ``runner``'s worker thread: building the store may
    be I/O); its errors reach ``load_failed`` as a sentence. ``totals_changed(OrderTotals | None)``:
    the totals of the current filter arrived (None: not known, while loading or after a failure)."""

    load_failed = Signal(str)
    loaded = Signal()  # a page arrived (or the list turned out empty)
    totals_changed = Signal(object)

    def __init__(self, orders: Callable[[], OrderStore], runner: TaskRunner, localization: Localization,
                 parent=None):
        super().__init__(parent)
        self._store = orders
        self._localization = localization  # times in the merchant's zone, amounts as its locale writes them
        self._runner = runner
        self._orders: list[Order] = []
        self._cells: list[tuple[str, ...]] = []  # each row's text, made once: data() runs on every paint
        self._where = OrderFilter()
        self._sort = NEWEST_FIRST
        self._next: PageKey | None = None
        self._operator_names: dict[str, str] = {}  # login → name, of the operators the list names
        self._exhausted = True  # nothing is fetched before the first set_filter: no I/O at start-up
        self._started = False
        self._loading = False
        self._generation = 0  # pages of an earlier filter that arrive late are dropped
        # Keys of presentation.list_fields, in column order, under translated headers.
        self._keys, self._columns = zip(("id", self.tr("Order")), ("created", self.tr("Time")),
                                        ("name", self.tr("Name")), ("amount", self.tr("Amount")),
                                        ("card", self.tr("Card")), ("status", self.tr("Status")),
                                        ("workstation", self.tr("Till")))
        self._status_column = self._keys.index("status")
        self.sortable_columns = frozenset(self._keys.index(key) for key in _SORT_KEYS)

    # -- Qt model interface -----------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._orders)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self._columns[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        """The cell's text (as ``presentation.list_fields``, with every status), right alignment for
        the id and amount columns, a colour for a declined or pending status; None for anything else."""
        if not index.isValid() or not 0 <= index.row() < len(self._orders):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._cells[index.row()][index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in (0, 3):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == self._status_column:
            return _STATUS_COLOURS.get(self._orders[index.row()].status)
        return None

    def _row(self, order: Order) -> tuple[str, ...]:
        # A list leaves the usual statuses blank; this column's job is to show each one.
        fields = {**presentation.list_fields(order, self._localization), "status": status_label(order.status)}
        return tuple(fields[key] for key in self._keys)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:
        return not parent.isValid() and not self._exhausted and not self._loading

    def fetchMore(self, parent: Index = QModelIndex()) -> None:
        if not self.canFetchMore(parent):
            return
        self._loading = True
        generation, after, where, sort = self._generation, self._next, self._where, self._sort
        known = frozenset(self._operator_names)
        self._runner.run(lambda: self._with_names(self._store().page(after=after, limit=PAGE_SIZE, where=where,
                                                                     sort=sort), known),
                         lambda found: self._append(generation, *found),
                         lambda message, _error: self._failed(generation, message), owner=self)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by ``column`` (one of ``sortable_columns``; others are ignored) in ``order``: the list
        starts over from the first order in that sort, asked of the store."""
        if column not in self.sortable_columns:
            return
        sort = OrderSort(_SORT_KEYS[self._keys[column]], order == Qt.SortOrder.DescendingOrder)
        if sort != self._sort:
            self._sort = sort
            if self._started:
                self.set_filter(self._where)

    # -- posapp -----------------------------------------------------------------------

    def set_filter(self, where: OrderFilter) -> None:
        """Start over from the newest order matching ``where``."""
        self.beginResetModel()
        self._started = True
        self._generation += 1
        self._where = where
        self._orders, self._cells = [], []
        self._next = None
        self._exhausted = False
        self._loading = False
        self.endResetModel()
        self.fetchMore()
        self._ask_totals()

    def clear(self) -> None:
        """Forget every order loaded (sign-out): nothing is fetched again until the next ``set_filter``."""
        self.beginResetModel()
        self._started = False
        self._generation += 1  # a page still on its way belongs to the operator who left
        self._orders, self._cells = [], []
        self._exhausted, self._loading = True, False
        self._sort = NEWEST_FIRST
        self.endResetModel()
        self.totals_changed.emit(None)

    def refresh(self) -> None:
        """Load the list again under the current filter and sort, as many orders as are shown now (at
        least a page), and its totals; the rows are replaced when the orders arrive, in one reset, so
        the list never shows empty meanwhile. Nothing happens before the first ``set_filter``."""
        if not self._started:
            return
        self._generation += 1
        self._loading = True
        generation, wanted, where, sort = self._generation, max(len(self._orders), PAGE_SIZE), self._where, self._sort
        known = frozenset(self._operator_names)
        self._runner.run(lambda: self._with_names(self._pages(wanted, where, sort), known),
                         lambda found: self._replace(generation, *found),
                         lambda message, _error: self._failed(generation, message), owner=self)
        self._ask_totals()

    def row_of(self, order_id: int) -> int | None:
        """The row showing the order ``order_id``, None where none does."""
        return next((row for row, order in enumerate(self._orders) if order.id == order_id), None)

    def operator_name(self, login: str | None) -> str | None:
        """The name of the operator ``login``, where the list has named it (None: not known)."""
        return self._operator_names.get(login) if login else None

    def column_of(self, key: SortKey) -> int:
        """The column that sorts by ``key``."""
        return self._keys.index(next(name for name, sort_key in _SORT_KEYS.items() if sort_key is key))

    @property
    def order_by(self) -> OrderSort:
        """The sort the list is in."""
        return self._sort

    def replace_order(self, order: Order) -> bool:
        """Show ``order`` as it is now (after a void or a refund) in the row of its id; False when
        no row shows it. Nothing is fetched."""
        for row, shown in enumerate(self._orders):
            if shown.id == order.id:
                self._orders[row], self._cells[row] = order, self._row(order)
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(self._columns) - 1))
                return True
        return False

    def order_at(self, row: int) -> Order:
        """The order shown in ``row`` (0-based); IndexError outside the rows loaded."""
        return self._orders[row]

    @property
    def loading(self) -> bool:
        """Whether a page is being fetched now."""
        return self._loading

    @property
    def started(self) -> bool:
        """Whether a filter was set yet: before that nothing is fetched."""
        return self._started

    def _with_names(self, page: OrderPage, known: frozenset[str]) -> tuple[OrderPage, dict[str, str]]:
        """``page`` and, where it names operators not in ``known``, every operator's name by login (on the worker)."""
        if not {order.operator for order in page.orders if order.operator} - known:
            return page, {}
        try:
            return page, {record.login: record.name for record in self._store().operators.all()}
        except OrderStoreError:
            return page, {}  # the pane shows the logins alone

    def _append(self, generation: int, page: OrderPage, names: dict[str, str]) -> None:
        if generation != self._generation:
            return
        self._operator_names.update(names)
        self._loading = False
        if page.orders:
            first = len(self._orders)
            self.beginInsertRows(QModelIndex(), first, first + len(page.orders) - 1)
            self._orders.extend(page.orders)
            self._cells.extend(self._row(order) for order in page.orders)
            self.endInsertRows()
        self._next = page.next
        self._exhausted = page.next is None
        self.loaded.emit()

    def _pages(self, wanted: int, where: OrderFilter, sort: OrderSort) -> OrderPage:
        """At least ``wanted`` orders from the first on (fewer where there are no more), on the worker."""
        store, orders, after = self._store(), [], None
        while True:
            page = store.page(after=after, limit=PAGE_SIZE, where=where, sort=sort)
            orders += page.orders
            if page.next is None or len(orders) >= wanted:
                return OrderPage(orders, page.next)
            after = page.next

    def _replace(self, generation: int, page: OrderPage, names: dict[str, str]) -> None:
        if generation != self._generation:
            return
        self._operator_names.update(names)
        self.beginResetModel()
        self._orders, self._cells = list(page.orders), [self._row(order) for order in page.orders]
        self._loading = False
        self._next = page.next
        self._exhausted = page.next is None
        self.endResetModel()
        self.loaded.emit()

    def _ask_totals(self) -> None:
        self.totals_changed.emit(None)
        generation, where = self._generation, self._where
        self._runner.run(lambda: self._store().totals(where), lambda totals: self._totals_arrived(generation, totals),
                         lambda _message, _error: None, owner=self)  # the list's own failure says it

    def _totals_arrived(self, generation: int, totals: OrderTotals) -> None:
        if generation == self._generation:
            self.totals_changed.emit(totals)

    def _failed(self, generation: int, message: str) -> None:
        if generation != self._generation:
            return
        self._loading = False
        self._exhausted = True  # stop asking until the user refreshes
        self.load_failed.emit(message)

