"""Sorted history pages on SQLite and MariaDB: by time, amount and status, keyset on (key, id).

Whatever the sort and the page size, the pages put end to end are the whole list sorted, each
order once, ties broken by id, rows without a time, amount or status included (NULL sorts lowest).
"""

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kit import new_order

from posapp.money import Money
from posapp.orders import InvalidOrder, OrderFilter, OrderSort, SortKey
from posapp.orders.schema import order_history
from posapp.orders.status import OrderStatus

START = datetime.datetime(2026, 3, 1, 9, 0)
SORTS = [OrderSort(key, descending) for key in SortKey for descending in (False, True)]
_columns = {SortKey.ORDER: (), SortKey.TIME: ("created_at",), SortKey.AMOUNT: ("currency", "amount_minor"),
            SortKey.STATUS: ("status",)}


def write(store, rows):
    """Rows as other programs and posapp leave them, written as they are; their ids in order."""
    with store.connection() as connection, connection.begin():
        for row in rows:
            connection.execute(order_history.insert(), {"captured_minor": 0, "refunded_minor": 0, **row})
        ids = connection.execute(order_history.select().with_only_columns(
            order_history.c.UserPaymentAccountID).order_by(order_history.c.UserPaymentAccountID)).scalars().all()
    return dict(zip(ids, rows))


def expected(rows, sort):
    """The ids of ``rows`` ({id: row}) sorted as the database must: NULL lowest, ties by id."""
    def key(item):
        order_id, row = item
        return (*(((0,) if row.get(name) is None else (1, row[name])) for name in _columns[sort.key]), order_id)
    ordered = [order_id for order_id, _row in sorted(rows.items(), key=key)]
    return ordered[::-1] if sort.descending else ordered


def paged(store, sort, limit, where=OrderFilter()):
    seen, after = [], None
    while True:
        page = store.page(after=after, limit=limit, where=where, sort=sort)
        seen += [order.id for order in page.orders]
        assert len(page.orders) == limit or page.next is None
        if page.next is None:
            return seen
        after = page.next


def a_row(number, *, time, amount, currency, status):
    return {"OrderName": f"Order {number}", "amount_minor": amount, "currency": currency, "status": status,
            "created_at": time, "card_brand": "VISA", "card_last4": f"{number % 10000:04d}", "workstation": "till-01"}


@pytest.fixture
def thousand(order_store):
    """1,000 orders with many equal times, amounts and statuses, and some without any."""
    statuses = [status.value for status in OrderStatus] + [None]
    rows = write(order_store, [a_row(
        number, time=None if number % 97 == 0 else START + datetime.timedelta(minutes=number % 50),
        amount=None if number % 89 == 0 else 100 * (number % 7) + 50, currency=[None, "USD", "EUR", "JPY"][number % 4]
        if number % 89 else None, status=statuses[number % len(statuses)]) for number in range(1, 1001)])
    return order_store, rows


@pytest.mark.parametrize("sort", SORTS, ids=lambda sort: f"{sort.key.value}-{'desc' if sort.descending else 'asc'}")
def test_pages_of_a_thousand_orders_make_the_whole_sorted_list(thousand, sort):
    store, rows = thousand
    assert paged(store, sort, 37) == expected(rows, sort)


def test_a_page_key_of_another_sort_is_refused(thousand):
    store, _rows = thousand
    page = store.page(limit=10, sort=OrderSort(SortKey.AMOUNT))
    with pytest.raises(ValueError, match="not one of a list sorted by time"):
        store.page(after=page.next, sort=OrderSort(SortKey.TIME))
    with pytest.raises(ValueError, match="'before' is the newest-first list's page key"):
        store.page(before=5, sort=OrderSort(SortKey.AMOUNT))


small_rows = st.lists(st.fixed_dictionaries({
    "time": st.one_of(st.none(), st.integers(0, 3).map(lambda minutes: START + datetime.timedelta(minutes=minutes))),
    "amount": st.one_of(st.none(), st.sampled_from([1, 2, 1000])),
    "currency": st.one_of(st.none(), st.sampled_from(["EUR", "USD"])),
    "status": st.one_of(st.none(), st.sampled_from(["paid", "declined", "voided", "recorded"])),
}), max_size=12)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=small_rows, sort=st.sampled_from(SORTS), limit=st.integers(1, 5))
def test_any_orders_any_sort_any_page_size(order_store, rows, sort, limit):
    with order_store.connection() as connection, connection.begin():
        connection.execute(order_history.delete())
    written = write(order_store, [a_row(number, **row) for number, row in enumerate(rows)])
    assert paged(order_store, sort, limit) == expected(written, sort)


def test_totals_are_the_sums_of_the_listed_sales_per_currency(thousand):
    store, _rows = thousand
    for where in (OrderFilter(), OrderFilter(status=OrderStatus.PAID), OrderFilter(text="Order 1")):
        listed = [store.get(order_id) for order_id in paged(store, OrderSort(SortKey.AMOUNT), 500, where)]
        sales = [order for order in listed if order.status not in
                 (OrderStatus.DECLINED, OrderStatus.VOIDED, OrderStatus.PENDING)]
        sums = {}
        for order in sales:
            if order.amount is not None:
                sums[order.amount.currency] = sums.get(order.amount.currency, 0) + order.amount.minor
        totals = store.totals(where)
        assert (totals.count, totals.sales) == (len(listed), len(sales))
        assert dict(totals.amounts) == sums and list(totals.amounts) == sorted(sums)


def test_four_digits_find_the_last_4_or_the_text_and_other_filters_narrow(order_store):
    order_store.add(new_order(name="Table 1234", card_last4="4242"))
    order_store.add(new_order(name="Soup", card_last4="1234", operator="cashier-2"))
    order_store.add(new_order(name="Tea", card_last4="9999", operator="cashier-2", amount=Money(120, "EUR")))

    def names(**criteria):
        return sorted(order.name for order in order_store.page(where=OrderFilter(**criteria)).orders)

    assert names(text="1234") == ["Soup", "Table 1234"]
    assert names(text="12345") == []
    assert names(operator="cashier-2") == ["Soup", "Tea"]
    assert names(status=OrderStatus.RECORDED, operator="cashier-2", last4="9999") == ["Tea"]
    assert names(status=OrderStatus.PAID) == []
    assert dict(order_store.totals(OrderFilter(operator="cashier-2")).amounts) == {"EUR": 120, "USD": 350}
    with pytest.raises(InvalidOrder, match="operator looks like a card number"):
        OrderFilter(operator="4111111111111111")
