"""Vault reconciliation: remove vault items that no order references, after a grace period.

Such items are left by sales that died between storing the card and recording the order,
or whose compensation failed. The grace period keeps the items of sales still in flight
on other tills.
"""

from __future__ import annotations

import datetime
import itertools
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from posapp.orders import OrderStore
from posapp.vault import TokenNotFound, Vault, VaultEntry

log = logging.getLogger(__name__)

DEFAULT_GRACE = datetime.timedelta(minutes=60)
BATCH = 500


@dataclass
class ReconcileReport:
    checked: int = 0
    referenced: int = 0
    too_recent: int = 0  # unreferenced, but within the grace period
    imported: int = 0  # cards migrated by a bulk import: no order refers to them, by design
    removed: int = 0  # or, in a dry run, that would be removed


def reconcile(vault: Vault, orders: OrderStore, *, grace: datetime.timedelta = DEFAULT_GRACE,
              now: Callable[[], datetime.datetime], dry_run: bool = False) -> ReconcileReport:
    report = ReconcileReport()
    cutoff = now() - grace
    for batch in _batches(vault.entries()):
        referenced = orders.referenced_tokens([entry.token for entry in batch])
        for entry in batch:
            report.checked += 1
            if entry.token in referenced:
                report.referenced += 1
            elif entry.imported:
                report.imported += 1
            elif entry.created_at is not None and entry.created_at > cutoff:
                report.too_recent += 1
            else:
                if not dry_run:
                    _remove(vault, entry)
                report.removed += 1
    return report


def _remove(vault: Vault, entry: VaultEntry) -> None:
    try:
        vault.delete(entry.token)
    except TokenNotFound:
        return  # removed meanwhile, by another till's reconciliation
    log.info("reconciliation removed vault item %s (created %s): no order references it",
             entry.token, entry.created_at)


def _batches(entries: Iterator[VaultEntry]) -> Iterator[list[VaultEntry]]:
    while batch := list(itertools.islice(entries, BATCH)):
        yield batch
