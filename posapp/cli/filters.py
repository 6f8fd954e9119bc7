"""The filter options that ``order list`` and ``order export`` share, made into an OrderFilter."""

from __future__ import annotations

import datetime

from posapp.access.roles import Permission, SignedIn, require
from posapp.card import Brand
from posapp.errors import InvalidInput
from posapp.localization import Localization
from posapp.orders import OrderFilter
from posapp.orders.status import OrderStatus

def order_filter(services, args, operator: SignedIn) -> OrderFilter:
    """The OrderFilter of ``args`` (``search``, ``since``, ``until``, ``last4``, ``brand``,
    ``workstation``, ``operator``, ``status``): ``--since`` and ``--until`` are the merchant's business days
    (``[merchant] timezone``), both included. An operator who may not see every till's orders gets this till's. Raises
    InvalidInput for a bad date or filter, NotPermitted for another till's orders."""
    workstation = args.workstation
    if not operator.may(Permission.ALL_ORDERS):
        if workstation not in (None, services.workstation):
            require(operator, Permission.ALL_ORDERS)
        workstation = services.workstation
    loc = services.localization
    since, until = day(args.since, "--since", loc), day(args.until, "--until", loc, next_day=True)
    return OrderFilter(text=args.search, since=since, until=until, last4=args.last4,
                       brand=Brand(args.brand) if args.brand else None, workstation=workstation,
                       operator=args.operator, status=OrderStatus(args.status) if args.status else None)


def day(text: str | None, option: str, loc: Localization, *, next_day: bool = False) -> datetime.datetime | None:
    """When the merchant's business day ``text`` (YYYY-MM-DD) starts, in UTC, or when it ends, for an
    inclusive end (``next_day``); None for None. Raises InvalidInput naming ``option`` for another form."""
    if text is None:
        return None
    try:
        date = datetime.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{option} takes a date like 2026-11-29") from None
    start, end = loc.business_day(date)
    return end if next_day else start
