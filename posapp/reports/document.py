"""A printed document (a receipt, a day report) as lines, and the plain text of it.

Receipts and reports are built once as a :class:`Document` and rendered by each format:
plain text here, PDF (``reports.pdf``) and ESC/POS (``reports.escpos``). Every renderer
first lets ``reports.guard`` look at every line: a card-like number stops the document.
"""

from __future__ import annotations

import enum
import unicodedata
from dataclasses import dataclass, field, replace

from posapp.reports.guard import refuse_card_data

WIDTH = 42  # characters: the Font A line of an 80 mm receipt printer, and of the text form
# Signs that CLDR writes (ja_JP's "￥1,050") and that neither the PDF font nor the printers' code
# pages hold, as the ordinary signs they stand for: a missing glyph would drop the currency.
FULL_WIDTH_SIGNS = {"\uffe5": "\u00a5", "\uffe1": "\u00a3", "\uffe0": "\u00a2", "\uff04": "$", "\uffe6": "\u20a9"}


class Style(enum.Enum):
    """How a line prints: a centred ``TITLE`` (large, bold), ``CENTER`` (the header and the
    footer), ``BOLD``, ``NORMAL``, or a ``RULE`` across the width."""

    TITLE = "title"
    CENTER = "center"
    BOLD = "bold"
    NORMAL = "normal"
    RULE = "rule"


@dataclass(frozen=True)
class Line:
    """One line: ``text`` on the left and, where given, ``right`` aligned to the right edge
    (an amount); ``label`` names the field for the card-data check ("order name")."""

    text: str = ""
    right: str | None = None
    style: Style = Style.NORMAL
    label: str = "text"


@dataclass
class Document:
    """A receipt or report: ``name`` says which ("receipt of order 17"), for messages; ``lines``
    in print order."""

    name: str
    lines: list[Line] = field(default_factory=list)

    def add(self, text: str = "", right: str | None = None, *, style: Style = Style.NORMAL,
            label: str = "text") -> None:
        """Append one line (see :class:`Line`)."""
        self.lines.append(Line(text, right, style, label))

    def rule(self) -> None:
        """Append a rule across the width."""
        self.lines.append(Line(style=Style.RULE))

    def check(self) -> None:
        """Raise CardDataInDocument (exit 4) if any line holds a card-like number, naming its label."""
        refuse_card_data(self.name, ((line.label, f"{line.text} {line.right or ''}") for line in self.lines))


def with_twins(document: Document, twins: dict[str, str]) -> Document:
    """``document`` with each character that is a key of ``twins`` written as its value, for a
    renderer that cannot show the original; laid out afterwards, so alignment holds."""
    table = str.maketrans(twins)
    return Document(document.name, [replace(line, text=line.text.translate(table),
                                            right=None if line.right is None else line.right.translate(table))
                                    for line in document.lines])


def text_lines(document: Document, width: int = WIDTH) -> list[str]:
    """The document as lines of at most ``width`` columns (wide characters count 2): a long text
    wraps onto the next lines, never cut; the right-hand text keeps its place at the end."""
    lines = []
    for line in document.lines:
        if line.style is Style.RULE:
            lines.append("-" * width)
            continue
        text = line.text.upper() if line.style is Style.TITLE else line.text
        pieces = _wrap(text, width)
        if line.right is not None:
            gap = width - columns(pieces[-1]) - columns(line.right)
            if gap >= 1:
                pieces[-1] = pieces[-1] + " " * gap + line.right
            else:
                pieces.append(" " * max(0, width - columns(line.right)) + line.right)
        if line.style in (Style.TITLE, Style.CENTER):
            pieces = [" " * ((width - columns(piece)) // 2) + piece for piece in pieces]
        lines.extend(pieces)
    return lines


def render_text(document: Document, width: int = WIDTH) -> str:
    """The plain-text form: :func:`text_lines` joined, ending with a newline. Raises
    CardDataInDocument before anything is made."""
    document.check()
    return "\n".join(text_lines(document, width)) + "\n"


def columns(text: str) -> int:
    """How many columns ``text`` takes on a terminal or printer: East Asian wide characters take 2."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _wrap(text: str, width: int) -> list[str]:
    """``text`` broken into pieces of at most ``width`` columns, at spaces where it can be."""
    pieces, current = [], ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if columns(candidate) <= width:
            current = candidate
            continue
        if current:
            pieces.append(current)
        while columns(word) > width:  # a word longer than a line: broken where it must be
            cut = _fit(word, width)
            pieces.append(word[:cut])
            word = word[cut:]
        current = word
    pieces.append(current)
    return pieces


def _fit(text: str, width: int) -> int:
    used = 0
    for index, char in enumerate(text):
        used += columns(char)
        if used > width:
            return max(index, 1)
    return len(text)
