"""The day report: what one business day took at one till (or every till), and the day's close.

A business day is the merchant's local date (``[merchant] timezone``,
``Localization.business_day``): its orders are those created from local midnight to the next
one, 23 or 25 hours on the days the clocks change. The database sums the orders
(``posapp.orders.reports_sql``); this module adds up its few dozen groups.

What the figures mean, per currency, in minor units:

- **by status**: every status's count and the sum of its orders' amounts (a status posapp does not
  know, written by another program, is ``unknown``).
- **card brands**: the sales (orders neither declined, voided nor pending) per brand: count,
  amount, and the money taken net.
- **captured**: Σ captured over the paid, partially refunded and refunded orders; **refunded**:
  Σ refunded over the same orders (``refunded_orders`` have anything refunded,
  ``fully_refunded_orders`` all of it).
- **net takings** = captured − refunded: the money actually taken, as the orders stand now.
- **recorded**: Σ amount of the orders recorded with the card on file (no processor): sold but not
  charged, listed apart and never in the net. **authorized**: Σ amount approved but not yet
  captured: not in the net either. **pending**: orders whose processor's answer is not known yet.
- Declined and voided orders are counted (and summed, by status) but never taken.

A refund or a late capture counts on its order's day, whenever it was made: a closed day's report
read later says what changed since its close (``changed_since_close``).

A **Z report** is a closed day of one till; before the close, a report is an **X report** (a reading).
A close is per day and till, once: a second one is refused (``DayAlreadyClosed``).
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from posapp.access.roles import Permission, SignedIn, require
from posapp.audit.chain import Event
from posapp.clock import utc_now
from posapp.errors import InvalidInput, PosappError
from posapp.localization import Localization
from posapp.orders import InvalidOrder, OrderStore
from posapp.orders.base import WORKSTATION_MAX, check_identifier
from posapp.orders.day_totals import DayAlreadyClosed, DayClose, Group
from posapp.orders.listing import NOT_SALES  # the history's totals count sales as this report does
from posapp.orders.status import OrderStatus, status_of

log = logging.getLogger(__name__)

UNKNOWN = "unknown"  # a status, brand or operator column that is empty or holds what posapp does not know
TAKEN = (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED)
_STATUS_ORDER = {status.value: index for index, status in enumerate(OrderStatus)}

__all__ = ["DayAlreadyClosed", "DayClose", "DayReport", "DayReports", "Tally", "Takings"]


@dataclass(frozen=True)
class Tally:
    """The orders of one ``key`` (a status, or a card brand) in one ``currency`` (None: rows without
    one): how many, the sum of their amounts and, for brands, the money taken net (minor units)."""

    key: str
    currency: str | None
    count: int
    amount_minor: int
    net_minor: int = 0


@dataclass(frozen=True)
class Takings:
    """The money of one ``currency`` (None: rows without one), in minor units; see the module's text."""

    currency: str | None
    captured_minor: int = 0
    refunded_minor: int = 0
    recorded_minor: int = 0
    authorized_minor: int = 0
    refunded_orders: int = 0
    fully_refunded_orders: int = 0
    pending_orders: int = 0

    @property
    def net_minor(self) -> int:
        """Net takings: captured − refunded."""
        return self.captured_minor - self.refunded_minor


