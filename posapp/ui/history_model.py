"""The order history table model: pages fetched lazily, off the GUI thread, by keyset.

Like Anki's browser model, it holds what was fetched and asks for more only when the view
scrolls near the end (``canFetchMore``/``fetchMore``). Each page is one keyset query of the
order store through the task runner; a million orders scroll as smoothly as a hundred.
It shows only what orders hold (masked card, token-free): browsing never touches the vault.
Every order's status is in its own column, the usual ones (recorded, paid) too.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor

from posapp.localization import Localization
from posapp.orders import Order, OrderFilter, OrderPage, presentation
from posapp.orders.status import OrderStatus
from posapp.ui.tasks import TaskRunner

PAGE_SIZE = 100
# Statuses that need a look, in the colour of the checkout's messages; the others in the table's own.
_STATUS_COLOURS = {OrderStatus.DECLINED: QColor("#b00020"), OrderStatus.PENDING: QColor("#8a5a00")}

Index = QModelIndex | QPersistentModelIndex
FetchPage = Callable[[int | None, int, OrderFilter], OrderPage]  # (before, limit, where)


class HistoryModel(QAbstractTableModel):
    """The order list: ``fetch_page(before, limit, where)`` runs on ``runner``'s worker thread
    and returns an OrderPage; its errors reach ``load_failed`` as a sentence."""

    load_failed = Signal(str)
    loaded = Signal()  # a page arrived (or the list turned out empty)

    def __init__(self, fetch_page: FetchPage, runner: TaskRunner, localization: Localization, parent=None):
        super().__init__(parent)
        self._fetch_page = fetch_page
        self._localization = localization  # times in the merchant's zone, amounts as its locale writes them
        self._runner = runner
        self._orders: list[Order] = []
        self._cells: list[tuple[str, ...]] = []  # each row's text, made once: data() runs on every paint
        self._where = OrderFilter()
        self._next_before: int | None = None
        self._exhausted = True  # nothing is fetched before the first set_filter: no I/O at start-up
        self._started = False
        self._loading = False
        self._generation = 0  # pages of an earlier filter that arrive late are dropped
        # Keys of presentation.list_fields, in column order, under translated headers.
        self._keys, self._columns = zip(("id", self.tr("Order")), ("created", self.tr("Time")),
                                        ("name", self.tr("Name")), ("amount", self.tr("Amount")),
                                        ("card", self.tr("Card")), ("status", self.tr("Status")),
                                        ("workstation", self.tr("Workstation")))
        self._status_column = self._keys.index("status")

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
        fields = {**presentation.list_fields(order, self._localization),
                  "status": order.status.value if order.status else ""}
        return tuple(fields[key] for key in self._keys)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:
        return not parent.isValid() and not self._exhausted and not self._loading

    def fetchMore(self, parent: Index = QModelIndex()) -> None:
        if not self.canFetchMore(parent):
            return
        self._loading = True
        generation, before, where = self._generation, self._next_before, self._where
        self._runner.run(lambda: self._fetch_page(before, PAGE_SIZE, where),
                         lambda page: self._append(generation, page),
                         lambda message, _error: self._failed(generation, message), owner=self)

    # -- posapp -----------------------------------------------------------------------

    def set_filter(self, where: OrderFilter) -> None:
        """Start over from the newest order matching ``where``."""
        self.beginResetModel()
        self._started = True
        self._generation += 1
        self._where = where
        self._orders, self._cells = [], []
        self._next_before = None
        self._exhausted = False
        self._loading = False
        self.endResetModel()
        self.fetchMore()

    def clear(self) -> None:
        """Forget every order loaded (sign-out): nothing is fetched again until the next ``set_filter``."""
        self.beginResetModel()
        self._started = False
        self._generation += 1  # a page still on its way belongs to the operator who left
        self._orders, self._cells = [], []
        self._exhausted, self._loading = True, False
        self.endResetModel()

    def refresh(self) -> None:
        """Load the list again from the newest order, under the current filter."""
        self.set_filter(self._where)

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

    def _append(self, generation: int, page: OrderPage) -> None:
        if generation != self._generation:
            return
        self._loading = False
        if page.orders:
            first = len(self._orders)
            self.beginInsertRows(QModelIndex(), first, first + len(page.orders) - 1)
            self._orders.extend(page.orders)
            self._cells.extend(self._row(order) for order in page.orders)
            self.endInsertRows()
        self._next_before = page.next_before
        self._exhausted = page.next_before is None
        self.loaded.emit()

    def _failed(self, generation: int, message: str) -> None:
        if generation != self._generation:
            return
        self._loading = False
        self._exhausted = True  # stop asking until the user refreshes
        self.load_failed.emit(message)

