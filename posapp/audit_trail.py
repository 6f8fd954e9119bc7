"""The audit journal as a whole: anchoring each till's chain beside the audit key, and
``posapp audit verify`` over every chain.

The entries live in the order database (``posapp.orders.journal``); the key and the anchors
live with the vault (``Vault.audit_key``, ``Vault.anchors``), so one who can change rows in
the order database can neither forge an entry nor hide the newest ones.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from posapp.audit.chain import Anchor, ChainReport, Entry, anchor_due, check
from posapp.errors import PosappError
from posapp.vault import Vault

if TYPE_CHECKING:
    from posapp.orders.journal import SqlJournal

log = logging.getLogger(__name__)


class Anchoring:
    """Called with each committed entry; records it as its workstation's anchor when one is due
    (``chain.anchor_due``), and on :meth:`flush` (a command's end, a window's timer) whatever
    is newer than the last anchor. An anchor moves on only from an entry the journal still holds
    as anchored: after the newest entries were deleted, new ones would otherwise carry the anchor
    past the gap and hide it. A vault or journal that cannot be used now is logged, never
    raised: the sale or sign-in it follows is done, and a later entry tries again. Thread-safe."""

    def __init__(self, vault: Callable[[], Vault]):
        self._vault = vault
        self._journal: SqlJournal | None = None  # the journal the entries came from
        self._last: dict[str, Anchor] | None = None
        self._pending: dict[str, Entry] = {}  # committed entries newer than their workstation's anchor
        self._lock = threading.Lock()

    def __call__(self, entry: Entry, journal: SqlJournal) -> None:
        with self._lock:
            self._journal = journal
            self._pending[entry.workstation] = entry
            self._record(entry, due_only=True)

    def flush(self) -> None:
        """Anchor every workstation's newest committed entry that is not anchored yet."""
        with self._lock:
            for entry in list(self._pending.values()):
                self._record(entry, due_only=False)

    def _record(self, entry: Entry, *, due_only: bool) -> None:
        try:
            if self._last is None:
                self._last = self._vault().anchors()
            if not due_only or anchor_due(entry, self._last.get(entry.workstation)):
                kept = self._vault().anchors().get(entry.workstation)  # another process may have moved it
                if kept is not None and not self._still_holds(kept, entry):
                    log.error("the audit journal of %s no longer holds entry %s as it was anchored: the anchor "
                              "stays there, for 'posapp audit verify' to report", entry.workstation, kept.seq)
                    return
                anchor = Anchor(entry.workstation, entry.seq, entry.chain, entry.at)
                self._vault().record_anchor(anchor)
                self._last[entry.workstation] = anchor
                del self._pending[entry.workstation]
        except PosappError as error:
            log.warning("the audit anchor of %s could not be recorded (kept for the next entry): %s",
                        entry.workstation, error)


    def _still_holds(self, kept: Anchor, entry: Entry) -> bool:
        if kept.seq == entry.seq:
            return kept.chain == entry.chain
        held = self._journal.entry(kept.workstation, kept.seq) if kept.seq < entry.seq else None
        return held is not None and held.chain == kept.chain


def verify(vault: Vault, journal: SqlJournal, *, only: str | None = None) -> list[ChainReport]:
    """One report per workstation's chain (only ``only``'s where given: a till with its own local
    vault holds only its own audit key), sorted by workstation. Raises the vault's and the store's
    errors when they cannot be read."""
    key = vault.audit_key()
    anchors = vault.anchors()
    names = set(journal.workstations()) | set(anchors)
    if only is not None:
        names = {only}
    return [check(key, name, journal.chain(name), anchors.get(name)) for name in sorted(names)]
