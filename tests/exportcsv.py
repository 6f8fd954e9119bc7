"""Reading an order export back as a spreadsheet user's tools would, and rows written as other programs do.

Independent of posapp's exporter: the file is read with Python's csv module, and whether a cell
would be evaluated by a spreadsheet is decided here by the rule the tests hold the export to.
"""

import csv
import datetime
import decimal
import unicodedata
from pathlib import Path

import sqlalchemy as sa

from posapp.money import exponent
from posapp.orders.schema import order_history
from posapp.orders.search import search_columns

BOM = b"\xef\xbb\xbf"
HEADER = ["order_id", "created_local", "created_utc", "workstation", "operator", "name", "description", "status",
          "amount", "currency", "card_brand", "card_last4", "processor", "payment_reference", "authorization_code",
          "captured", "refunded", "decline_code"]
FORMULA_FIRST = set("=+-@") | {"\uff1d", "\uff0b", "\uff0d", "\uff20"}  # and their full-width forms


def read_export(path: Path) -> list[dict[str, str]]:
    """The rows of an export, keyed by the header, after checking its form: a byte-order mark,
    the header, CRLF line ends."""
    data = path.read_bytes()
    assert data.startswith(BOM)
    assert data.endswith(b"\r\n")
    inside = False  # in a quoted cell, where a newline is part of the text
    for index, byte in enumerate(data):
        if byte == ord('"'):
            inside = not inside
        elif byte == ord("\n") and not inside:
            assert data[index - 1] == ord("\r"), f"a record ends without CRLF at byte {index}"
    with path.open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.reader(file, strict=True))
    assert rows[0] == HEADER
    return [dict(zip(HEADER, row, strict=True)) for row in rows[1:]]


def spreadsheet_would_evaluate(cell: str) -> bool:
    """Whether a spreadsheet program would take ``cell`` for a formula: it starts with a tab or a
    carriage return, or, after white space and invisible characters, with = + - @ (or a
    full-width one)."""
    if cell[:1] in ("\t", "\r"):
        return True
    rest = cell
    while rest and (rest[0].isspace() or unicodedata.category(rest[0]) in ("Cc", "Cf")):
        rest = rest[1:]
    return rest[:1] in FORMULA_FIRST


def restored(cell: str) -> str:
    """A text cell as it was stored: the apostrophe the export puts before a formula-like text (after
    any apostrophes of its own) taken off."""
    if cell.startswith("'") and spreadsheet_would_evaluate(cell[1:].lstrip("'")):
        return cell[1:]
    return cell


def decimal_text(minor: int, currency: str) -> str:
    places = exponent(currency)
    return str(decimal.Decimal(minor).scaleb(-places).quantize(decimal.Decimal(1).scaleb(-places)))


def expected_row(order, zone) -> dict[str, str]:
    """The row an order should export as, its times in ``zone`` (a ZoneInfo) and UTC."""
    created, amount = order.created_at, order.amount
    currency = amount.currency if amount else None
    return {
        "order_id": str(order.id),
        "created_local": created.astimezone(zone).isoformat() if created else "",
        "created_utc": created.isoformat().replace("+00:00", "Z") if created else "",
        "workstation": order.workstation or "", "operator": order.operator or "", "name": order.name or "",
        "description": order.description or "", "status": str(order.status or ""),
        "amount": amount.amount_text if amount else "", "currency": currency or "",
        "card_brand": order.card_brand.value if order.card_brand else "", "card_last4": order.card_last4 or "",
        "processor": order.processor or "", "payment_reference": order.payment_reference or "",
        "authorization_code": order.authorization_code or "",
        "captured": decimal_text(order.captured_minor, currency) if currency else "",
        "refunded": decimal_text(order.refunded_minor, currency) if currency else "",
        "decline_code": order.decline_code or "",
    }


def written_row(number: int, **columns) -> dict[str, object]:
    """An OrderHistory row as another program (or SQL by hand) writes it, without posapp's checks."""
    name, description = columns.get("OrderName", f"Order {number}"), columns.get("Description")
    row = {"OrderName": name, "Description": description, "AWS_PA_Token": f"00000000-0000-4000-8000-{number:012d}",
           "amount_minor": 100 + number, "currency": "USD", "card_brand": "VISA", "card_last4": "4242",
           "created_at": datetime.datetime(2026, 1, 1) + datetime.timedelta(hours=number),
           "workstation": "till-01", "operator": None, "status": "recorded", "idempotency_key": f"key-{number}",
           "processor": None, "payment_reference": None, "authorization_code": None, "captured_minor": 0,
           "refunded_minor": 0, "decline_code": None, **search_columns(name, description)}
    row.update(columns)
    return row


def write_rows(url_or_store, rows: list[dict[str, object]]) -> None:
    """INSERT ``rows`` into OrderHistory directly (a store's engine, or a database URL)."""
    engine = getattr(url_or_store, "_engine", None) or sa.create_engine(url_or_store)
    with engine.begin() as connection:
        connection.execute(order_history.insert(), rows)
    if not hasattr(url_or_store, "_engine"):
        engine.dispose()
