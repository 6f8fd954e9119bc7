"""Order history: lazy keyset pages, a sound Qt model, filters, details, no vault access."""

import datetime

import pytest
import sqlalchemy as sa
from cardgen import random_pan
from guihelpers import sign_in
from kit import sell
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from posapp.card import Brand
from posapp.orders.search import search_columns
from posapp.orders.sql import order_history
from posapp.ui.history_filters import SEARCH_PAUSE_MS
from posapp.ui.history_model import PAGE_SIZE

ORDERS = 10_000
START = datetime.datetime(2026, 1, 1)
BRANDS = [Brand.VISA, Brand.MASTERCARD, Brand.AMEX]


@pytest.fixture
def window(qtbot, services, signed_out_window):
    """The window of a back-office operator, who sees the orders of every till."""
    sign_in(qtbot, signed_out_window, services, "backoffice-1")
    return signed_out_window


@pytest.fixture
def store_calls(services, monkeypatch):
    """Fills order history with 10,000 orders and counts the pages asked of the store."""
    services.orders.provision()
    engine = sa.create_engine(services.orders.url)
    names = {number: f"Order {number}" + (" flat white" if number % 1000 == 0 else "")
             for number in range(1, ORDERS + 1)}
    with engine.begin() as connection:
        connection.execute(order_history.insert(), [{
            "OrderName": names[number], **search_columns(names[number], None),  # as the store writes them
            "AWS_PA_Token": f"00000000-0000-4000-8000-{number:012d}",
            "amount_minor": 100 + number, "currency": "USD", "card_brand": BRANDS[number % 3].value,
            "card_last4": f"{number % 10000:04d}", "created_at": START + datetime.timedelta(hours=number),
            "workstation": "till-01", "status": "recorded", "idempotency_key": f"key-{number}",
        } for number in range(1, ORDERS + 1)])
    engine.dispose()
    calls = []
    real_page = services.orders.page

    def counted_page(**kwargs):
        if kwargs.get("limit") == PAGE_SIZE:  # the start-up health check reads one order too
            calls.append(kwargs)
        return real_page(**kwargs)

    monkeypatch.setattr(services.orders, "page", counted_page)
    return calls


@pytest.fixture
def no_vault_calls(services, monkeypatch):
    touched = []
    for method in ("tokenize", "detokenize", "verify", "delete", "entries"):
        monkeypatch.setattr(services.vault, method, lambda *args, _name=method, **kwargs: touched.append(_name))
    return touched


def show_history(qtbot, window):
    """The history as F5 shows it after the test's orders were written (the back office starts there)."""
    window.tabs.setCurrentWidget(window.history)
    window.history_model.refresh()
    qtbot.waitUntil(lambda: window.history_model.rowCount() > 0 and not window.history_model.loading)
    return window.history_model


def test_ten_thousand_orders_load_page_by_page(qtbot, window, store_calls, no_vault_calls):
    model = show_history(qtbot, window)
    assert (model.rowCount(), len(store_calls)) == (PAGE_SIZE, 1)
    assert model.data(model.index(0, 0)) == str(ORDERS)  # newest first
    for _ in range(3):
        window.history.table.scrollToBottom()
        expected = model.rowCount() + PAGE_SIZE
        qtbot.waitUntil(lambda: model.rowCount() == expected)
    assert len(store_calls) == 4 and model.rowCount() == 4 * PAGE_SIZE
    # each page after the oldest id shown
    assert [call["after"].id for call in store_calls[1:]] == [ORDERS - PAGE_SIZE * n + 1 for n in (1, 2, 3)]
    assert no_vault_calls == []


def test_the_model_passes_qts_model_tester(qtbot, window, store_calls, qtmodeltester):
    model = show_history(qtbot, window)
    qtmodeltester.check(model)


