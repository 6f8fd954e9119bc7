"""The journal entries of documents issued for an order (receipts), and issuing one more.

Whether a receipt is the original or a copy depends on the receipts issued before it, at any
till. Issuing one locks its order's row, reads those entries and journals the new one in one
transaction, so two tills printing the same order's first receipt at once never both print an
original: the second waits for the first and sees its entry.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import sqlalchemy as sa

from posapp.audit.chain import Entry, Event
from posapp.orders.base import Order, OrderNotFound
from posapp.orders.journal import entry_from_row
from posapp.orders.schema import journal, order_from_row, order_history, select_orders

if TYPE_CHECKING:
    from posapp.orders.sql import SqlOrderStore

_id = order_history.c.UserPaymentAccountID


def _entries(action: str, order_id: int) -> sa.Select:
    # Every till's entries: a receipt may be reprinted at another till than the one that sold.
    return sa.select(journal).where(journal.c.action == action, journal.c.target == str(order_id)).order_by(
        journal.c.at, journal.c.workstation, journal.c.seq)


class SqlOrderDocuments:
    """The documents issued for the orders of ``store`` (one database); thread-safe. Every method may
    raise OrderStoreUnavailable."""

    def __init__(self, store: SqlOrderStore):
        self._store = store

    def issued(self, action: str, order_id: int) -> list[Entry]:
        """The journal entries of ``action`` (say "receipt") whose target is order ``order_id``, oldest first."""
        with self._store.connection() as connection:
            return [entry_from_row(row) for row in connection.execute(_entries(action, order_id))]

    def issue(self, action: str, order_id: int, decide: Callable[[Order, list[Entry]], Event]) -> tuple[Order, Entry]:
        """Journal the event ``decide(order, earlier)`` returns, where ``earlier`` are the entries
        :meth:`issued` returns, read while the order's row is locked (SQLite: the database's write
        lock), so that no other ``issue`` for the order comes between; (the order, the new entry).

        Raises OrderNotFound, and whatever ``decide`` raises (then nothing is journalled)."""
        with self._store.transaction() as (connection, record):
            # FOR UPDATE before the first plain read: InnoDB's snapshot is taken at that read, after
            # the lock, so an entry another till committed while this one waited is seen.
            row = connection.execute(select_orders().where(_id == order_id).with_for_update()).one_or_none()
            if row is None:
                raise OrderNotFound(order_id)
            order = order_from_row(row)
            earlier = [entry_from_row(row) for row in connection.execute(_entries(action, order_id))]
            return order, record(decide(order, earlier))
