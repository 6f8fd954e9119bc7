"""Time as posapp keeps it: timezone-aware, in UTC. Pure: imports nothing from posapp.

>>> utc_now().utcoffset()
datetime.timedelta(0)
"""

from __future__ import annotations

import datetime


def utc_now() -> datetime.datetime:
    """Now, timezone-aware in UTC: the default clock of the checkout and the vault adapters."""
    return datetime.datetime.now(datetime.timezone.utc)


def require_aware(label: str, moment: datetime.datetime | None) -> None:
    """Raise ValueError (a programming error, not a user's) if ``moment`` is naive: which zone
    it meant is unknown, and taking it as local time or UTC shifts orders by hours without a
    word. None passes."""
    if moment is not None and moment.utcoffset() is None:
        raise ValueError(f"{label} is a naive datetime ({moment.isoformat()}); a timezone-aware one is required")
