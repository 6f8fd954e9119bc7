"""Vault reconciliation: remove vault items that no order references, in two steps.

Such items are left by sales that died between storing the card and recording the order,
or whose outcome could not be known, or whose compensation failed. Deleting the card of a
recorded sale would lose it for good, so reconciliation is careful about three things:

- it runs only against the vault's own order history (``posapp.pairing``);
- it never trusts the time an item says it was made (a till's clock may be wrong): it
  notes an unreferenced item on one run, and removes it only on a later run, at least the
  grace period after the note, if still no order references it. Every note and every
  comparison uses one clock: the order database's;
- the grace period has a floor, longer than any sale can be in flight;
- each card keeps the newest order id its till knew of when it was stored. A card is
  removed only once the order history holds a newer order (its own sale would have one);
  and an order history whose newest order is older than a card's knowledge is an older
  copy (a restored backup, deleted rows): reconciliation stops and says so.

Items of a bulk import belong to no order by design and are kept.
"""

from __future__ import annotations

import datetime
import itertools
import logging
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from posapp.errors import IntegrityFailure, InvalidInput
from posapp.orders import OrderStore
from posapp.vault import TokenNotFound, Vault, VaultEntry, VaultUnavailable
from posapp.clock import require_aware

log = logging.getLogger(__name__)

DEFAULT_GRACE = datetime.timedelta(minutes=60)
# A sale waits at most seconds on each backend; ten minutes covers a frozen one and its retries.
MIN_GRACE = datetime.timedelta(minutes=10)
MAX_GRACE = datetime.timedelta(days=366)
BATCH = 500


class OrderHistoryBehind(IntegrityFailure):
    """The order history is older than cards in the vault (exit 4): nothing is removed."""


@dataclass
class ReconcileReport:
    """What one run found, in vault items; ``removed`` counts those a dry run would remove."""

    checked: int = 0
    referenced: int = 0
    imported: int = 0  # cards migrated by a bulk import: no order refers to them, by design
    noted: int = 0  # unreferenced, seen so for the first time on this run
    waiting: int = 0  # unreferenced, but noted less than the grace ago, or newer than the newest order
    removed: int = 0  # or, in a dry run, that would be removed


def check_grace(grace: datetime.timedelta) -> None:
    """InvalidInput unless ``grace`` lies between MIN_GRACE and MAX_GRACE."""
    if not MIN_GRACE <= grace <= MAX_GRACE:
        why = ("a shorter one could remove the card of a sale still in flight" if grace < MIN_GRACE
               else "a longer one would keep orphaned cards for more than a year")
        raise InvalidInput(f"the grace period must be from {MIN_GRACE.seconds // 60} minutes to "
                           f"{MAX_GRACE.days} days ({MAX_GRACE // datetime.timedelta(minutes=1)} minutes): {why}")


def grace_minutes(minutes: int) -> datetime.timedelta:
    """The grace period of ``minutes``; InvalidInput outside MIN_GRACE..MAX_GRACE (never an overflow)."""
    check_grace(MAX_GRACE + datetime.timedelta(minutes=1) if abs(minutes) > 10**8 else
                datetime.timedelta(minutes=minutes))
    return datetime.timedelta(minutes=minutes)