def test_filters_narrow_the_list(qtbot, window, store_calls):
    model = show_history(qtbot, window)
    history = window.history
    qtbot.keyClicks(history.search, "flat white")
    qtbot.waitUntil(lambda: model.rowCount() == ORDERS // 1000 and not model.loading)
    assert store_calls[-1]["where"].text == "flat white"
    history.search.clear()
    history.brand.setCurrentIndex(history.brand.findData(Brand.AMEX))
    qtbot.waitUntil(lambda: not model.loading and model.data(model.index(0, 4)).startswith("AMEX"))
    assert {model.data(model.index(row, 4)).split()[0] for row in range(model.rowCount())} == {"AMEX"}
    history.brand.setCurrentIndex(0)
    history.since.setDate(history.since.date().fromString("2026-01-02", "yyyy-MM-dd"))
    history.until.setDate(history.until.date().fromString("2026-01-02", "yyyy-MM-dd"))
    history.use_since.setChecked(True)
    history.use_until.setChecked(True)
    qtbot.waitUntil(lambda: not model.loading and model.rowCount() == 24)  # one order an hour on Jan 2nd
    assert history.message.text() == "24 orders shown"


def test_the_detail_pane_shows_the_selected_order_masked(qtbot, window, store_calls, no_vault_calls):
    show_history(qtbot, window)
    window.history.table.selectRow(0)
    fields = window.history.details._fields
    assert fields["id"].text() == str(ORDERS)
    assert fields["card"].text() == f"{BRANDS[ORDERS % 3].value} •••• {ORDERS % 10000:04d}"
    assert fields["status"].text() == "Card on file"
    # The vault token is an administrator's business: back office does not see its line.
    assert not window.history.details._layout.isRowVisible(fields["token"])
    assert no_vault_calls == []


def test_a_failing_store_says_so_in_one_line(qtbot, window, services, monkeypatch):
    from posapp.orders import OrderStoreUnavailable

    def down(**kwargs):
        raise OrderStoreUnavailable("order history at mysql+pymysql://pos@db/pos cannot be reached: timed out")

    monkeypatch.setattr(services.orders, "page", down)
    window.history_model.refresh()
    qtbot.waitUntil(lambda: "could not be loaded" in window.history.message.text())
    assert window.history.message.text() == ("Order history could not be loaded: The order database is not "
                                             "answering. Sales are not possible until it is back; call your "
                                             "administrator.")
    QTest.qWait(50)


def test_a_card_number_typed_into_the_search_is_refused_and_taken_off_the_screen(qtbot, window, services, monkeypatch):
    searched = []
    real_page = services.orders.page
    monkeypatch.setattr(services.orders, "page",
                        lambda **kwargs: searched.append(getattr(kwargs.get("where"), "text", None)) or real_page(**kwargs))
    window.tabs.setCurrentWidget(window.history)
    number = random_pan("4", 16)
    qtbot.keyClicks(window.history.search, f"refund {number[:4]} {number[4:8]} {number[8:12]} {number[12:]}")
    qtbot.waitUntil(lambda: window.history.message.text() ==
                    "the search text looks like a card number; search by its last 4 digits instead")
    assert window.history.search.text() == "" and not window.history.search.isUndoAvailable()
    qtbot.wait(SEARCH_PAUSE_MS * 3)  # the emptied box is no new search: the reason stays to be read
    assert window.history.message.text().startswith("the search text looks like a card number")
    assert all(text is None or number[-4:] not in text for text in searched)


def test_a_card_number_searched_after_another_search_lists_what_the_emptied_box_says(qtbot, window, services):
    for name in ("Latte", "Tea", "Tea"):
        sell(services, name)
    history, model = window.history, window.history_model
    window.tabs.setCurrentWidget(history)
    qtbot.keyClicks(history.search, "Tea")
    qtbot.waitUntil(lambda: model.rowCount() == 2 and not model.loading)
    history.search.selectAll()
    qtbot.keyClicks(history.search, random_pan("4", 16))  # typed over the search
    qtbot.waitUntil(lambda: history.search.text() == "" and model.rowCount() == 3 and not model.loading)
    assert history.message.text().startswith("the search text looks like a card number")
    qtbot.waitUntil(lambda: history.footer.text().startswith("3 orders"))  # its own query: it may come later
    history.reload()  # the list reloads by itself (a sale, the timer): the reason stays until the next search
    qtbot.waitUntil(lambda: not model.loading)
    assert history.message.text().startswith("the search text looks like a card number")
    qtbot.keyClicks(history.search, "Latte")
    qtbot.waitUntil(lambda: model.rowCount() == 1 and history.message.text() == "1 order shown")


def test_stored_text_is_shown_as_written_never_rendered_as_html(qtbot, window, services):
    services.orders.provision()
    name = "5555<span></span>5555<span></span>5555<br>4444 <b>bold</b>"
    engine = sa.create_engine(services.orders.url)
    with engine.begin() as connection:  # a row another program wrote
        connection.execute(order_history.insert(), [{"OrderName": name, "AWS_PA_Token": "legacy-1"}])
    engine.dispose()
    show_history(qtbot, window)
    window.history.table.selectRow(0)
    shown = window.history.details._fields["name"]
    assert shown.textFormat() == Qt.TextFormat.PlainText and shown.text() == name
