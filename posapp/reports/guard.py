"""The last check before a receipt, report or export is written: no card number in it.

posapp writes only brand and last 4, but a document also carries text others typed (order
names, the merchant's header) and rows other programs wrote. The logs' PAN detector
(``posapp.pan_detect``) looks at every field; one that holds a card-like number stops the
whole document, which is then not written at all (exit 4)."""

from __future__ import annotations

from collections.abc import Iterable

from posapp.errors import IntegrityFailure
from posapp.pan_detect import contains_pan


class CardDataInDocument(IntegrityFailure):
    """A document about to be written holds what looks like a card number (exit 4); nothing was
    written. The message names the document and the field, never the number."""


def refuse_card_data(document: str, fields: Iterable[tuple[str, str | None]]) -> None:
    """Raise CardDataInDocument naming ``document`` ("receipt of order 17") and the first field
    whose text holds a card-like number (12 to 19 digits passing Luhn, grouped or not)."""
    for label, text in fields:
        if text and contains_pan(text):
            raise CardDataInDocument(f"the {document} was not written: its {label} holds what looks like a "
                                     f"card number (remove it from the order or the settings)")
