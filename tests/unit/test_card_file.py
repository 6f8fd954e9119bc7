"""Card files as spreadsheet programs save them: every dialect reads as the same cards.

It was refused: a file saved as "CSV UTF-8" starts with a byte-order mark, and its line 1
was "not a card number".
"""

import codecs
import csv
import datetime
import io
import tempfile
from pathlib import Path

import pytest
from cardgen import PUBLISHED
from hypothesis import given, settings
from hypothesis import strategies as st

from posapp.card import Card, Expiry, Pan
from posapp.card_file import CardFileLines
from posapp.card_import import bounded_lines, open_card_file
from posapp.errors import describe
from posapp.luhn import check_digit

TODAY = datetime.date(2026, 11, 29)
BOMS = {"none": b"", "utf-8": codecs.BOM_UTF8}


def read(path):
    """(line, card) for each card and (line, reason) for each refused line, in order."""
    reader, results = CardFileLines(TODAY), []
    file, _ = open_card_file(path)
    with file:
        for number, text in enumerate(bounded_lines(file), start=1):
            try:
                if (card := reader.card(text)) is not None:
                    results.append((number, card))
            except ValueError as error:
                results.append((number, describe(error)[0]))
    return results


def cards(results):
    return [item for _, item in results]


def write(path, text, bom="none", encoding="utf-8"):
    path.write_bytes(BOMS.get(bom, b"") + text.encode(encoding))
    return path


@st.composite
def card_rows(draw):
    prefix, length = draw(st.sampled_from([("4", 16), ("51", 16), ("37", 15), ("6011", 16), ("3530", 16)]))
    body = prefix + draw(st.text("0123456789", min_size=length - len(prefix) - 1,
                                 max_size=length - len(prefix) - 1))
    digits = body + check_digit(body)
    grouped = draw(st.sampled_from([digits, " ".join(digits[i:i + 4] for i in range(0, length, 4))]))
    expiry = draw(st.none() | st.builds(Expiry.of, st.integers(1, 12), st.integers(2027, 2040)))
    return Card(Pan.parse(digits), expiry), grouped


DIALECTS = {
    "excel": dict(dialect=csv.excel),
    "excel, semicolons (de, fr)": dict(dialect=csv.excel, delimiter=";"),
    "excel tab-delimited": dict(dialect=csv.excel_tab),
    "unix, all quoted": dict(dialect=csv.unix_dialect),
    "quote all, semicolons": dict(dialect=csv.excel, delimiter=";", quoting=csv.QUOTE_ALL),
}


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(card_rows(), min_size=1, max_size=8), dialect=st.sampled_from(sorted(DIALECTS)),
       bom=st.booleans(), line_end=st.sampled_from(["\r\n", "\n", "\r"]), header=st.booleans(),
       width=st.integers(2, 4), blank_after=st.sets(st.integers(0, 7)), utf16=st.booleans())
def test_every_dialect_reads_as_the_same_cards(rows, dialect, bom, line_end, header, width, blank_after, utf16):
    text = io.StringIO()
    writer = csv.writer(text, **DIALECTS[dialect], lineterminator=line_end)
    # Every row as wide as the sheet's widest: short rows end with empty cells.
    pad = [""] * width
    if header:
        writer.writerow((["Card number", "Expiry"] + pad)[:width])
    for index, (card, typed) in enumerate(rows):
        writer.writerow(([typed, str(card.expiry) if card.expiry else ""] + pad)[:width])
        if index in blank_after:
            writer.writerow(pad[:width])  # an empty row of the sheet: separators alone
    content = text.getvalue()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cards.csv"
        if utf16:  # "Unicode text": UTF-16 with its byte-order mark
            path.write_bytes(content.encode("utf-16"))
        else:
            write(path, content, bom="utf-8" if bom else "none")
        assert cards(read(path)) == [card for card, _ in rows]


@pytest.mark.parametrize("bom", ["none", "utf-8"])
def test_a_file_saved_as_csv_utf8_reads_from_line_1(tmp_path, bom):
    number = PUBLISHED[0][0]
    path = write(tmp_path / "cards.csv", f"{number};12/29\r\n", bom=bom)
    assert read(path) == [(1, Card(Pan.parse(number), Expiry(12, 2029)))]


