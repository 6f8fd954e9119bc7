"""When a stored card leaves the vault: PCI DSS v4.0.1 requirement 3.2.1 (keep account data no
longer than needed, and remove it when the retention period ends). Pure: no I/O.

Every time here is timezone-aware UTC, and a card's removal time is whole seconds since the
epoch, as the vault item's ``expires_at`` (DynamoDB's TTL attribute) and the order's
``card_expires_at`` both keep it: both are written from one value, so they always agree.
"""

from __future__ import annotations

import calendar
import datetime

from posapp.card import Expiry
from posapp.clock import require_aware

DEFAULT_DAYS = 400  # a year of tabs, instalments and disputes, and a month to spare
MAX_DAYS = 3650  # ten years: anything longer is a typing mistake, not a retention policy
# A card whose expiry date has passed cannot be billed: it may go this long after the end of its month
# (chargebacks of its last charges are answered from the order and the processor, not the card).
EXPIRED_CARD_GRACE = datetime.timedelta(days=90)


def expires_at(created_at: datetime.datetime, retention_days: int,
               card_expiry: Expiry | None) -> datetime.datetime | None:
    """When a card stored at ``created_at`` is to be removed, in UTC, to the whole second (rounded
    down); None where ``retention_days`` is 0 (cards are kept).

    ``created_at`` + ``retention_days``, or sooner: 90 days after the end of the card's expiry
    month (``card_expiry``, the end of that month in UTC), where that comes first. Raises
    ValueError for a naive ``created_at`` or a negative ``retention_days``."""
    require_aware("a card's storage time", created_at)
    if retention_days < 0:
        raise ValueError(f"retention_days must be 0 or more, not {retention_days}")
    if retention_days == 0:
        return None
    due = created_at.astimezone(datetime.timezone.utc) + datetime.timedelta(days=retention_days)
    if card_expiry is not None:
        due = min(due, end_of_month(card_expiry) + EXPIRED_CARD_GRACE)
    return due.replace(microsecond=0)


def end_of_month(expiry: Expiry) -> datetime.datetime:
    """The first moment after the card's expiry month (the card is good through its last day), UTC."""
    last_day = calendar.monthrange(expiry.year, expiry.month)[1]
    return datetime.datetime(expiry.year, expiry.month, last_day, tzinfo=datetime.timezone.utc) \
        + datetime.timedelta(days=1)


def item_expires_at(expires: datetime.datetime | None, created_at: datetime.datetime | None,
                    retention_days: int) -> datetime.datetime | None:
    """When a stored item is to be removed (UTC-aware), or None where it is kept.

    An item with ``expires`` (its ``expires_at``) goes by it alone, whatever the setting says
    now; an item stored before retention existed goes ``retention_days`` after ``created_at``;
    one without either, or with retention 0, is kept."""
    if expires is not None:
        return expires
    if created_at is None or retention_days <= 0:
        return None
    return (created_at + datetime.timedelta(days=retention_days)).replace(microsecond=0)


def due(expires: datetime.datetime | None, created_at: datetime.datetime | None, retention_days: int,
        now: datetime.datetime) -> datetime.datetime | None:
    """When a stored item is to be removed (:func:`item_expires_at`), if that is at or before
    ``now`` (UTC-aware, else ValueError); None while it is kept."""
    require_aware("now", now)
    when = item_expires_at(expires, created_at, retention_days)
    return when if when is not None and when <= now else None
