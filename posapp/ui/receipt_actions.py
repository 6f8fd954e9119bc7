"""Printing and saving an order's receipt from the window, in the background.

Print goes where ``[receipts] printer`` says: ``system`` asks the print dialog for a printer and
paints the receipt's lines on it (QPainter on a QPrinter, which Qt allows off the GUI thread);
an ESC/POS target gets the receipt's ESC/POS bytes. Save asks for a file and writes a PDF, never
over an existing file. Rendering, the journal, the printer and the disk are all a task's work
(``ui.tasks``); the dialogs return at once (``open``, as the refund dialog does), so the idle lock
closes them, and are injectable for tests.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QPointF, Signal
from PySide6.QtGui import QFont, QFontDatabase, QFontMetricsF, QPainter
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog, QWidget

from posapp.access.roles import SignedIn
from posapp.app import Services
from posapp.errors import Backend, Unavailable
from posapp.orders import Order
from posapp.pan_detect import redact
from posapp.reports.document import WIDTH, Document, Style, text_lines
from posapp.reports.receipts import Destination, EscposPrinter, Issued, NewFile, ReceiptFormat, Rendered
from posapp.ui.receipt_buttons import PRINT
from posapp.ui.tasks import TaskRunner

SYSTEM = "system"
DONE_MS = 10_000  # how long the status bar says what was done; what is under way or failed stays
ChoosePrinter = Callable[[QWidget, Callable[[QPrinter], None]], None]  # (parent, chosen): chosen(printer) on OK
ChooseFile = Callable[[QWidget, str, Callable[[str], None]], None]  # (parent, suggested path, chosen(path))


def ask_printer(parent: QWidget, chosen: Callable[[QPrinter], None]) -> None:
    """Open the print dialog over ``parent``; ``chosen(printer)`` once a printer is chosen (not on Cancel)."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    dialog = QPrintDialog(printer, parent)
    dialog.finished.connect(lambda result: result == QDialog.DialogCode.Accepted and chosen(printer))
    dialog.finished.connect(dialog.deleteLater)
    QDialog.open(dialog)  # window-modal, returning at once (not QPrintDialog.open(receiver, slot))


def ask_file(parent: QWidget, suggested: str, chosen: Callable[[str], None]) -> None:
    """Open a Save dialog for a PDF over ``parent``; ``chosen(path)`` once a name is given."""
    dialog = QFileDialog(parent, parent.tr("Save receipt"), suggested, parent.tr("PDF files (*.pdf)"))
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setDefaultSuffix("pdf")
    # posapp never overwrites a file: it says so, rather than ask a question whose yes it would refuse.
    dialog.setOption(QFileDialog.Option.DontConfirmOverwrite)
    dialog.fileSelected.connect(chosen)
    dialog.finished.connect(dialog.deleteLater)
    QDialog.open(dialog)  # window-modal, returning at once: told by fileSelected


class SystemPrinter:
    """A printer the print dialog chose: the receipt's text lines, in a fixed-width font sized so
    that a line of the receipt fills the page's width (at most 12 points)."""

    def __init__(self, printer: QPrinter):
        self._printer = printer
        self.name = f"system printer {redact(printer.printerName()) or '(default)'}"

    def check(self) -> None:
        """Nothing to check before: the dialog chose it."""

    def deliver(self, rendered: Rendered) -> None:
        """Paint the lines, a new page where one is full; Unavailable if the printer cannot be used."""
        painter = QPainter()
        if not painter.begin(self._printer):
            raise Unavailable(f"the {self.name} cannot be used", backend=Backend.PRINTER)
        try:
            _paint(painter, rendered.document, self._printer)
        finally:
            painter.end()


def _paint(painter: QPainter, document: Document, printer: QPrinter) -> None:
    page = printer.pageLayout().paintRectPixels(printer.resolution())
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setPointSizeF(10.0)
    fits = page.width() / max(QFontMetricsF(font, printer).horizontalAdvance("M" * WIDTH), 1.0)
    font.setPointSizeF(min(12.0, 10.0 * fits))
    metrics = QFontMetricsF(font, printer)
    y = 0.0
    for line in document.lines:
        bold = QFont(font)
        bold.setBold(line.style in (Style.TITLE, Style.BOLD))
        painter.setFont(bold)
        for row in text_lines(Document(document.name, [line]), WIDTH):
            if y + metrics.height() > page.height():
                printer.newPage()
                y = 0.0
            painter.drawText(QPointF(0.0, y + metrics.ascent()), row)
            y += metrics.height()


class ReceiptActions(QObject):
    """Print and Save for ``services``' orders by ``operator()`` (None: nobody signed in: nothing is
    done), dialogs over ``window``. ``said(sentence, ms)``: what is happening, what was done or why not, to
    show for ``ms`` milliseconds (0: until the next message), as QStatusBar.showMessage takes it."""

    said = Signal(str, int)

    def __init__(self, services: Services, runner: TaskRunner, operator: Callable[[], SignedIn | None],
                 window: QWidget, *, choose_printer: ChoosePrinter = ask_printer, choose_file: ChooseFile = ask_file):
        super().__init__(window)
        self._services = services
        self._runner = runner
        self._operator = operator
        self._window = window
        self._choose_printer = choose_printer
        self._choose_file = choose_file

    def request(self, order: Order, how: str) -> None:
        """Print (``how`` is ``PRINT``) or save the receipt of ``order``."""
        if how == PRINT:
            self.print(order)
        else:
            self.save(order)

    def print(self, order: Order) -> None:
        """Print ``order``'s receipt on the till's printer (the print dialog's choice for "system")."""
        target = self._services.receipt_printer
        if target != SYSTEM:
            self._issue(order, ReceiptFormat.ESCPOS, EscposPrinter(target), saved=False)
            return
        self._choose_printer(self._window, lambda printer: self._issue(
            order, ReceiptFormat.TEXT, SystemPrinter(printer), saved=False))

    def save(self, order: Order) -> None:
        """Ask for a file name, then save ``order``'s receipt there as a PDF."""
        suggested = str(Path.home() / f"receipt-{order.id}.pdf")
        self._choose_file(self._window, suggested, lambda path: path and self._issue(
            order, ReceiptFormat.PDF, NewFile(Path(path)), saved=True))

    def _issue(self, order: Order, format: ReceiptFormat, destination: Destination, *, saved: bool) -> None:
        operator, receipts = self._operator(), lambda: self._services.receipts
        if operator is None:
            return
        number = str(order.id)
        self.said.emit((self.tr("Saving the receipt of order %1…") if saved
                        else self.tr("Printing the receipt of order %1…")).replace("%1", number), 0)

        def done(issued: Issued) -> None:
            what = self.tr("Copy of the receipt") if issued.copy else self.tr("Receipt")
            self.said.emit((self.tr("%1 of order %2 saved to %3.") if saved else self.tr("%1 of order %2 printed."))
                           .replace("%1", what).replace("%2", number).replace("%3", issued.to), DONE_MS)

        def failed(message: str, _error: Exception) -> None:
            self.said.emit((self.tr("The receipt of order %1 was not saved: %2") if saved
                            else self.tr("The receipt of order %1 was not printed: %2"))
                           .replace("%1", number).replace("%2", message), 0)

        self._runner.run(lambda: receipts().issue(operator, order.id, format, destination), done, failed, owner=self)
