"""``posapp vault purge``: remove the cards whose retention ended (PCI DSS v4.0.1 req. 3.2.1), and
mark their orders so that they show "card no longer stored".

Cards are removed first, orders marked after. A crash in between never shows a stored card as
gone, and ``vault verify --all`` still passes: an order whose card went past its retention is
not an integrity failure (``posapp.verification``). A re-run finishes the marking: it looks for
orders past their retention whose card is no longer in the vault.

In DynamoDB the table's TTL removes items on ``expires_at`` by itself, within about 48 hours;
purge there is the same scan and delete, which also reaches items stored before retention
existed (no ``expires_at``) and marks their orders.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from posapp import retention
from posapp.orders import OrderStore
from posapp.vault import TokenNotFound, Vault

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PurgeReport:
    """What a purge did, or would do (``dry_run``)."""

    removed: int  # cards removed past their retention
    kept: int  # cards kept
    orders: int  # orders whose card was removed: they show "card no longer stored"
    marked: int  # of those, orders of cards stored before retention existed, marked now
    dry_run: bool


def purge(vault: Vault, orders: OrderStore, *, retention_days: int, now: datetime.datetime,
          dry_run: bool = False) -> PurgeReport:
    """Remove every card whose ``expires_at`` is at or before ``now`` (UTC-aware), or, without one,
    whose ``created_at`` is ``retention_days`` or more before it; then mark their orders.

    Imported cards go by the same rule; posapp's own bookkeeping items are not cards and are never
    removed. ``dry_run`` counts and changes nothing. Raises the vault's and the store's errors;
    what was done by then stays done, and a re-run carries on."""
    due: list[str] = []
    kept = 0
    for entry in vault.entries():
        if retention.due(entry.expires_at, entry.created_at, retention_days, now) is None:
            kept += 1
        else:
            due.append(entry.token)
    if dry_run:
        return PurgeReport(len(due), kept, orders.retention.count_orders(due), 0, dry_run=True)
    removed = 0
    for token in due:
        try:
            vault.delete(token)
            removed += 1
        except TokenNotFound:
            log.info("vault item %s was removed meanwhile (TTL, another purge)", token)
    marked = mark_orders(vault, orders, retention_days=retention_days, now=now)
    log.info("purge removed %s cards past their retention, kept %s, marked %s orders", removed, kept, marked)
    return PurgeReport(removed, kept, orders.retention.count_orders(due), marked, dry_run=False)


def mark_orders(vault: Vault, orders: OrderStore, *, retention_days: int, now: datetime.datetime) -> int:
    """Give ``card_expires_at`` (their time + ``retention_days``) to the orders without one that are
    past their retention at ``now`` and whose card is no longer in the vault; how many were marked.

    Orders written since retention exists carry it from their sale: these are older ones. An order's
    time is never after its card's (the card is stored first), so an order whose card purge removed
    is past its retention too."""
    if retention_days <= 0:
        return 0
    marked, before = 0, None
    retained = datetime.timedelta(days=retention_days)
    while page := orders.retention.unmarked(now - retained, before=before):
        present = vault.present({token for _, token, _ in page})
        marked += orders.retention.mark({order_id: created + retained
                                         for order_id, token, created in page if token not in present})
        before = page[-1][0]
    return marked