def test_a_concatenated_file_keeps_its_second_marks_out_of_the_numbers(tmp_path):
    first, second = PUBLISHED[0][0], PUBLISHED[4][0]
    path = tmp_path / "cards.csv"
    path.write_bytes(codecs.BOM_UTF8 + f"{first}\r\n".encode() + codecs.BOM_UTF8 + f"{second}\r\n".encode())
    assert cards(read(path)) == [Card(Pan.parse(first)), Card(Pan.parse(second))]


@pytest.mark.parametrize("header", ["Card number;Expiry", "PAN,exp", '"Kartennummer";"Gültig bis"', "Numéro de carte",
                                    "card_number\tMM/YY", "CARD NUMBER;;;", "sep=;", "sep=\t", "sep=,"])
def test_a_recognisable_header_first_is_skipped(tmp_path, header):
    number = PUBLISHED[0][0]
    separator = ";" if ";" in header else "\t" if "\t" in header else ","
    if header.startswith("sep="):
        separator = header[4:]
    path = write(tmp_path / "cards.csv", f"\n{header}\n{number}{separator}12/29\n")
    assert read(path) == [(3, Card(Pan.parse(number), Expiry(12, 2029)))]


def test_a_header_in_the_windows_code_page_is_recognised(tmp_path):
    number = PUBLISHED[0][0]
    path = tmp_path / "cards.csv"
    path.write_bytes(f"Kartennummer;Gültig bis\r\n{number};12/29\r\n".encode("cp1252"))
    assert read(path) == [(2, Card(Pan.parse(number), Expiry(12, 2029)))]


REFUSALS = [
    # (lines, {line number: reason}); every other line is a card
    (["{0},12/29", "{1};12/29"],
     {2: "the line separates fields with a semicolon, the lines before it with a comma: use one separator in "
         "the whole file"}),
    (["{0};12/29", "{1}\t12/29"],
     {2: "the line separates fields with a tab, the lines before it with a semicolon: use one separator in the "
         "whole file"}),
    (["{0},12/29;", "{1}"], {1: "the line separates fields with both a comma and a semicolon: use one of them"}),
    (["{0},12;29", "{1};12/29"], {1: "the line separates fields with both a comma and a semicolon: use one of them"}),
    (['"{0},12/29', "{1}"], {1: "the line's quotation marks do not pair up"}),
    (['"{0}"x;12/29', "{1}"], {1: "the line's quotation marks do not pair up"}),
    (["4.24242E+15", "4,24242E+15;12/29", "{1}"],
     {line: "the card number was saved in scientific notation (like 4.1E+15), which loses digits: format the "
         "column as text in the spreadsheet and type the numbers again" for line in (1, 2)}),
    (["{0}", "Card number;Expiry"], {2: "This is not a card number"}),  # a header after a card
    (["sep=;", "{0},12/29", "{1};12/29"],
     {2: "the line separates fields with a comma, the lines before it with a semicolon: use one separator in "
         "the whole file"}),
    (["Card number {0}", "{1}"], {1: "This is not a card number"}),  # a number is never a title
    (["Card number;Colour", "{1}"], {1: "This is not a card number"}),
    ([";{0};12/29", "{1}"], {1: "the card number must be in the first column"}),
    (["{0};12/29;extra", "{1}"], {1: "expected one card per line: NUMBER or NUMBER,MM/YY"}),
]


@pytest.mark.parametrize(("lines", "refused"), REFUSALS)
def test_ambiguous_lines_are_refused_by_number_and_never_echoed(tmp_path, lines, refused):
    numbers = [PUBLISHED[0][0], PUBLISHED[4][0]]
    path = write(tmp_path / "cards.csv", "\r\n".join(lines).format(*numbers) + "\r\n")
    results = read(path)
    reasons = {line: item for line, item in results if isinstance(item, str)}
    assert reasons == refused
    assert all(isinstance(item, Card) for line, item in results if line not in refused)
    for reason in reasons.values():
        assert not any(number[-4:] in reason or number[:6] in reason for number in numbers)
