"""Documents as one-page PDFs the width of a receipt (80 mm), with fpdf2.

The lines are those of the plain-text form (``document.text_lines``), set in a monospaced
font, so a PDF receipt reads exactly like a printed one and ``pdftotext`` gives back the
same text. The font must hold €, ¥ and the mask's bullets: DejaVu Sans Mono (Debian's
fonts-dejavu-core, which the .deb depends on), else a system font that has them.
"""

from __future__ import annotations

from pathlib import Path

from posapp.errors import Unavailable
from posapp.reports.document import FULL_WIDTH_SIGNS, WIDTH, Document, Style, text_lines, with_twins

PAGE_WIDTH_MM = 80.0
MARGIN_MM = 4.0
FONT_PT = 8.0  # 42 columns of DejaVu Sans Mono (0.6 em each) fill the 72 mm between the margins
LINE_MM = 3.6
# (regular, bold): the first pair found is used.
FONTS = [
    ("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"),
    ("/usr/share/fonts/dejavu/DejaVuSansMono.ttf", "/usr/share/fonts/dejavu/DejaVuSansMono-Bold.ttf"),
    ("/usr/share/fonts/TTF/DejaVuSansMono.ttf", "/usr/share/fonts/TTF/DejaVuSansMono-Bold.ttf"),
    ("C:/Windows/Fonts/consola.ttf", "C:/Windows/Fonts/consolab.ttf"),
    ("/System/Library/Fonts/Menlo.ttc", "/System/Library/Fonts/Menlo.ttc"),
]


class NoPdfFont(Unavailable):
    """No font that can write a receipt was found on this workstation (exit 3)."""


def render_pdf(document: Document, *, title: str) -> bytes:
    """The document as a one-page PDF 80 mm wide and as long as its lines; ``title`` goes in the
    PDF's metadata. Raises CardDataInDocument (exit 4) before anything is made, NoPdfFont."""
    from fpdf import FPDF  # only when a PDF is asked for: fpdf2 and Pillow load slowly

    document.check()
    document = with_twins(document, FULL_WIDTH_SIGNS)  # DejaVu Sans Mono has no "￥"
    regular, bold = _font()
    rows = text_lines(document, WIDTH)
    height = 2 * MARGIN_MM + LINE_MM * (len(rows) + 1)
    pdf = FPDF(orientation="P", unit="mm", format=(PAGE_WIDTH_MM, max(height, 40.0)))
    pdf.set_auto_page_break(False)  # one page, whatever the length: the page is made to fit
    pdf.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
    pdf.set_title(title)
    pdf.set_creator("posapp")
    pdf.add_font("mono", "", regular)
    pdf.add_font("mono", "B", bold)
    pdf.add_page()
    for row, bolded in zip(rows, _bold_rows(document), strict=True):
        pdf.set_font("mono", "B" if bolded else "", FONT_PT)
        pdf.cell(w=PAGE_WIDTH_MM - 2 * MARGIN_MM, h=LINE_MM, text=row, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _bold_rows(document: Document) -> list[bool]:
    """For each text row, whether it prints bold: the rows of TITLE and BOLD lines."""
    bold = []
    for line in document.lines:
        count = len(text_lines(Document(document.name, [line]), WIDTH))
        bold += [line.style in (Style.TITLE, Style.BOLD)] * count
    return bold


def _font() -> tuple[str, str]:
    for regular, bold in FONTS:
        if Path(regular).is_file():
            return regular, bold if Path(bold).is_file() else regular
    raise NoPdfFont("no font to write a PDF with was found: install DejaVu Sans Mono "
                    "(Debian: sudo apt-get install fonts-dejavu-core)")
