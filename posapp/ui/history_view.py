"""The back office's order history: filters, a lazily loaded table sorted by a header click, a detail
pane, and a footer with the filter's count and totals per currency (from the database).

The list reloads by itself, keeping the selected order (by id) and the scroll position: when it is
shown (its tab, the window activated), after a sale on this till (``sale_recorded``), and every
``AUTO_REFRESH_MS`` while it is shown, for the sales of other tills.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QItemSelection, Qt, QTimer, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from posapp.localization import Localization
from posapp.orders import Order, OrderFilter, OrderTotals
from posapp.pan_detect import contains_pan
from posapp.ui import announce
from posapp.ui.history_filters import HistoryFilters
from posapp.ui.history_footer import totals_text
from posapp.ui.history_model import HistoryModel
from posapp.ui.messages import sentence
from posapp.ui.order_details import OrderDetails

AUTO_REFRESH_MS = 30_000  # other tills' sales appear within this while the list is shown


class HistoryView(QWidget):
    """Filters above ``model``'s table, the selected order's details beside it, a status line below.

    ``void_requested(order)``, ``refund_requested(order)``: Void or Refund… was pressed for the
    selected order; ``receipt_requested(order, how)``: Print receipt or Save receipt… (``ui.receipt_buttons``)."""

    void_requested = Signal(object)
    refund_requested = Signal(object)
    receipt_requested = Signal(object, str)

    def __init__(self, model: HistoryModel, localization: Localization, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = model
        self._localization = localization

        self.filters = HistoryFilters(localization)
        self.filters.changed.connect(self.apply_filters)
        # The filter widgets by the names the window, the export and the tests use.
        filters = self.filters
        self.search, self.brand, self.status = filters.search, filters.brand, filters.status
        self.operator = filters.operator
        self.workstation, self.use_since, self.since = filters.workstation, filters.use_since, filters.since
        self.use_until, self.until = filters.use_until, filters.until
        self.refresh = QPushButton(self.tr("Refresh (F5)"))
        self.refresh.setAccessibleName(self.tr("Refresh order history"))
        self.refresh.clicked.connect(self.reload)
        self.export = QPushButton(self.tr("Export…"))  # shown to operators who may export (set_access)
        self.export.setAccessibleName(self.tr("Export the orders shown as a CSV file"))
        self.export.hide()
        self.message = QLabel()
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setAccessibleName(self.tr("Order history status"))
        self.footer = QLabel()
        self.footer.setTextFormat(Qt.TextFormat.PlainText)
        self.footer.setAccessibleName(self.tr("Orders and totals of the filter"))
        self.footer.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

        self._auto_refresh = QTimer(self, interval=AUTO_REFRESH_MS)
        self._auto_refresh.timeout.connect(self._refresh_if_shown)
        self._keep: tuple[int | None, int] | None = None  # (selected order id, scroll) to restore after a reload
        self._refusal: str | None = None  # why the search was emptied: said instead of the count until the next one

        top = QHBoxLayout()
        top.addWidget(self.filters, 1)
        buttons = QVBoxLayout()
        buttons.addWidget(self.refresh)
        buttons.addWidget(self.export)
        top.addLayout(buttons)

        self.table = QTableView()
        self.table.setAccessibleName(self.tr("Orders"))
        self.table.setModel(model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; the arrows move in it
        self._show_selection_unfocused()
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(False)  # one line per order; a long name is elided in the middle, its end shown
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # as a card's last 4 digits are
        for column, width in ((0, 58), (1, 118), (3, 82), (4, 165), (5, 104), (6, 56)):  # each cell whole
            self.table.setColumnWidth(column, width)
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(0, Qt.SortOrder.DescendingOrder)  # newest first
        header.sortIndicatorChanged.connect(self._sort_clicked)
        self.table.selectionModel().selectionChanged.connect(self._selected)

        self.details = OrderDetails(localization)
        self.details.void.clicked.connect(lambda: self.void_requested.emit(self.details.order))
        self.details.refund.clicked.connect(lambda: self.refund_requested.emit(self.details.order))
        self.details.receipt.requested.connect(self.receipt_requested)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)  # the detail pane cannot be squeezed out of sight
        splitter.setSizes([760, 240])  # the pane at its smallest whole width, the rest for the table

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        status_line = QHBoxLayout()
        status_line.addWidget(self.message, 1)
        status_line.addWidget(self.footer)
        layout.addLayout(status_line)

        model.load_failed.connect(self._load_failed)
        model.loaded.connect(self._loaded)
        model.modelReset.connect(lambda: self.details.show_order(None))
        model.totals_changed.connect(self._show_totals)

    def current_filter(self) -> OrderFilter:
        """The filter the widgets show (``HistoryFilters.current_filter``)."""
        return self.filters.current_filter()

    def set_access(self, *, only_workstation: str | None, voids: bool, refunds: bool = False,
                   asks_supervisor: bool = False, receipts: bool = False, exports: bool = False,
                   advanced: bool = False) -> None:
        """What the signed-in operator may see and do: only the orders of ``only_workstation``
        (None: every till's); Void (``voids``) and Refund… (``refunds``), or ask a supervisor for
        either (``asks_supervisor``); print and save ``receipts``; Export… (``exports``); the vault
        token (``advanced``, administrators); a button that is neither is hidden."""
        self.export.setVisible(exports)
        self.workstation.setText(only_workstation or "")
        self.workstation.setEnabled(only_workstation is None)
        self.workstation.setClearButtonEnabled(only_workstation is None)
        self.details.set_access(refunds=refunds, voids=voids, asks_supervisor=asks_supervisor, receipts=receipts,
                                advanced=advanced)

    def order_changed(self, order: Order) -> None:
        """Show ``order`` as it is now (voided, refunded) in its row, and in the pane if it is selected."""
        self.model.replace_order(order)
        if self.details.order is not None and self.details.order.id == order.id:
            self.details.show_order(order, self.model.operator_name(order.operator))

    def forget(self) -> None:
        """Empty the list and the filters (sign-out): the next operator starts afresh."""
        self.filters.pause.stop()
        self._keep, self._refusal = None, None
        self.search.setText("")
        self.operator.setText("")
        self.message.clear()
        self.model.clear()
        self.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.DescendingOrder)

    def apply_filters(self) -> None:
        """Reload the list under the current filter, or show why the filter is refused (a
        search that looks like a card number is also cleared from the field)."""
        self._refusal = None
        try:
            where = self.current_filter()
        except ValueError as error:
            announce.show(self.message, sentence(error), urgent=True)
            if not contains_pan(self.search.text()):
                return
            self.search.setText("")  # refused, and not left on screen (setText leaves no undo)
            self.filters.pause.stop()
            # The list follows the emptied box (not the search before it); the reason stays until the next search.
            self._refusal = self.message.text()
            try:
                where = self.current_filter()
            except ValueError:
                return  # another filter is refused as well: it is said once the search is typed again
        else:
            self.message.setText(self.tr("Loading…"))
        self._keep = None  # another list: from its top
        self.model.set_filter(where)

    def reload(self) -> None:
        """Load the list again (F5, the timer, a sale), keeping the selected order and the scroll
        position; nothing before the list was first loaded."""
        if not self.model.started:
            return
        rows = self.table.selectionModel().selectedRows()
        self._keep = (self.model.order_at(rows[0].row()).id if rows else None,
                      self.table.verticalScrollBar().value())
        self.model.refresh()

    def sale_recorded(self) -> None:
        """A sale was recorded (or declined) at this till: reload if the list is shown; a hidden one
        reloads when it is shown."""
        if self.isVisible():
            self.reload()

    def showEvent(self, event) -> None:
        """Shown (its tab): reload, and every ``AUTO_REFRESH_MS`` while shown."""
        super().showEvent(event)
        self._auto_refresh.start()
        self.reload()

    def hideEvent(self, event) -> None:
        """Hidden: no reloads until shown again."""
        self._auto_refresh.stop()
        super().hideEvent(event)

    def changeEvent(self, event) -> None:
        """The window activated again (back from another program or a dialog): reload."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow():
            self._refresh_if_shown()

    def _refresh_if_shown(self) -> None:
        if self.isVisible() and not self.model.loading:
            self.reload()

    def _sort_clicked(self, column: int, order: Qt.SortOrder) -> None:
        if column in self.model.sortable_columns:
            self._keep = None
            self.model.sort(column, order)
            return
        # Only the order, time, amount and status sort: the indicator stays where the list is sorted.
        sort, header = self.model.order_by, self.table.horizontalHeader()
        header.blockSignals(True)
        header.setSortIndicator(self.model.column_of(sort.key), Qt.SortOrder.DescendingOrder if sort.descending
                                else Qt.SortOrder.AscendingOrder)
        header.blockSignals(False)

    def _show_selection_unfocused(self) -> None:
        # The selected row keeps its colour while the window is not active (a refund dialog over it, another
        # program); the focus ring (ui.look) marks the table and its current cell while it has the focus.
        palette = self.table.palette()
        for role in (QPalette.ColorRole.Highlight, QPalette.ColorRole.HighlightedText):
            palette.setColor(QPalette.ColorGroup.Inactive, role, palette.color(QPalette.ColorGroup.Active, role))
        self.table.setPalette(palette)

    def _show_totals(self, totals: OrderTotals | None) -> None:
        self.footer.setText("" if totals is None else totals_text(totals, self._localization))

    def _loaded(self) -> None:
        count = self.model.rowCount()
        more = self.tr(" (scroll for more)") if self.model.canFetchMore() else ""
        shown = self.tr("%n order shown", "", count) if count == 1 else self.tr("%n orders shown", "", count)
        announce.show(self.message, self._refusal or (self.tr("No orders match.") if count == 0 else shown + more))
        if self._keep is not None:
            kept, self._keep = self._keep, None
            row = self.model.row_of(kept[0]) if kept[0] is not None else None
            if row is not None:
                self.table.selectRow(row)
            self.table.verticalScrollBar().setValue(kept[1])

    def _load_failed(self, message: str) -> None:
        announce.show(self.message, self.tr("Order history could not be loaded: %1").replace("%1", message),
                      urgent=True)

    def _selected(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = selected.indexes()
        order = self.model.order_at(rows[0].row()) if rows else None
        self.details.show_order(order, self.model.operator_name(order.operator) if order else None)

