"""What a day report reads from the order history, as plain data: the database's groups of a day's
orders, a day's close, and the refusal of a second close. No SQL here (``reports_sql`` has it), so
that the front ends can name these without loading the database libraries."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from posapp.errors import InvalidInput
from posapp.orders.base import OrderStoreError


class DayAlreadyClosed(OrderStoreError, InvalidInput):
    """The business day of this till was closed before (exit 2); nothing was changed. ``close`` is
    that earlier close."""

    def __init__(self, close: DayClose):
        self.close = close
        super().__init__(f"{close.business_day} at {close.workstation} was closed already, at "
                         f"{close.closed_at:%Y-%m-%d %H:%M:%S} UTC by {close.operator or 'nobody signed in'}: "
                         f"show it again without closing (a reprint)")


@dataclass(frozen=True)
class Group:
    """The orders of one (status, currency, card brand, operator) in an interval, as the database
    stored those columns (None where a row has none): how many, the sums of their amounts, of what
    was captured and of what was refunded (minor units of ``currency``; 0 where none), and their
    lowest and highest order ids."""

    status: str | None
    currency: str | None
    brand: str | None
    operator: str | None
    count: int
    amount_minor: int
    captured_minor: int
    refunded_minor: int
    first_id: int
    last_id: int


@dataclass(frozen=True)
class DayClose:
    """A closed business day of one till: when (UTC-aware), by which operator's login (None: nobody
    signed in), and the totals the report had then (a JSON object)."""

    business_day: datetime.date
    workstation: str
    closed_at: datetime.datetime
    operator: str | None
    totals: Mapping[str, object]
