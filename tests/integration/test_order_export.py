"""Orders exported as CSV, on SQLite and MariaDB alike: read back with Python's csv module they are
the orders the store holds, column by column, in the merchant's time and in UTC; the filter
selects them, they stream in batches, and every export is journalled."""

import datetime
import json
from zoneinfo import ZoneInfo

import pytest
from exportcsv import expected_row, read_export, restored, spreadsheet_would_evaluate, write_rows, written_row
from kit import ADMIN, BACKOFFICE, CASHIER, SUPERVISOR, new_order

from posapp.card import Brand
from posapp.errors import NotPermitted
from posapp.localization import Localization
from posapp.money import Money
from posapp.orders import InvalidOrder, OrderFilter
from posapp.orders.journal import JournalFilter
from posapp.reports.export import export_csv

BERLIN = Localization.named("de_DE", "Europe/Berlin")
TEXT_COLUMNS = ("workstation", "operator", "name", "description", "status", "currency", "card_brand", "card_last4",
                "processor", "payment_reference", "authorization_code", "decline_code")

# What an order name or description can hold (order validation refuses control characters,
# so a newline or a tab comes only from rows other programs wrote: see OTHER_PROGRAMS).
NAMES = [
    ('Say "cheese"', 'a "quoted" word, and a comma'),
    ("Semi;colon, comma", "100% juice; 2,50 € each"),
    ("Crème brûlée", "Straße, Ελληνικά, русский"),
    ("☕ + 🍰 for 👨‍👩‍👧", "emoji 🎉"),
    ("日本語のメニュー", "ラーメン、餃子"),
    ("한국 음식", None),
    ("'Nduja pizza", "an apostrophe first, kept as it is"),
    ('=HYPERLINK("http://x")', "+1 extra shot"),
    ("-5 discount", "@SUM(1+1)"),
    ("  =1+1", "outer white space is stripped when recorded"),
]
OTHER_PROGRAMS = [
    dict(OrderName="two\nlines", Description="a\ttab\r\nand CRLF"),
    dict(OrderName="\t=1+1", Description="\r=2+2"),
    dict(OrderName="  @SUM(1)", Description="\u00a0-1"),
    dict(OrderName="no amount", amount_minor=None, currency=None),
    dict(OrderName="no card, no time", card_brand=None, card_last4=None, created_at=None),
    dict(OrderName="paid", status="paid", processor="stripe", payment_reference="pi_3Nx8a9",
         authorization_code="123456", captured_minor=1050, amount_minor=1050, currency="EUR"),
    dict(OrderName="partly refunded", status="partially_refunded", processor="stripe", payment_reference="pi_4",
         captured_minor=2000, refunded_minor=750, amount_minor=2000, currency="EUR"),
    dict(OrderName="declined", status="declined", processor="stripe", decline_code="insufficient_funds",
         AWS_PA_Token=None),
    dict(OrderName="yen", amount_minor=1500, currency="JPY", status="paid", captured_minor=1500, processor="stripe"),
    dict(OrderName="dinar", amount_minor=12345, currency="KWD", status="paid", captured_minor=12345,
         processor="stripe"),
    dict(OrderName="summer", created_at=datetime.datetime(2026, 7, 1, 22, 30)),  # 00:30 the next day in Berlin
    dict(OrderName="a status posapp does not know", status="on_hold"),
]


@pytest.fixture
def shop(order_store):
    """Orders recorded by posapp (validated text) and rows other programs wrote (anything)."""
    for number, (name, description) in enumerate(NAMES):
        order_store.add(new_order(name=name, description=description, operator=f"cashier-{number % 2}",
                                  amount=Money(100 + number, "EUR")))
    write_rows(order_store, [written_row(1000 + number, **columns) for number, columns in enumerate(OTHER_PROGRAMS)])
    return order_store


def test_every_order_reads_back_as_stored(shop, tmp_path):
    target = tmp_path / "orders.csv"
    count = export_csv(shop, BACKOFFICE, OrderFilter(), target, localization=BERLIN)
    rows = read_export(target)
    stored = [order for order in reversed(shop.page(limit=500).orders)]  # oldest first, as exported
    assert count == len(rows) == len(NAMES) + len(OTHER_PROGRAMS)
    assert [row["order_id"] for row in rows] == [str(order.id) for order in stored]
    for row, order in zip(rows, stored):
        assert {key: restored(value) if key in TEXT_COLUMNS else value for key, value in row.items()} \
            == expected_row(order, ZoneInfo("Europe/Berlin"))
        assert not any(spreadsheet_would_evaluate(cell) for cell in row.values()), row


def test_times_are_local_with_their_offset_and_utc(shop, tmp_path):
    export_csv(shop, BACKOFFICE, OrderFilter(text="summer"), tmp_path / "summer.csv", localization=BERLIN)
    [row] = read_export(tmp_path / "summer.csv")
    assert (row["created_local"], row["created_utc"]) == ("2026-07-02T00:30:00+02:00", "2026-07-01T22:30:00Z")


