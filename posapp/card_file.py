"""The lines of a legacy card file as people and spreadsheet programs write them.

One card per line: the number, then optionally the expiry (``NUMBER`` or ``NUMBER,MM/YY``).
Read as spreadsheet programs save CSV: a byte-order mark (``open_card_file`` drops it; a
line of a concatenated file may start with one too), CRLF or CR line ends, ``;`` instead
of ``,`` (Excel in many locales) or a tab (tab-delimited text), quoted fields, empty
trailing fields (a row shorter than the sheet's widest), rows of separators alone, and one
header row if it is the first row and recognisable as one (``Card number;Expiry``, or
Excel's ``sep=;`` line, which names the separator).

A file uses one separator. A line that uses two, or another one than the cards imported
before it, is refused by its number: whether its fields are a number and an expiry cannot
be told. No refusal ever repeats the line's content.
"""

from __future__ import annotations

import csv
import datetime
import re
import unicodedata

from posapp.card import Card, Expiry, Pan
from posapp.errors import InvalidInput

MAX_LINE = 1000  # characters; a card line has fewer than 30
SEPARATORS = {",": "a comma", ";": "a semicolon", "\t": "a tab"}
_QUOTED = re.compile(r'"(?:[^"]|"")*"')
# A spreadsheet shows a long number in its "General" format as 4.11111E+15 and saves it so
# (4,11111E+15 where the decimal mark is a comma): the digits after the 6th are gone for good.
_SCIENTIFIC = re.compile(r'\s*"?\d(?:[.,]\d*)?E\+?\d+"?\s*(?:[,;\t]|$)', re.ASCII | re.IGNORECASE)
# Column titles, folded (letters only, no case, no accents), in the languages of ';' locales.
_NUMBER_TITLES = frozenset({
    "pan", "card", "cardnumber", "cardno", "number", "creditcard", "creditcardnumber", "accountnumber",
    "kartennummer", "karte", "nummer", "numerodecarte", "carte", "numero", "numerodetarjeta", "tarjeta",
    "numerodicarta", "carta", "kaartnummer"})
_EXPIRY_TITLES = frozenset({
    "expiry", "exp", "expires", "expiration", "expirationdate", "expirydate", "expdate", "validthru",
    "validuntil", "mmyy", "ablaufdatum", "gultigbis", "ablauf", "datedexpiration", "expire", "validite",
    "fechadevencimiento", "vencimiento", "caducidad", "scadenza", "vervaldatum", "geldigtot"})


class CardFileLines:
    """Reads a card file's lines in order, remembering what earlier lines said about the file.

    ``today`` (a UTC date) is what expiries are checked against.
    """

    def __init__(self, today: datetime.date):
        self._today = today
        self._separator: str | None = None  # fixed by the first card or header that uses one
        self._header_allowed = True

    def card(self, text: str) -> Card | None:
        """The card of the next line (line end included or not), or None for a line without one
        (blank, a ``#`` comment, separators alone, the header). Raises InvalidCard or InvalidInput
        (both ValueError) whose text says why the line is refused, never what it holds."""
        text = text.rstrip("\r\n").removeprefix("\ufeff")
        if not text.strip() or text.lstrip().startswith("#"):
            return None
        header_allowed, self._header_allowed = self._header_allowed, False  # only the first row may be one
        if len(text) > MAX_LINE:
            raise InvalidInput(f"the line is longer than {MAX_LINE} characters")
        if header_allowed and text.startswith("sep=") and text[4:] in SEPARATORS:
            self._separator = text[4:]
            return None
        if _SCIENTIFIC.match(text):
            raise InvalidInput("the card number was saved in scientific notation (like 4.1E+15), which loses "
                               "digits: format the column as text in the spreadsheet and type the numbers again")
        separator = self._separator_of(text)
        fields = self._fields(text, separator)
        if not fields:
            self._header_allowed = header_allowed  # a row of separators is a blank row
            return None
        if header_allowed and _is_header(fields):
            self._separator = self._separator or separator
            return None
        card = _card_of(fields)
        if separator is not None:
            self._separator = separator  # the file's, now that a card was read with it
        card.check_not_expired(self._today)
        return card

    def _separator_of(self, text: str) -> str | None:
        unquoted = _QUOTED.sub("", text)
        used = [separator for separator in SEPARATORS if separator in unquoted]
        if len(used) > 1:
            names = " and ".join(SEPARATORS[separator] for separator in used)
            raise InvalidInput(f"the line separates fields with both {names}: use one of them")
        separator = used[0] if used else None
        if separator is not None and self._separator is not None and separator != self._separator:
            raise InvalidInput(f"the line separates fields with {SEPARATORS[separator]}, the lines before it "
                               f"with {SEPARATORS[self._separator]}: use one separator in the whole file")
        return separator

    @staticmethod
    def _fields(text: str, separator: str | None) -> list[str]:
        try:
            fields = next(csv.reader([text], delimiter=separator or ",", strict=True, skipinitialspace=True))
        except csv.Error:
            raise InvalidInput("the line's quotation marks do not pair up") from None
        while fields and not fields[-1].strip():
            fields.pop()  # spreadsheets end short rows with empty cells
        return fields


def _card_of(fields: list[str]) -> Card:
    if not fields[0].strip():
        raise InvalidInput("the card number must be in the first column")
    if len(fields) > 2:
        raise InvalidInput("expected one card per line: NUMBER or NUMBER,MM/YY")
    pan = Pan.parse(fields[0])
    expiry = Expiry.parse(fields[1]) if len(fields) == 2 and fields[1].strip() else None
    return Card(pan, expiry)


def _is_header(fields: list[str]) -> bool:
    if any(char.isdigit() for field in fields for char in field):
        return False  # a card number is never taken for a title
    titles = [_title(field) for field in fields]
    return titles[0] in _NUMBER_TITLES and (len(titles) == 1 or (len(titles) == 2 and titles[1] in _EXPIRY_TITLES))


def _title(field: str) -> str:
    if any("\udc80" <= char <= "\udcff" for char in field):
        # Not UTF-8: a spreadsheet's plain "CSV" is in the Windows code page (Gültig bis).
        field = field.encode("utf-8", "surrogateescape").decode("cp1252", "replace")
    decomposed = unicodedata.normalize("NFKD", field).casefold()
    return "".join(char for char in decomposed if char.isalpha() and char.isascii())
