"""The filter options that ``order list`` and ``order export`` share, made into an OrderFilter."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from posapp.access.roles import Permission, SignedIn, require
from posapp.card import Brand
from posapp.errors import InvalidInput
from posapp.orders import OrderFilter

# A day's start and end (exclusive), timezone-aware: a UTC day, or the merchant's business day.
DayBounds = Callable[[datetime.date], tuple[datetime.datetime, datetime.datetime]]


def utc_day(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """Midnight UTC starting ``day``, and the one ending it."""
    start = datetime.datetime.combine(day, datetime.time(), datetime.timezone.utc)
    return start, start + datetime.timedelta(days=1)


def order_filter(services, args, operator: SignedIn, day_bounds: DayBounds) -> OrderFilter:
    """The OrderFilter of ``args`` (``search``, ``since``, ``until``, ``last4``, ``brand``,
    ``workstation``): ``--since`` and ``--until`` are days, both included, bounded by
    ``day_bounds``. An operator who may not see every till's orders gets this till's. Raises
    InvalidInput for a bad date or filter, NotPermitted for another till's orders."""
    workstation = args.workstation
    if not operator.may(Permission.ALL_ORDERS):
        if workstation not in (None, services.workstation):
            require(operator, Permission.ALL_ORDERS)
        workstation = services.workstation
    since = day_bounds(_date(args.since, "--since"))[0] if args.since is not None else None
    until = day_bounds(_date(args.until, "--until"))[1] if args.until is not None else None
    return OrderFilter(text=args.search, since=since, until=until, last4=args.last4,
                       brand=Brand(args.brand) if args.brand else None, workstation=workstation)


def _date(text: str, option: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{option} takes a date like 2026-11-29") from None