def reconcile(vault: Vault, orders: OrderStore, *, grace: datetime.timedelta = DEFAULT_GRACE,
              dry_run: bool = False, now: Callable[[], datetime.datetime] | None = None) -> ReconcileReport:
    """Note new orphans and remove those noted at least ``grace`` ago; a dry run changes nothing.

    ``vault`` and ``orders`` must be paired (the caller checks). ``now`` returns a UTC-aware
    time, the order database's clock unless a test passes its own (ValueError if naive). Raises
    InvalidInput for a grace period outside MIN_GRACE..MAX_GRACE, OrderHistoryBehind for an older
    copy of the history, and the vault's and order store's errors (VaultError, OrderStoreError).
    """
    check_grace(grace)
    check_same_history(vault, orders)
    report = ReconcileReport()
    started = (now or orders.clock)()
    require_aware("reconciliation's clock", started)  # compared with the store's aware notes
    newest = orders.newest_order_id()
    for batch in _batches(vault.entries()):
        newest = check_history_reaches(orders, max((entry.orders_seen or 0 for entry in batch), default=0), newest)
        referenced = orders.referenced_tokens([entry.token for entry in batch])
        # A card stored after the newest order here may belong to an order still on its way.
        candidates = [entry.token for entry in batch if entry.token not in referenced and not entry.imported
                      and (entry.orders_seen is None or entry.orders_seen < newest)]
        notes = orders.orphan_notes([entry.token for entry in batch if not entry.imported])
        report.checked += len(batch)
        report.referenced += len(referenced)
        imported = sum(entry.imported for entry in batch)
        report.imported += imported
        due = [token for token in candidates if token in notes and notes[token] <= started - grace]
        new = [token for token in candidates if token not in notes]
        report.noted += len(new)
        report.waiting += len(batch) - len(referenced) - imported - len(due) - len(new)
        if dry_run:
            report.removed += len(due)
            continue
        orders.note_orphans(new, started)
        # Checked again just before removal: an order may have arrived since the batch was read.
        still_orphans = set(due) - orders.referenced_tokens(due)
        for token in still_orphans:
            _remove(vault, token, notes[token])
        report.removed += len(still_orphans)
        orders.forget_orphans([token for token in notes if token in referenced or token in still_orphans])
    if not dry_run:
        _advance_epoch(vault, orders)  # only after a whole run: one that stopped proved nothing
    return report


def check_same_history(vault: Vault, orders: OrderStore) -> None:
    """OrderHistoryBehind unless ``orders`` is the order history the vault was last reconciled
    with: a copy from before that run (a restored backup) carries another epoch."""
    epoch = vault.identity().reconcile_epoch
    # The history's previous epoch: a run that died after marking the history, before the vault.
    if epoch is not None and epoch not in orders.reconcile_epochs():
        raise OrderHistoryBehind(
            f"order history at {orders.display_url} is not the one the vault was last reconciled with: it is an "
            "older copy (a restored backup?). Nothing is removed; restore the newest order history, or accept "
            "this one with 'posapp vault reconcile --accept-restored-history'")


def accept_restored_history(vault: Vault, orders: OrderStore) -> None:
    """Take ``orders`` (restored from a backup on purpose) as the history the vault was last
    reconciled with. Removes nothing; cards of the orders it lacks are orphans from now on."""
    _advance_epoch(vault, orders)


def _advance_epoch(vault: Vault, orders: OrderStore) -> None:
    """A new epoch on the order history (naming the vault's current one as its previous), then
    on the vault: a copy of the history from before carries neither."""
    expected, epoch = vault.identity().reconcile_epoch, str(uuid.uuid4())
    orders.set_reconcile_epochs(epoch, expected)
    if not vault.advance_reconcile_epoch(expected, epoch):
        raise VaultUnavailable("another reconciliation of this vault ran at the same time; this one is done, "
                               "but run it again to mark the order history as checked")


def check_history_reaches(orders: OrderStore, ahead: int, newest: int | None = None) -> int:
    """The order history's newest order id, which must reach ``ahead`` (the newest a stored
    card's sale knew of); read again where it seems not to. Raises OrderHistoryBehind."""
    if newest is None or ahead > newest:
        newest = orders.newest_order_id()  # sales go on while reconciliation runs
    if ahead > newest:
        raise OrderHistoryBehind(
            f"order history at {orders.display_url} holds orders up to {newest}, but the vault holds a card stored "
            f"after order {ahead} was recorded: it is an older copy (a restored backup?) or orders were deleted. "
            "Nothing more is removed; restore the newest order history")
    return newest


def _remove(vault: Vault, token: str, noted: datetime.datetime) -> None:
    try:
        vault.delete(token)
    except TokenNotFound:
        return  # removed meanwhile, by another till's reconciliation
    log.info("reconciliation removed vault item %s: no order references it since %s", token, noted)


def _batches(entries: Iterator[VaultEntry]) -> Iterator[list[VaultEntry]]:
    while batch := list(itertools.islice(entries, BATCH)):
        yield batch