@dataclass(frozen=True)
class DayReport:
    """One business ``day`` of ``workstation`` (None: every till), from ``start`` to ``end`` (UTC-aware,
    end excluded) in the IANA ``zone``, made at ``made_at`` (UTC). ``closes``: the day's closes (of that
    till; of every till for None); ``reprint``: closed before this report was made."""

    day: datetime.date
    workstation: str | None
    start: datetime.datetime
    end: datetime.datetime
    zone: str
    made_at: datetime.datetime
    by_status: tuple[Tally, ...]
    by_brand: tuple[Tally, ...]
    takings: tuple[Takings, ...]
    orders: int
    first_order: int | None
    last_order: int | None
    operators: tuple[tuple[str, int], ...]  # (login, orders taken), by login
    closes: tuple[DayClose, ...] = ()
    reprint: bool = False

    @property
    def closed(self) -> DayClose | None:
        """The close of this day of this till; None before it, and for every till's report."""
        return self.closes[0] if self.workstation is not None and self.closes else None

    @property
    def kind(self) -> str:
        """"Z" for a closed day of one till, "X" for a reading (before the close, or every till's)."""
        return "Z" if self.closed else "X"

    def totals(self) -> dict[str, object]:
        """What a close records of this report (JSON-able): zone, orders, first and last order, and per
        currency code ("" for none) the captured, refunded, net and recorded minor units."""
        def per_currency(field: str) -> dict[str, int]:
            return {entry.currency or "": getattr(entry, field) for entry in self.takings}

        return {"zone": self.zone, "orders": self.orders, "first_order": self.first_order,
                "last_order": self.last_order, "captured": per_currency("captured_minor"),
                "refunded": per_currency("refunded_minor"), "net": per_currency("net_minor"),
                "recorded": per_currency("recorded_minor")}

    def changed_since_close(self) -> bool:
        """Whether the orders or the money differ from what the close recorded (a refund given, an order
        taken or voided on the day after it was closed). False where the day is not closed."""
        if self.closed is None:
            return False
        now, then = self.totals(), self.closed.totals
        return any(now[name] != then.get(name) for name in ("orders", "captured", "refunded", "net", "recorded"))


