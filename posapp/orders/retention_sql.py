"""What the order history knows of its cards' retention: when each order's card leaves the vault.

``card_expires_at`` (UTC) is written with the order at the sale, from the same value as the vault
item's ``expires_at``; orders of cards stored before retention existed get it from
``posapp vault purge`` once their card is gone (migration 0010).
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING

import sqlalchemy as sa

from posapp.orders.schema import aware_utc, naive_utc, order_history

if TYPE_CHECKING:
    from posapp.orders.sql import SqlOrderStore

_id = order_history.c.UserPaymentAccountID
_token = order_history.c.AWS_PA_Token
_expires = order_history.c.card_expires_at
_BATCH = 500  # bound parameters per IN (…)


class SqlRetention:
    """The retention columns of the orders in ``store``; every method raises the store's errors."""

    def __init__(self, store: SqlOrderStore):
        self._store = store

    def card_expires_at(self, token: str) -> datetime.datetime | None:
        """When the card under ``token`` leaves the vault, as its earliest order says (UTC); None
        where no order of it says so (kept, or no order refers to it)."""
        with self._store.connection() as connection:
            return aware_utc(connection.execute(sa.select(sa.func.min(_expires)).where(_token == token)).scalar())

    def count_orders(self, tokens: Collection[str]) -> int:
        """How many orders refer to one of ``tokens``."""
        wanted, total = sorted(tokens), 0
        with self._store.connection() as connection:
            for start in range(0, len(wanted), _BATCH):
                total += connection.execute(sa.select(sa.func.count()).where(
                    _token.in_(wanted[start:start + _BATCH]))).scalar_one()
        return total

    def unmarked(self, stored_by: datetime.datetime, *, before: int | None = None,
                 limit: int = _BATCH) -> list[tuple[int, str, datetime.datetime]]:
        """Orders with a card of posapp's, no ``card_expires_at`` and a time at or before
        ``stored_by`` (UTC-aware), newest first below id ``before``: (id, token, time) each."""
        table = order_history.c
        query = (sa.select(_id, _token, table.created_at)
                 .where(_expires.is_(None), _token.is_not(None), table.card_brand.is_not(None),
                        table.created_at <= naive_utc(stored_by))
                 .order_by(_id.desc()).limit(limit))
        if before is not None:
            query = query.where(_id < before)
        with self._store.connection() as connection:
            return [(order_id, token, aware_utc(created)) for order_id, token, created in connection.execute(query)]

    def mark(self, expiries: Mapping[int, datetime.datetime]) -> int:
        """Set each order's ``card_expires_at`` (by order id, UTC-aware) where it has none yet, in one
        transaction; how many orders changed. An order that has one keeps it."""
        if not expiries:
            return 0
        update = order_history.update().where(_id == sa.bindparam("order_id"), _expires.is_(None)).values(
            card_expires_at=sa.bindparam("expires"))
        with self._store.connection() as connection, connection.begin():
            return connection.execute(update, [{"order_id": order_id, "expires": naive_utc(expires)}
                                               for order_id, expires in expiries.items()]).rowcount
