"""A day's totals, computed by the order database, and the record of each day's close (Z report).

Totals are GROUP BY queries over ``ix_OrderHistory_day`` (migration 0008), which holds every
column they read: a day of 100,000 orders is one range scan of that index and a few dozen result
rows, never the orders themselves. The service (``posapp.reports.day``) adds those rows up into
what a report shows.

A close is one row of ``posapp_day_closes``, keyed by business day and till, inserted with its
journal entry in one transaction: of two tills closing the same day at once, the primary key lets
one succeed and refuses the other (:class:`DayAlreadyClosed`), and neither a close without its
entry nor an entry without its close can exist.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING

import sqlalchemy as sa

from posapp.audit.chain import Event
from posapp.orders.base import check_identifier
from posapp.orders.day_totals import DayAlreadyClosed, DayClose, Group
from posapp.orders.schema import aware_utc, day_closes, naive_utc, order_history

if TYPE_CHECKING:
    from posapp.orders.sql import SqlOrderStore

_orders = order_history.c
DAY_INDEX = "ix_OrderHistory_day"  # migration 0008: every column below, from created_at on
_GROUP_KEYS = (_orders.status, _orders.currency, _orders.card_brand, _orders.operator)


def _close_from_row(row: sa.Row) -> DayClose:
    try:
        totals = json.loads(row.totals)
    except ValueError:
        totals = {}
    day = row.business_day if isinstance(row.business_day, datetime.date) else \
        datetime.date.fromisoformat(str(row.business_day))
    return DayClose(day, row.workstation, aware_utc(row.closed_at), row.operator,
                    totals if isinstance(totals, dict) else {})


def _in(start: datetime.datetime, end: datetime.datetime, workstation: str | None) -> list[sa.ColumnElement[bool]]:
    if start >= end:
        raise ValueError("an interval's start must come before its end")
    where = [_orders.created_at >= naive_utc(start), _orders.created_at < naive_utc(end)]
    if workstation is not None:
        # A function of the column, which no planner looks up in ix_OrderHistory_workstation: given the
        # till, SQLite (and MariaDB unless forced) prefer that index, which on a till's own SQLite file
        # (one till's orders) means reading every order it ever took, not just the day's. The till is
        # then compared inside the day's range of ix_OrderHistory_day, which holds it.
        where.append(sa.func.coalesce(_orders.workstation, "") == workstation)
    return where


def group_query(start: datetime.datetime, end: datetime.datetime, workstation: str | None = None) -> sa.Select:
    """The one GROUP BY statement behind a day's totals (see :class:`Group` for its columns)."""
    return sa.select(
        *_GROUP_KEYS, sa.func.count().label("count"),
        sa.func.coalesce(sa.func.sum(_orders.amount_minor), 0).label("amount_minor"),
        sa.func.coalesce(sa.func.sum(_orders.captured_minor), 0).label("captured_minor"),
        sa.func.coalesce(sa.func.sum(_orders.refunded_minor), 0).label("refunded_minor"),
        sa.func.min(_orders.UserPaymentAccountID).label("first_id"),
        sa.func.max(_orders.UserPaymentAccountID).label("last_id"),
    ).where(*_in(start, end, workstation)).group_by(*_GROUP_KEYS).with_hint(
        order_history, f"FORCE INDEX ({DAY_INDEX})", "mysql")  # never a scan of the table, whatever its statistics


class SqlDayReports:
    """Day totals and day closes of the orders in ``store``. Times are UTC-aware (ValueError for a
    naive one); every method may raise the store's errors (OrderStoreUnavailable...)."""

    def __init__(self, store: SqlOrderStore):
        self._store = store

    def groups(self, start: datetime.datetime, end: datetime.datetime,
               workstation: str | None = None) -> list[Group]:
        """The orders created in [``start``, ``end``) at ``workstation`` (None: every till), grouped by
        status, currency, card brand and operator, summed by the database."""
        with self._store.connection() as connection:
            rows = connection.execute(group_query(start, end, workstation)).all()
        # MySQL sums BIGINTs as DECIMAL: whole numbers all the same.
        return [Group(row.status, row.currency, row.card_brand, row.operator, int(row.count), int(row.amount_minor),
                      int(row.captured_minor), int(row.refunded_minor), int(row.first_id), int(row.last_id))
                for row in rows]

    def workstations(self, start: datetime.datetime, end: datetime.datetime) -> list[str]:
        """The tills that took an order in [``start``, ``end``), sorted."""
        query = sa.select(_orders.workstation).where(*_in(start, end, None), _orders.workstation.is_not(None))
        with self._store.connection() as connection:
            return sorted(set(connection.execute(query.distinct()).scalars()))

    def closes(self, business_day: datetime.date, workstation: str | None = None) -> list[DayClose]:
        """The closes of ``business_day``, of ``workstation`` only where given, by till."""
        query = sa.select(day_closes).where(day_closes.c.business_day == business_day)
        if workstation is not None:
            query = query.where(day_closes.c.workstation == workstation)
        with self._store.connection() as connection:
            rows = connection.execute(query.order_by(day_closes.c.workstation)).all()
        return [_close_from_row(row) for row in rows]

    def close(self, business_day: datetime.date, workstation: str, closed_at: datetime.datetime,
              totals: Mapping[str, object], event: Event) -> DayClose:
        """Record ``business_day`` of ``workstation`` as closed at ``closed_at`` by ``event.operator`` with
        ``totals`` (JSON-able), and journal ``event``, in one transaction.

        Raises DayAlreadyClosed (nothing changed) where that day of that till is closed already, also by
        another till or process closing it at this moment; InvalidOrder for a workstation that cannot
        be stored."""
        check_identifier("workstation", workstation)
        row = {"business_day": business_day, "workstation": workstation, "closed_at": naive_utc(closed_at).replace(microsecond=0),
               "operator": event.operator, "totals": json.dumps(dict(totals), sort_keys=True)}
        with self._store.transaction() as (connection, journal):
            try:
                # First, before the journal: a refused close leaves no entry behind. On MySQL a second
                # close waits here for the first one's transaction, then is refused by the key.
                connection.execute(day_closes.insert(), row)
            except sa.exc.IntegrityError:
                # A locking read: the committed row, past this transaction's snapshot.
                earlier = connection.execute(sa.select(day_closes).where(
                    day_closes.c.business_day == business_day, day_closes.c.workstation == workstation)
                    .with_for_update(read=True)).one_or_none()
                if earlier is None:
                    raise  # refused for another reason than the key
                raise DayAlreadyClosed(_close_from_row(earlier)) from None
            journal(event)
        return DayClose(business_day, workstation, aware_utc(row["closed_at"]), event.operator, dict(totals))
