"""Every order matching a filter, oldest first, streamed in keyset batches: for exports of any size.

Each batch is one short query (``WHERE id > last ORDER BY id LIMIT n``) on a connection taken
from the pool and given back before its orders are handed on. So memory holds one batch, however
many orders match, on SQLite and MySQL alike (PyMySQL would otherwise buffer a whole result), and
no transaction or server-side cursor stays open while the caller writes a file at its own pace.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from posapp.orders.base import Order, OrderFilter
from posapp.orders.schema import conditions, order_from_row, order_history, select_orders

if TYPE_CHECKING:
    from posapp.orders.sql import SqlOrderStore

_id = order_history.c.UserPaymentAccountID
BATCH = 5000  # orders per query: a few MB of rows at most, and few round trips


class SqlExport:
    """The orders of ``store``, streamed for exports. Its iterators raise the store's errors
    (OrderStoreUnavailable, NotProvisioned) while they are iterated."""

    def __init__(self, store: SqlOrderStore):
        self._store = store

    def orders(self, where: OrderFilter = OrderFilter(), *, batch: int = BATCH) -> Iterator[Order]:
        """Every order matching ``where``, by ascending id (oldest first), times UTC-aware.

        Only the orders recorded before the first batch is read are included: the newest id is
        taken first, so an export started at closing time does not grow with the next day's sales.
        A change made meanwhile to an order not yet read (a refund) is seen. ValueError for
        ``batch`` < 1."""
        if batch < 1:
            raise ValueError("a batch holds at least one order")
        newest = self._store.newest_order_id()
        after = 0
        query = select_orders().where(*conditions(where), _id <= newest).order_by(_id).limit(batch)
        while after < newest:
            with self._store.connection() as connection:
                rows = connection.execute(query.where(_id > after)).all()
            if not rows:
                return
            after = rows[-1].UserPaymentAccountID
            for row in rows:
                yield order_from_row(row)
            if len(rows) < batch:
                return
