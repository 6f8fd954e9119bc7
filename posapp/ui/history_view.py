"""The back office's order history: filters, a lazily loaded table, and a detail pane."""

from __future__ import annotations

import datetime

from PySide6.QtCore import QDate, QItemSelection, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from posapp.card import Brand
from posapp.clock import utc_now
from posapp.localization import Localization
from posapp.orders import Order, OrderFilter
from posapp.pan_detect import contains_pan
from posapp.ui.history_model import HistoryModel
from posapp.ui.messages import sentence
from posapp.ui.order_details import OrderDetails

SEARCH_PAUSE_MS = 300  # wait for the typing to pause before asking the database


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

        self.search = QLineEdit()
        self.search.setAccessibleName(self.tr("Search order name or description"))
        self.search.setPlaceholderText(self.tr("Search name or description"))
        self.search.setClearButtonEnabled(True)
        self.use_since, self.since = QCheckBox(self.tr("From")), QDateEdit()
        self.use_until, self.until = QCheckBox(self.tr("to")), QDateEdit()
        for check, date, name in ((self.use_since, self.since, self.tr("From date")),
                                  (self.use_until, self.until, self.tr("To date"))):
            date.setCalendarPopup(True)
            date.setDisplayFormat("yyyy-MM-dd")
            today = localization.today(utc_now())  # the merchant's business day, not the desktop's
            date.setDate(QDate(today.year, today.month, today.day))
            date.setEnabled(False)
            date.setAccessibleName(name)
            check.toggled.connect(date.setEnabled)
            check.toggled.connect(self.apply_filters)
            date.dateChanged.connect(self.apply_filters)
        self.brand = QComboBox()
        self.brand.setAccessibleName(self.tr("Card brand"))
        self.brand.addItem(self.tr("All brands"), None)
        for brand in Brand:
            self.brand.addItem(brand.value, brand)
        self.brand.currentIndexChanged.connect(self.apply_filters)
        self.workstation = QLineEdit()
        self.workstation.setAccessibleName(self.tr("Workstation"))
        self.workstation.setPlaceholderText(self.tr("Every till"))
        self.workstation.setClearButtonEnabled(True)
        self.refresh = QPushButton(self.tr("Refresh (F5)"))
        self.refresh.setAccessibleName(self.tr("Refresh order history"))
        self.refresh.clicked.connect(self.model.refresh)
        self.export = QPushButton(self.tr("Export…"))  # shown to operators who may export (set_access)
        self.export.setAccessibleName(self.tr("Export the orders shown as a CSV file"))
        self.export.hide()
        self.message = QLabel()
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setAccessibleName(self.tr("Order history status"))

        self._search_pause = QTimer(self, singleShot=True, interval=SEARCH_PAUSE_MS)
        self._search_pause.timeout.connect(self.apply_filters)
        self.search.textChanged.connect(self._search_pause.start)
        self.workstation.textEdited.connect(self._search_pause.start)

        filters = QHBoxLayout()
        filters.addWidget(self.search, 3)
        filters.addWidget(self.workstation, 1)
        for widget in (self.use_since, self.since, self.use_until, self.until, self.brand, self.refresh, self.export):
            filters.addWidget(widget)

        self.table = QTableView()
        self.table.setAccessibleName(self.tr("Orders"))
        self.table.setModel(model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        for column, width in ((0, 70), (1, 140), (3, 105), (4, 165), (5, 125), (6, 90)):
            self.table.setColumnWidth(column, width)
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

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.message)

        model.load_failed.connect(self._load_failed)
        model.loaded.connect(self._loaded)
        model.modelReset.connect(lambda: self.details.show_order(None))

    def current_filter(self) -> OrderFilter:
        """The filter the widgets show; dates are whole business days in the merchant's zone, both
        ends included. Raises InvalidOrder for refused search text or a start date after the end date."""
        def day(date: QDate) -> tuple[datetime.datetime, datetime.datetime]:
            return self._localization.business_day(datetime.date(date.year(), date.month(), date.day()))

        since = day(self.since.date())[0] if self.use_since.isChecked() else None
        until = day(self.until.date())[1] if self.use_until.isChecked() else None
        return OrderFilter(text=self.search.text().strip() or None, since=since, until=until,
                           brand=self.brand.currentData(), workstation=self.workstation.text().strip() or None)

    def set_access(self, *, only_workstation: str | None, voids: bool, refunds: bool = False,
                   asks_supervisor: bool = False, receipts: bool = False, exports: bool = False) -> None:
        """What the signed-in operator may see and do: only the orders of ``only_workstation``
        (None: every till's); Void (``voids``) and Refund… (``refunds``), or ask a supervisor for
        either (``asks_supervisor``); print and save ``receipts``; Export… (``exports``); a button
        that is neither is hidden."""
        self.export.setVisible(exports)
        self.workstation.setText(only_workstation or "")
        self.workstation.setEnabled(only_workstation is None)
        self.workstation.setClearButtonEnabled(only_workstation is None)
        self.details.set_access(refunds=refunds, voids=voids, asks_supervisor=asks_supervisor, receipts=receipts)

    def order_changed(self, order: Order) -> None:
        """Show ``order`` as it is now (voided, refunded) in its row, and in the pane if it is selected."""
        self.model.replace_order(order)
        if self.details.order is not None and self.details.order.id == order.id:
            self.details.show_order(order)

    def forget(self) -> None:
        """Empty the list and the filters (sign-out): the next operator starts afresh."""
        self._search_pause.stop()
        self.search.setText("")
        self.message.clear()
        self.model.clear()

    def apply_filters(self) -> None:
        """Reload the list under the current filter, or show why the filter is refused (a
        search that looks like a card number is also cleared from the field)."""
        try:
            where = self.current_filter()
        except ValueError as error:
            if contains_pan(self.search.text()):
                self.search.setText("")  # refused, and not left on screen (setText leaves no undo)
            self.message.setText(sentence(error))
            return
        self.message.setText(self.tr("Loading…"))
        self.model.set_filter(where)

    def _loaded(self) -> None:
        count = self.model.rowCount()
        more = self.tr(" (scroll for more)") if self.model.canFetchMore() else ""
        self.message.setText(self.tr("No orders match.") if count == 0
                             else self.tr("%1 orders shown").replace("%1", str(count)) + more)

    def _load_failed(self, message: str) -> None:
        self.message.setText(self.tr("Order history could not be loaded: %1").replace("%1", message))

    def _selected(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = selected.indexes()
        self.details.show_order(self.model.order_at(rows[0].row()) if rows else None)

