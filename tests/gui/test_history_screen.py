"""The history as back office uses it: header clicks sort on the database, the footer's totals are
the listed orders' sums, the list reloads after a sale keeping the selection, Tab leaves the table,
the detail pane names people, and the whole screen fits 1024×768."""

import pytest
from guihelpers import add_operator, sign_in
from kit import sell
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from posapp.money import Money
from posapp.orders import SortKey

AMOUNT, NAME = 3, 2


def show_history(qtbot, window, rows):
    window.tabs.setCurrentWidget(window.history)
    window.history.reload()
    qtbot.waitUntil(lambda: window.history_model.rowCount() == rows and not window.history_model.loading)
    return window.history_model


def click_header(qtbot, window, column):
    header = window.history.table.horizontalHeader()
    QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                     pos=QPoint(header.sectionViewportPosition(column) + 5, header.height() // 2))


def names(model):
    return [model.order_at(row).name for row in range(model.rowCount())]


@pytest.fixture
def orders(services):
    """Four sales at this till: amounts 5.00, 1.00 and 3.00 USD, and 2.00 EUR."""
    return [sell(services, name, amount=amount) for name, amount in (
        ("Five", Money(500, "USD")), ("One", Money(100, "USD")), ("Three", Money(300, "USD")),
        ("Two euros", Money(200, "EUR")))]


def test_a_header_click_sorts_on_the_database_and_other_headers_do_not(qtbot, window, orders, services,
                                                                        monkeypatch):
    asked = []
    real_page = services.orders.page
    monkeypatch.setattr(services.orders, "page", lambda **query: asked.append(query["sort"]) or real_page(**query))
    model = show_history(qtbot, window, 4)
    assert names(model) == ["Two euros", "Three", "One", "Five"]  # newest first
    click_header(qtbot, window, AMOUNT)  # a new column sorts ascending: currency, then amount
    qtbot.waitUntil(lambda: names(model) == ["Two euros", "One", "Three", "Five"])
    assert asked[-1].key is SortKey.AMOUNT and not asked[-1].descending
    click_header(qtbot, window, AMOUNT)
    qtbot.waitUntil(lambda: names(model) == ["Five", "Three", "One", "Two euros"])
    calls = len(asked)
    click_header(qtbot, window, NAME)  # not sortable: the list and its indicator stay
    header = window.history.table.horizontalHeader()
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (AMOUNT, Qt.SortOrder.DescendingOrder)
    QTest.qWait(50)
    assert all(sort == asked[calls - 1] for sort in asked[calls:])  # no other sort was asked for
    assert names(model) == ["Five", "Three", "One", "Two euros"]


def test_the_footer_counts_the_orders_and_sums_each_currency_as_listed(qtbot, window, orders, services):
    model = show_history(qtbot, window, 4)
    footer = window.history.footer
    loc = services.localization
    sums = {}
    for row in range(model.rowCount()):
        amount = model.order_at(row).amount
        sums[amount.currency] = sums.get(amount.currency, 0) + amount.minor
    expected = f"4 orders · 4 sales: {loc.total(sums['EUR'], 'EUR')} · {loc.total(sums['USD'], 'USD')}"
    qtbot.waitUntil(lambda: footer.text() == expected)
    window.history.search.setText("Five")
    qtbot.waitUntil(lambda: model.rowCount() == 1 and footer.text() == f"1 order · 1 sale: {loc.total(500, 'USD')}")
    assert window.history.message.text() == "1 order shown"


def test_a_sale_at_this_till_reloads_the_list_keeping_the_selected_order(qtbot, window, orders, services):
    model = show_history(qtbot, window, 4)
    table = window.history.table
    table.selectRow(2)
    chosen = model.order_at(2)
    assert window.history.details.order == chosen
    window.tabs.setCurrentWidget(window.checkout)
    view = window.checkout
    for field, text in ((view.name, "Flat white"), (view.amount, "7"), (view.card, "4242424242424242"),
                        (view.expiry, "12/30")):
        qtbot.keyClicks(field, text)
    view.submit()
    window.tabs.setCurrentWidget(window.history)  # while the sale is under way
    qtbot.waitUntil(lambda: model.rowCount() == 5 and not model.loading, timeout=20_000)
    assert model.order_at(0).name == "Flat white"
    assert [index.row() for index in table.selectionModel().selectedRows()] == [3]
    assert window.history.details.order.id == chosen.id


def test_other_tills_sales_appear_on_the_timer_keeping_the_selection(qtbot, window, orders, services):
    model = show_history(qtbot, window, 4)
    window.history.table.selectRow(1)
    chosen = model.order_at(1).id
    sell(services, "From the timer")
    window.history._auto_refresh.timeout.emit()
    qtbot.waitUntil(lambda: model.rowCount() == 5 and not model.loading)
    assert window.history.details.order.id == chosen == model.order_at(2).id


def test_coming_back_to_the_window_reloads_the_list(qtbot, window, orders, services):
    model = show_history(qtbot, window, 4)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    sell(services, "While away")
    QApplication.sendEvent(window.history, QEvent(QEvent.Type.ActivationChange))  # as Qt sends it on return
    qtbot.waitUntil(lambda: model.rowCount() == 5 and not model.loading)


def test_tab_leaves_the_table_and_the_selection_keeps_its_colour(qtbot, window, orders):
    show_history(qtbot, window, 4)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    table = window.history.table
    table.setFocus()
    table.selectRow(1)
    QTest.keyClick(table, Qt.Key.Key_Down)
    assert table.currentIndex().row() == 2  # the arrows move in the table
    QTest.keyClick(table, Qt.Key.Key_Tab)
    assert not table.hasFocus() and table.currentIndex().row() == 2
    palette = table.palette()
    for role in (palette.ColorRole.Highlight, palette.ColorRole.HighlightedText):
        assert palette.color(palette.ColorGroup.Inactive, role) == palette.color(palette.ColorGroup.Active, role)


def test_the_pane_names_the_operator_and_shows_the_token_only_to_an_administrator(qtbot, signed_out_window,
                                                                                    services):
    sign_in(qtbot, signed_out_window, services, "backoffice-1")
    add_operator(services, "cashier-1")
    order = sell(services, "Latte")  # by kit's cashier-1
    show_history(qtbot, signed_out_window, 1)
    details = signed_out_window.history.details
    signed_out_window.history.table.selectRow(0)
    assert details._fields["operator"].text() == "Cashier One (cashier-1)"
    assert not details._layout.isRowVisible(details._fields["token"])
    signed_out_window.sign_out()
    sign_in(qtbot, signed_out_window, services, "admin-1")
    show_history(qtbot, signed_out_window, 1)
    signed_out_window.history.table.selectRow(0)
    assert details._layout.isRowVisible(details._fields["token"])
    assert details._fields["token"].text() == f"Vault token {order.token}"


def test_at_1024_by_768_every_filter_and_the_detail_pane_are_visible(qtbot, window, orders, tmp_path):
    window.resize(1024, 768)
    show_history(qtbot, window, 4)
    history = window.history
    history.table.selectRow(0)
    qtbot.waitUntil(lambda: window.width() <= 1024)
    footer = history.footer  # its totals arrive after the rows, then the layout makes room for them
    qtbot.waitUntil(lambda: footer.text() != "" and footer.width() >= footer.sizeHint().width())
    for widget in (history.search, history.status, history.brand, history.workstation, history.operator,
                   history.use_since, history.since, history.use_until, history.until, history.refresh,
                   history.details, history.details.void, history.footer):
        corner = widget.mapTo(window, QPoint(widget.width(), widget.height()))
        assert widget.isVisible() and corner.x() <= window.width() and corner.y() <= window.height(), widget
        assert widget.width() >= min(widget.sizeHint().width(), 120), widget
    assert history.details.width() >= 250
    window.grab().save(str(tmp_path / "history-1024x768.png"))


def test_every_choice_of_every_filter_box_lists_what_it_names(qtbot, window, orders, services):
    """The kind of the status filter that failed for every status: each box's value reaches the
    order store as the type it filters by, whichever item is chosen, with the keyboard as a clerk does."""
    model = show_history(qtbot, window, 4)
    history = window.history
    for box, of_order in ((history.filters.status, lambda order: order.status),
                          (history.filters.brand, lambda order: order.card_brand)):
        box.setFocus()
        for index in range(1, box.count()):
            QTest.keyClick(box, Qt.Key.Key_Down)
            assert box.currentIndex() == index
            chosen = box.currentData()  # OrderStatus comes back a str, equal to its member
            qtbot.waitUntil(lambda: not model.loading and history.message.text() not in ("", "Loading…"))
            assert "could not be loaded" not in history.message.text()
            assert all(of_order(model.order_at(row)) == chosen for row in range(model.rowCount()))
        box.setCurrentIndex(0)
        qtbot.waitUntil(lambda: model.rowCount() == 4 and not model.loading)
