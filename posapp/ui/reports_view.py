"""Reports (F4), for supervisors and the back office: a business day's report at a till, shown as it
prints, printed, saved as PDF, and the day's close (Z report) after a confirmation.

Every query, close, print and file write runs on the task runner. The services check the operator's
permission again: a supervisor sees this till's report only, the back office every till's.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QFontDatabase, QTextDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from posapp.access.roles import Permission, SignedIn
from posapp.app import Services
from posapp.clock import utc_now
from posapp.errors import Backend, Unavailable
from posapp.reports.day import DayAlreadyClosed, DayReport
from posapp.reports.day_document import day_document
from posapp.reports.document import Document, render_text
from posapp.ui import announce
from posapp.ui.messages import sentence
from posapp.ui.tasks import TaskRunner

SYSTEM_PRINTER = "system"


class ReportsView(QWidget):
    """The day report of the chosen day and till, for ``operator()`` (None: nobody signed in: nothing
    is asked), over ``services``; work runs on ``runner``."""

    def __init__(self, services: Services, runner: TaskRunner, operator: Callable[[], SignedIn | None],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._services, self._runner, self._operator = services, runner, operator
        self.report: DayReport | None = None
        self._loaded = False
        self.day = QDateEdit()
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd")
        self.day.setAccessibleName(self.tr("Business day"))
        self.day.dateChanged.connect(self.load)
        self.till = QComboBox()
        self.till.setAccessibleName(self.tr("Till"))
        self.till.currentIndexChanged.connect(self.load)
        self.text = QPlainTextEdit(readOnly=True)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setAccessibleName(self.tr("Day report"))
        self.print_button = QPushButton(self.tr("Print…"))
        self.print_button.clicked.connect(self.print_report)
        self.pdf_button = QPushButton(self.tr("Save as PDF…"))
        self.pdf_button.clicked.connect(self.save_pdf)
        self.close_button = QPushButton(self.tr("Close day…"))
        self.close_button.setAccessibleName(self.tr("Close the day of this till (Z report)"))
        self.close_button.clicked.connect(self.confirm_close)
        self.message = QLabel()
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setAccessibleName(self.tr("Reports status"))
        top = QHBoxLayout()
        for widget in (QLabel(self.tr("Day")), self.day, QLabel(self.tr("Till")), self.till):
            top.addWidget(widget)
        top.addStretch(1)
        for button in (self.print_button, self.pdf_button, self.close_button):
            top.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.message)
        self._enable()

    # -- what is shown -------------------------------------------------------------------

    def set_access(self, operator: SignedIn) -> bool:
        """Offer ``operator``'s tills (this one; every till and the others for the back office) and
        today (the merchant's business day); the report loads when the screen is shown. Whether the
        operator may run reports at all (else this screen is to be hidden)."""
        self.forget()
        self.till.blockSignals(True)
        self.day.blockSignals(True)
        self.till.clear()
        here = self._services.workstation
        self.till.addItem(self.tr("This till (%1)").replace("%1", here), here)
        if operator.may(Permission.ALL_ORDERS):
            self.till.addItem(self.tr("All tills"), None)
        today = self._services.localization.today(utc_now())
        self.day.setDate(QDate(today.year, today.month, today.day))
        self.day.blockSignals(False)
        self.till.blockSignals(False)
        if self.isVisible():
            self.load()
        return operator.may(Permission.REPORTS)

    def forget(self) -> None:
        """Drop the report shown (sign-out, another operator)."""
        self.report, self._loaded = None, False
        self.text.clear()
        announce.show(self.message, "")
        self._enable()

    def showEvent(self, event) -> None:
        """Load the report the first time the screen is shown after a sign-in."""
        super().showEvent(event)
        if not self._loaded:
            self.load()

    def _chosen(self) -> tuple[datetime.date, str | None]:
        date = self.day.date()
        return datetime.date(date.year(), date.month(), date.day()), self.till.currentData()

    def load(self) -> None:
        """Ask for the chosen day and till's report (and the tills that worked that day)."""
        operator = self._operator()
        if operator is None or self.till.count() == 0:
            return
        self._loaded = True
        day, till = self._chosen()

        def work() -> tuple[DayReport, list[str], str]:
            reports = self._services.day_reports  # built here, on the worker, on first use
            report = reports.report(operator, day, till)
            return report, reports.tills(operator, day), self._text(report)

        announce.show(self.message, self.tr("Reading the report of %1…").replace("%1", day.isoformat()))
        self._runner.run(work, lambda found: self._show(*found), self._failed, owner=self)

    def _text(self, report: DayReport) -> str:
        """The report as it prints; raises CardDataInDocument (run on the worker)."""
        return render_text(day_document(report, self._services.merchant, self._services.localization))

    def _show(self, report: DayReport, tills: list[str], text: str) -> None:
        if (report.day, report.workstation) != self._chosen():
            return  # another day or till was chosen meanwhile; its answer follows
        self._offer(tills)
        self.report = report
        self.text.setPlainText(text)
        announce.show(self.message, self.tr("Z report: this day of this till is closed.") if report.kind == "Z" else
                      self.tr("X report: a reading, not closed."))
        self._enable()

    def _offer(self, tills: list[str]) -> None:
        """Add the tills the data names, keeping the choice."""
        known = {self.till.itemData(index) for index in range(self.till.count())}
        self.till.blockSignals(True)
        for till in tills:
            if till not in known:
                self.till.addItem(till, till)
        self.till.blockSignals(False)

    def _document(self) -> Document:
        return day_document(self.report, self._services.merchant, self._services.localization)

    def _enable(self) -> None:
        shown = self.report is not None
        self.print_button.setEnabled(shown)
        self.pdf_button.setEnabled(shown)
        self.close_button.setEnabled(shown and self.report.workstation is not None and self.report.closed is None)

    def _failed(self, message: str, _error: Exception | None = None) -> None:
        announce.show(self.message, message, urgent=True)

    # -- closing ------------------------------------------------------------------------

    def confirm_close(self) -> None:
        """Ask whether to close the day shown; closing it is final."""
        if self.report is None or self.report.workstation is None:
            return
        report = self.report
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Close the day"),
                          self.tr("Close %1 at %2?").replace("%1", report.day.isoformat())
                          .replace("%2", report.workstation), QMessageBox.StandardButton.Yes |
                          QMessageBox.StandardButton.Cancel, self)
        box.setInformativeText(self.tr("A day is closed once: its Z report is recorded and journalled, and every "
                                       "later print of it is a reprint."))
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.accepted.connect(lambda: self._close(report.day, report.workstation))
        box.open()

    def _close(self, day: datetime.date, till: str) -> None:
        operator = self._operator()
        if operator is None:
            return
        self.close_button.setEnabled(False)
        announce.show(self.message, self.tr("Closing %1…").replace("%1", day.isoformat()))
        def work() -> tuple[DayReport, list[str], str]:
            report = self._services.day_reports.close(operator, day, till)
            return report, [], self._text(report)

        self._runner.run(work, lambda found: self._show(*found), self._close_failed, owner=self)

    def _close_failed(self, message: str, error: Exception) -> None:
        self._failed(self.tr("The day was not closed: %1").replace("%1", message))
        # Closed meanwhile (at another till): no use trying again; change the day or till to read it anew.
        self.close_button.setEnabled(not isinstance(error, DayAlreadyClosed))

    # -- printing and PDF ------------------------------------------------------------------

    def print_report(self) -> None:
        """Print the report shown: the print dialog for the "system" printer, else the receipt printer."""
        if self.report is None:
            return
        document, target = self._document(), self._services.receipt_printer
        if target != SYSTEM_PRINTER:
            from posapp.reports.escpos import print_escpos

            self._runner.run(lambda: print_escpos(document, target),
                             lambda _none: announce.show(self.message, self.tr("Printed on %1.").replace("%1", target)),
                             self._failed, owner=self)
            return
        try:
            text = render_text(document)  # checked for card data before anything is printed
        except Exception as error:
            self._failed(sentence(error))
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._runner.run(
            lambda: _print_on(printer, text),
            lambda _none: announce.show(self.message, self.tr("Sent to the printer.")),
            self._failed, owner=self))
        QDialog.open(dialog)  # QPrintDialog's own open() wants a receiver

    def save_pdf(self) -> None:
        """Ask where to save the report as a PDF (a new file only)."""
        if self.report is None:
            return
        dialog = QFileDialog(self, self.tr("Save the report as PDF"))
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setOption(QFileDialog.Option.DontConfirmOverwrite)  # an existing file is refused, never replaced
        dialog.setNameFilter(self.tr("PDF (*.pdf)"))
        dialog.setDefaultSuffix("pdf")
        dialog.selectFile(f"{self.report.kind.lower()}-report-{self.report.day}-{self.report.workstation or 'all'}"
                          ".pdf")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(lambda path: self.save_pdf_to(Path(path)))
        dialog.open()

    def save_pdf_to(self, path: Path) -> None:
        """Write the report shown to the new PDF file ``path``, in the background."""
        from posapp.reports.files import write_new
        from posapp.reports.pdf import render_pdf

        document = self._document()
        self._runner.run(lambda: write_new(path, render_pdf(document, title=document.name)),
                         lambda _none: announce.show(self.message, self.tr("Saved to %1.").replace("%1", str(path))),
                         self._failed, owner=self)


def _print_on(printer: QPrinter, text: str) -> None:
    """Paint ``text`` on ``printer`` in a fixed-width font (on a worker: Qt allows painting on a QPrinter
    off the GUI thread, and a printer may take its time). Raises Unavailable if it cannot be used."""
    page = QTextDocument()
    page.setDefaultFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
    page.setPlainText(text)
    page.print_(printer)
    if printer.printerState() == QPrinter.PrinterState.Error:
        raise Unavailable(f"the printer {printer.printerName() or '(default)'} cannot be used", backend=Backend.PRINTER)
