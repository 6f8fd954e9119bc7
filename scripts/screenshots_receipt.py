"""The receipt preview: an order's receipt as the window prints it on the "system" printer.

The receipt is issued as the window's Print receipt does it (``Receipts.issue`` with a
``SystemPrinter``, the same painting code), on a printer that writes a PDF page of an 80 mm
receipt roll instead of a printer the print dialog chose; the page is then rasterized at a
thermal printer's 203 dpi (pdftoppm), cut below the last line as the printer's cutter would,
and laid on a grey background so that the white paper shows on a white page.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRect, QSizeF
from PySide6.QtGui import QColor, QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrinter

from screenshots_capture import ScreenFailed, check_picture

ROLL_MM = QSizeF(80, 297)  # an 80 mm roll; the page is cut after the receipt, as the printer does
MARGINS_MM = QMarginsF(4, 4, 4, 4)  # 72 mm printed of 80: the usual print width of such a roll
DPI = 203  # a thermal receipt printer's
FEED = 40  # pixels of paper left below the last line (5 mm)
BORDER = 24  # pixels of grey around the paper
WHITE = 245  # lighter than this (grey level) is paper


def receipt_preview(services, operator, order_id: int, out: Path, work: Path) -> Path:
    """Issue order ``order_id``'s receipt as ``operator`` (journalled, as printing it is) onto a PDF
    receipt roll in ``work``, and save its picture as ``out/receipt-preview.png``; the file's path.
    Raises ScreenFailed if the receipt takes more than a page or the picture is blank."""
    from posapp.reports.receipts import ReceiptFormat
    from posapp.ui.receipt_actions import SystemPrinter

    pdf = work / "receipt.pdf"
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(pdf))
    printer.setPageSize(QPageSize(ROLL_MM, QPageSize.Unit.Millimeter, "80 mm receipt roll"))
    printer.setPageMargins(MARGINS_MM, QPageLayout.Unit.Millimeter)
    services.receipts.issue(operator, order_id, ReceiptFormat.TEXT, SystemPrinter(printer))
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    pages = re.search(r"^Pages:\s+(\d+)$", info, re.MULTILINE)
    if pages is None or pages.group(1) != "1":
        raise ScreenFailed(f"receipt-preview: the receipt takes more than one {ROLL_MM.height():g} mm page")
    subprocess.run(["pdftoppm", "-png", "-r", str(DPI), "-singlefile", str(pdf), str(work / "receipt")], check=True)
    paper = _cut(QImage(str(work / "receipt.png")))
    path = out / "receipt-preview.png"
    _on_background(paper).save(str(path))
    check_picture(path)
    print(f"screenshots: {path.relative_to(out.parent.parent)}")
    return path


def _cut(page: QImage) -> QImage:
    """``page`` down to FEED pixels below its last printed line."""
    grey = page.convertToFormat(QImage.Format.Format_Grayscale8)
    bits, stride = grey.constBits(), grey.bytesPerLine()
    last = next((row for row in range(grey.height() - 1, -1, -1)
                 if min(bits[row * stride:row * stride + grey.width()]) < WHITE), None)
    if last is None:
        raise ScreenFailed("receipt-preview: the receipt page is blank")
    return page.copy(0, 0, page.width(), min(page.height(), last + FEED))


def _on_background(paper: QImage) -> QImage:
    picture = QImage(paper.width() + 2 * BORDER, paper.height() + 2 * BORDER, QImage.Format.Format_RGB32)
    picture.fill(QColor("#d5d5d5"))
    painter = QPainter(picture)
    painter.drawImage(BORDER, BORDER, paper)
    painter.setPen(QColor("#9e9e9e"))
    painter.drawRect(QRect(BORDER - 1, BORDER - 1, paper.width() + 1, paper.height() + 1))
    painter.end()
    return picture