def build(day: datetime.date, workstation: str | None, localization: Localization, groups: Iterable[Group],
          closes: Iterable[DayClose], made_at: datetime.datetime) -> DayReport:
    """The report of ``day`` from the database's ``groups`` (see the module's text for each figure)."""
    groups = list(groups)
    statuses: dict[tuple[str, str | None], list[int]] = defaultdict(lambda: [0, 0])
    brands: dict[tuple[str, str | None], list[int]] = defaultdict(lambda: [0, 0, 0])
    money: dict[str | None, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    operators: dict[str, int] = defaultdict(int)
    for group in groups:
        status = status_of(group.status)
        key = (status.value if status else UNKNOWN, group.currency)
        statuses[key][0] += group.count
        statuses[key][1] += group.amount_minor
        taken = status in TAKEN
        counted = money[group.currency]
        counted["captured_minor"] += group.captured_minor if taken else 0
        counted["refunded_minor"] += group.refunded_minor if taken else 0
        # An order has something refunded exactly while it is partly or fully refunded (payments_sql).
        counted["refunded_orders"] += group.count if status in TAKEN[1:] else 0
        counted["fully_refunded_orders"] += group.count if status is OrderStatus.REFUNDED else 0
        counted["recorded_minor"] += group.amount_minor if status is OrderStatus.RECORDED else 0
        counted["authorized_minor"] += group.amount_minor if status is OrderStatus.AUTHORIZED else 0
        counted["pending_orders"] += group.count if status is OrderStatus.PENDING else 0
        if status not in NOT_SALES:
            brand = brands[(group.brand or UNKNOWN, group.currency)]
            brand[0] += group.count
            brand[1] += group.amount_minor
            brand[2] += group.captured_minor - group.refunded_minor if taken else 0
        if group.operator:
            operators[group.operator] += group.count
    start, end = localization.business_day(day)
    return DayReport(
        day=day, workstation=workstation, start=start, end=end, zone=localization.zone.key, made_at=made_at,
        by_status=tuple(Tally(status, currency, count, amount) for (status, currency), (count, amount)
                        in sorted(statuses.items(), key=lambda item: (_STATUS_ORDER.get(item[0][0], 99),
                                                                      item[0][1] or ""))),
        by_brand=tuple(Tally(brand, currency, count, amount, net) for (brand, currency), (count, amount, net)
                       in sorted(brands.items(), key=lambda item: (item[0][0], item[0][1] or ""))),
        takings=tuple(Takings(currency, **counted) for currency, counted
                      in sorted(money.items(), key=lambda item: item[0] or "")),
        orders=sum(group.count for group in groups),
        first_order=min((group.first_id for group in groups), default=None),
        last_order=max((group.last_id for group in groups), default=None),
        operators=tuple(sorted(operators.items())), closes=tuple(closes))


class DayReports:
    """The day reports of ``orders`` for the till ``workstation``, amounts and days as ``localization``
    says, ``clock`` the time now (UTC-aware). Every method raises NotPermitted (exit 5) for an operator
    without REPORTS, or without ALL_ORDERS for another till's or every till's report, and the order
    store's errors, InvalidOrder (exit 2) for a workstation id no till can have."""

    def __init__(self, orders: OrderStore, localization: Localization, *, workstation: str,
                 clock: Callable[[], datetime.datetime] = utc_now):
        self._orders = orders
        self._localization = localization
        self._workstation = workstation
        self._clock = clock

    @property
    def workstation(self) -> str:
        """This till's id: the report's till unless another is asked for."""
        return self._workstation

    def today(self) -> datetime.date:
        """The merchant's business day now."""
        return self._localization.today(self._clock())

    def _allowed(self, operator: SignedIn | None, workstation: str | None) -> SignedIn:
        require(operator, Permission.REPORTS)
        if workstation is not None:  # before it reaches a query, a journal entry or a log line
            if len(workstation) > WORKSTATION_MAX:
                raise InvalidOrder(f"a workstation id has at most {WORKSTATION_MAX} characters")
            check_identifier("workstation", workstation)
        if workstation != self._workstation:  # another till's orders, or every till's
            require(operator, Permission.ALL_ORDERS)
        return operator

    def tills(self, operator: SignedIn | None, day: datetime.date) -> list[str]:
        """The tills that took orders on ``day`` or closed it, and this one, sorted; an operator who sees
        only this till's orders gets this till alone."""
        require(operator, Permission.REPORTS)
        if not operator.may(Permission.ALL_ORDERS):
            return [self._workstation]
        start, end = self._localization.business_day(day)
        reports = self._orders.reports
        found = set(reports.workstations(start, end)) | {close.workstation for close in reports.closes(day)}
        return sorted(found | {self._workstation})

    def report(self, operator: SignedIn | None, day: datetime.date, workstation: str | None) -> DayReport:
        """The report of ``day`` at ``workstation`` (None: every till), marked a reprint where the day was
        closed before. Journalled as "day-report" (a journal that cannot be written is logged, not raised)."""
        operator = self._allowed(operator, workstation)
        report = self._build(day, workstation)
        report = replace(report, reprint=report.closed is not None)
        self._journal(Event("day-report", "ok", operator.login, _target(day, workstation),
                            details={"kind": report.kind, "reprint": report.reprint}))
        return report

    def close(self, operator: SignedIn | None, day: datetime.date, workstation: str) -> DayReport:
        """Close ``day`` of ``workstation``: its totals and who closed it are recorded with their journal
        entry ("day-close", target "DAY TILL") in one transaction; the Z report.

        Raises InvalidInput for a day that has not begun, DayAlreadyClosed (exit 2, journalled as refused)
        where it was closed before, also by another till at the same moment."""
        operator = self._allowed(operator, workstation)
        if day > self.today():
            raise InvalidInput(f"{day} has not begun yet in {self._localization.zone.key}: only a day that has "
                               f"begun can be closed")
        report = self._build(day, workstation)
        target = _target(day, workstation)
        try:
            if report.closed is not None:
                raise DayAlreadyClosed(report.closed)
            closed = self._orders.reports.close(day, workstation, report.made_at, report.totals(), Event(
                "day-close", "ok", operator.login, target, details={**report.totals(), **operator.approval}))
        except DayAlreadyClosed as refused:
            self._journal(Event("day-close", "refused", operator.login, target,
                                details={"closed_by": refused.close.operator}))
            raise
        return replace(report, closes=(closed,), reprint=False)

    def _build(self, day: datetime.date, workstation: str | None) -> DayReport:
        start, end = self._localization.business_day(day)
        reports = self._orders.reports
        groups = reports.groups(start, end, workstation)
        return build(day, workstation, self._localization, groups, reports.closes(day, workstation), self._clock())

    def _journal(self, event: Event) -> None:
        try:
            self._orders.journal.record(event)
        except PosappError as error:
            log.warning("%s %s was not journalled: %s", event.action, event.target, error)


def _target(day: datetime.date, workstation: str | None) -> str:
    return f"{day.isoformat()} {workstation if workstation is not None else '*'}"
