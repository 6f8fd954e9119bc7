"""The order history's filters, in two rows (one would be cut off at 1024 pixels wide): the search
(name, description, or a card's last 4 digits), status and brand; the dates, the till and the operator."""

from __future__ import annotations

import datetime

from PySide6.QtCore import QDate, QTimer, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QDateEdit, QGridLayout, QHBoxLayout, QLineEdit, QWidget

from posapp.card import Brand
from posapp.clock import utc_now
from posapp.localization import Localization
from posapp.orders import OrderFilter
from posapp.orders.status import OrderStatus
from posapp.ui.history_model import status_label

SEARCH_PAUSE_MS = 300  # wait for the typing to pause before asking the database


class HistoryFilters(QWidget):
    """The filter widgets; ``changed`` when one changed (typed text once the typing pauses)."""

    changed = Signal()

    def __init__(self, localization: Localization, parent: QWidget | None = None):
        super().__init__(parent)
        self._localization = localization
        self.search = _line(self.tr("Search order name, description or card's last 4 digits"),
                            self.tr("Search name, description or last 4 digits"))
        self.workstation = _line(self.tr("Till"), self.tr("Every till"))
        self.operator = _line(self.tr("Operator login"), self.tr("Every operator"))
        self.use_since, self.since = QCheckBox(self.tr("From")), QDateEdit()
        self.use_until, self.until = QCheckBox(self.tr("to")), QDateEdit()
        self.use_since.setAccessibleName(self.tr("Only orders from a date on"))  # "to" alone says nothing
        self.use_until.setAccessibleName(self.tr("Only orders up to a date"))
        for check, date, name in ((self.use_since, self.since, self.tr("From date")),
                                  (self.use_until, self.until, self.tr("To date"))):
            date.setCalendarPopup(True)
            date.setDisplayFormat("yyyy-MM-dd")
            today = localization.today(utc_now())  # the merchant's business day, not the desktop's
            date.setDate(QDate(today.year, today.month, today.day))
            date.setEnabled(False)
            date.setAccessibleName(name)
            check.toggled.connect(date.setEnabled)
            check.toggled.connect(self.changed)
            date.dateChanged.connect(self.changed)
        self.brand = _Choice(self.tr("Card brand"), self.tr("All brands"), [(brand.value, brand) for brand in Brand])
        self.status = _Choice(self.tr("Order status"), self.tr("All statuses"),
                              [(status_label(status), status) for status in OrderStatus])
        for choice in (self.brand, self.status):
            choice.currentIndexChanged.connect(self.changed)
        self.pause = QTimer(self, singleShot=True, interval=SEARCH_PAUSE_MS)
        self.pause.timeout.connect(self.changed)
        self.search.textChanged.connect(self.pause.start)
        for line in (self.workstation, self.operator):
            line.textEdited.connect(self.pause.start)

        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search, 0, 0, 1, 3)
        layout.addWidget(self.status, 0, 3)
        layout.addWidget(self.brand, 0, 4)
        dates = QHBoxLayout()
        for widget in (self.use_since, self.since, self.use_until, self.until):
            dates.addWidget(widget)
        layout.addLayout(dates, 1, 0)
        layout.addWidget(self.workstation, 1, 1)
        layout.addWidget(self.operator, 1, 2)
        layout.setColumnStretch(0, 2)
        layout.setColumnStretch(1, 1)
        layout.setColumnStretch(2, 1)

    def current_filter(self) -> OrderFilter:
        """The filter the widgets show; dates are whole business days in the merchant's zone, both
        ends included. Raises InvalidOrder for refused search text or a start date after the end date."""
        def day(date: QDate) -> tuple[datetime.datetime, datetime.datetime]:
            return self._localization.business_day(datetime.date(date.year(), date.month(), date.day()))

        since = day(self.since.date())[0] if self.use_since.isChecked() else None
        until = day(self.until.date())[1] if self.use_until.isChecked() else None
        return OrderFilter(text=self.search.text().strip() or None, since=since, until=until,
                           brand=self.brand.value(), workstation=self.workstation.text().strip() or None,
                           operator=self.operator.text().strip() or None, status=self.status.value())


def _line(name: str, placeholder: str) -> QLineEdit:
    line = QLineEdit()
    line.setAccessibleName(name)
    line.setPlaceholderText(placeholder)
    line.setClearButtonEnabled(True)
    return line


class _Choice(QComboBox):
    """A combo box whose ``value()`` is the chosen item's Python value: Qt's item data turns an
    enum.StrEnum (OrderStatus) into a plain str."""

    def __init__(self, name: str, every: str, choices: list[tuple[str, object]]):
        super().__init__()
        self.setAccessibleName(name)
        self._values: list[object] = [None]
        self.addItem(every, None)
        for text, value in choices:
            self.addItem(text, value)
            self._values.append(value)

    def value(self) -> object:
        """The value of the item shown; None for "every"."""
        return self._values[self.currentIndex()] if self.currentIndex() >= 0 else None
