"""An order list's SQL: one sorted keyset page, and the totals of a filter (``posapp.orders.listing``
says what each sort and total means).

A page is ``WHERE <filter> AND (keys) beyond (last page's keys) ORDER BY keys, id LIMIT n+1``: its cost
does not grow with depth, as OFFSET's does, when an index holds the keys in order. Migration 0011
adds those of time and amount (InnoDB and SQLite append the primary key to every index, so the id
that breaks ties is in them too); ``ix_OrderHistory_status`` serves the status.

Keys are compared as stored: the page key carries each column's raw value (SQLite's text of a
time, say), never one converted and written back, which could differ from the stored text in
form and skip orders. NULL is the lowest value on both databases, and the conditions say so.
"""

from __future__ import annotations

import sqlalchemy as sa

from posapp.orders.base import PAGE_MAX, OrderFilter
from posapp.orders.listing import NEWEST_FIRST, NOT_SALES, OrderPage, OrderSort, OrderTotals, PageKey, SortKey
from posapp.orders.schema import conditions, order_from_row, order_history, select_orders

_orders = order_history.c
_id = _orders.UserPaymentAccountID
_COLUMNS = {SortKey.ORDER: (), SortKey.TIME: (_orders.created_at,),
            SortKey.AMOUNT: (_orders.currency, _orders.amount_minor), SortKey.STATUS: (_orders.status,)}


def _raw(column: sa.ColumnElement) -> sa.ColumnElement:
    # The same column, read and compared without SQLAlchemy's conversions (see the module's text).
    return sa.type_coerce(column, sa.types.NullType())


def _equal(column: sa.ColumnElement, value: object) -> sa.ColumnElement[bool]:
    return column.is_(None) if value is None else _raw(column) == value


def _beyond(column: sa.ColumnElement, value: object, descending: bool) -> sa.ColumnElement[bool] | None:
    """Rows whose ``column`` comes after ``value`` in the sort; None where none can (below NULL)."""
    if value is None:
        return None if descending else column.is_not(None)
    if descending:
        return sa.or_(_raw(column) < value, column.is_(None))
    return _raw(column) > value


def after(sort: OrderSort, key: PageKey) -> sa.ColumnElement[bool]:
    """Rows that come after ``key`` in ``sort``: beyond on the first key, or equal on it and beyond on
    the next, and so on down to the id."""
    columns, values = (*_COLUMNS[sort.key], _id), (*key.values, key.id)
    if len(values) != len(columns):
        raise ValueError(f"this page key is not one of a list sorted by {sort.key.value}")
    alternatives = []
    for index, (column, value) in enumerate(zip(columns, values)):
        beyond = _beyond(column, value, sort.descending)
        if beyond is not None:
            alternatives.append(sa.and_(*(_equal(c, v) for c, v in zip(columns[:index], values[:index])), beyond))
    return sa.or_(*alternatives)


def page(connection: sa.Connection, *, before: int | None, after_key: PageKey | None, limit: int,
         where: OrderFilter, sort: OrderSort) -> OrderPage:
    """One page (see ``OrderStore.page``); ValueError for ``before`` with ``after_key`` or another sort."""
    if before is not None:
        if after_key is not None or sort != NEWEST_FIRST:
            raise ValueError("'before' is the newest-first list's page key: pass 'after' for any other")
        after_key = PageKey(before)
    limit = max(1, min(limit, PAGE_MAX))
    columns = _COLUMNS[sort.key]
    keys = [*columns, _id]
    query = select_orders().add_columns(*(_raw(column).label(f"sort_{n}") for n, column in enumerate(columns)))
    query = query.where(*conditions(where)).order_by(*(key.desc() if sort.descending else key.asc() for key in keys))
    if after_key is not None:
        query = query.where(after(sort, after_key))
    rows = connection.execute(query.limit(limit + 1)).all()
    orders = [order_from_row(row) for row in rows[:limit]]
    if len(rows) <= limit:
        return OrderPage(orders, None)
    last = rows[limit - 1]
    return OrderPage(orders, PageKey(last.UserPaymentAccountID,
                                     tuple(getattr(last, f"sort_{n}") for n in range(len(columns)))))


def totals(connection: sa.Connection, where: OrderFilter) -> OrderTotals:
    """The totals of the orders matching ``where``: one GROUP BY currency."""
    sale = sa.or_(_orders.status.is_(None), _orders.status.not_in([status.value for status in NOT_SALES]))
    query = sa.select(
        _orders.currency, sa.func.count().label("count"),
        sa.func.coalesce(sa.func.sum(sa.case((sale, 1), else_=0)), 0).label("sales"),
        sa.func.coalesce(sa.func.sum(sa.case((sale, _orders.amount_minor), else_=0)), 0).label("amount"),
    ).where(*conditions(where)).group_by(_orders.currency)
    rows = connection.execute(query).all()
    # MySQL sums as DECIMAL: whole numbers all the same.
    return OrderTotals(count=sum(int(row.count) for row in rows), sales=sum(int(row.sales) for row in rows),
                       amounts={row.currency: int(row.amount) for row in sorted(
                           (row for row in rows if row.currency is not None and int(row.sales)),
                           key=lambda row: row.currency)})