def test_amounts_are_decimals_in_the_currency_s_own_decimals(shop, tmp_path):
    export_csv(shop, BACKOFFICE, OrderFilter(), tmp_path / "all.csv", localization=BERLIN)
    rows = {row["name"]: row for row in read_export(tmp_path / "all.csv")}
    assert [rows["partly refunded"][key] for key in ("amount", "currency", "captured", "refunded")] == \
        ["20.00", "EUR", "20.00", "7.50"]
    assert [rows["yen"][key] for key in ("amount", "captured", "refunded")] == ["1500", "1500", "0"]
    assert [rows["dinar"][key] for key in ("amount", "captured", "refunded")] == ["12.345", "12.345", "0.000"]
    assert [rows["no amount"][key] for key in ("amount", "currency", "captured")] == ["", "", ""]


def test_formula_names_are_shown_as_text(shop, tmp_path):
    export_csv(shop, BACKOFFICE, OrderFilter(), tmp_path / "all.csv", localization=BERLIN)
    names = [row["name"] for row in read_export(tmp_path / "all.csv")]
    assert {"'=HYPERLINK(\"http://x\")", "'-5 discount", "'=1+1", "'  @SUM(1)", "'\t=1+1"} <= set(names)
    assert "'Nduja pizza" in names and "''Nduja pizza" not in names  # an apostrophe of its own is kept as it is


def test_the_vault_token_is_not_exported(shop, tmp_path):
    export_csv(shop, BACKOFFICE, OrderFilter(), tmp_path / "all.csv", localization=BERLIN)
    text = (tmp_path / "all.csv").read_text(encoding="utf-8-sig")
    tokens = [order.token for order in shop.page(limit=500).orders if order.token]
    assert tokens and not any(token in text for token in tokens)


def test_text_with_a_newline_is_refused_when_an_order_is_recorded():
    with pytest.raises(InvalidOrder, match="control character"):
        new_order(name="two\nlines")


@pytest.mark.parametrize("where, names", [
    (OrderFilter(text="creme"), {"Crème brûlée"}),
    (OrderFilter(brand=Brand.MASTERCARD), {"mastercard"}),
    (OrderFilter(workstation="till-02"), {"till 2"}),
    (OrderFilter(last4="0005"), {"mastercard"}),
    (OrderFilter(since=datetime.datetime(2026, 1, 1, 1, tzinfo=datetime.timezone.utc),
                 until=datetime.datetime(2026, 1, 1, 3, tzinfo=datetime.timezone.utc)), {"Order 1", "Order 2"}),
])
def test_the_filter_selects_the_orders(order_store, tmp_path, where, names):
    order_store.add(new_order(name="Crème brûlée",
                              created_at=datetime.datetime(2025, 5, 1, tzinfo=datetime.timezone.utc)))
    write_rows(order_store, [written_row(number) for number in range(1, 4)] + [
        written_row(4, OrderName="mastercard", card_brand="MASTERCARD", card_last4="0005"),
        written_row(5, OrderName="till 2", workstation="till-02")])
    export_csv(order_store, BACKOFFICE, where, tmp_path / "some.csv", localization=BERLIN)
    assert {row["name"] for row in read_export(tmp_path / "some.csv")} == names


def test_orders_stream_oldest_first_in_batches_without_holding_a_connection(order_store):
    write_rows(order_store, [written_row(number, OrderName=f"Order {number}" + (" tea" if number % 3 else ""))
                             for number in range(1, 23)])
    listed = [order.id for order in reversed(order_store.page(limit=500, where=OrderFilter(text="tea")).orders)]
    streamed = order_store.export.orders(OrderFilter(text="tea"), batch=4)
    first = next(streamed)
    assert order_store._engine.pool.checkedout() == 0  # no connection, no transaction held between batches
    assert [first.id] + [order.id for order in streamed] == listed


def test_orders_recorded_while_an_export_runs_are_not_in_it(order_store):
    write_rows(order_store, [written_row(number) for number in range(1, 6)])
    streamed = order_store.export.orders(batch=2)
    ids = [next(streamed).id]
    later = order_store.add(new_order(name="after the export began"))
    ids += [order.id for order in streamed]
    assert later.id not in ids and len(ids) == 5


def test_progress_comes_every_so_many_orders_and_the_export_is_journalled(order_store, tmp_path):
    write_rows(order_store, [written_row(number) for number in range(1, 13)])
    seen = []
    where = OrderFilter(text="order", brand=Brand.VISA,
                        since=datetime.datetime(2025, 12, 31, 23, tzinfo=datetime.timezone.utc))
    count = export_csv(order_store, ADMIN, where, tmp_path / "o.csv", localization=BERLIN, progress=seen.append,
                       every=5)
    assert (count, seen) == (12, [5, 10])
    [entry] = order_store.journal.page(JournalFilter(action="order-export"))
    assert (entry.operator, entry.outcome) == (ADMIN.login, "ok")
    assert json.loads(entry.details) == {"format": "csv", "file": str(tmp_path / "o.csv"), "rows": 12, "filter": {
        "text": "order", "brand": "VISA", "since": "2025-12-31T23:00:00Z"}}


@pytest.mark.parametrize("operator", [CASHIER, SUPERVISOR])
def test_only_the_back_office_and_administrators_export(order_store, tmp_path, operator):
    folder = tmp_path / "exports"
    folder.mkdir()
    with pytest.raises(NotPermitted, match="export orders"):
        export_csv(order_store, operator, OrderFilter(), folder / "o.csv", localization=BERLIN)
    assert list(folder.iterdir()) == []
