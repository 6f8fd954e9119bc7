"""How an order list is sorted, paged and summed, as plain data (``listing_sql`` has the SQL).

A list is sorted by one of :class:`SortKey`, ascending or descending, always on the database and
with the order id as the last key, so that orders with equal keys keep one order and a page ends
at a definite place (a :class:`PageKey`): the next page starts after it (keyset paging), whatever
was recorded meanwhile, never with OFFSET. Every key of a sort goes the same way.

- ``ORDER``: the order number, the order in which orders were recorded (the default: newest first).
- ``TIME``: when the order was recorded (UTC, to the second); orders without a time come first
  ascending, last descending (both databases sort NULL as the lowest value).
- ``AMOUNT``: by currency code, then amount in minor units within each currency. Amounts in
  different currencies are not comparable (no rate is known, and a rate of the day would reorder
  the list as it changes), so a list never mixes them: all of one currency, then the next.
- ``STATUS``: the status as stored ("authorized" … "voided", alphabetically, as they read).

Totals count the orders of a filter, and sum per currency the amounts of its *sales*: orders
neither declined, voided nor pending, as the day report counts them (``posapp.reports.day``).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from posapp.orders.status import OrderStatus

if TYPE_CHECKING:
    from posapp.orders.base import Order

# Orders that took no money and will not (declined, voided) or may not have (pending): no sale.
NOT_SALES = (OrderStatus.DECLINED, OrderStatus.VOIDED, OrderStatus.PENDING)


class SortKey(enum.Enum):
    """What a list is sorted by; the value names it on the command line."""

    ORDER = "order"
    TIME = "time"
    AMOUNT = "amount"
    STATUS = "status"


@dataclass(frozen=True)
class OrderSort:
    """A sort of the list: ``key``, and whether from the highest value down (``descending``)."""

    key: SortKey = SortKey.ORDER
    descending: bool = True


NEWEST_FIRST = OrderSort()


@dataclass(frozen=True)
class PageKey:
    """Where a page ended: its last order's ``id`` and sort columns as stored (``values``, in the
    sort's key order; empty for ``SortKey.ORDER``). Made by the store; pass it back as it is."""

    id: int
    values: tuple[object, ...] = ()


@dataclass(frozen=True)
class OrderPage:
    """One page of :meth:`OrderStore.page`, in the order of its sort."""

    orders: list[Order]
    next: PageKey | None  # pass as ``after`` (with the same sort and filter) for the next page; None at the end

    @property
    def next_before(self) -> int | None:
        """The last order's id where there is a next page (``before`` of the newest-first list), else None."""
        return self.next.id if self.next is not None else None


@dataclass(frozen=True)
class OrderTotals:
    """The orders matching a filter: how many (``count``), how many of them are sales (``sales``),
    and the sum of the sales' amounts per currency (``amounts``: ISO 4217 code → minor units, by
    code; rows without a currency count, but are summed nowhere)."""

    count: int = 0
    sales: int = 0
    amounts: Mapping[str, int] = field(default_factory=dict)
