"""Re-keying the local vault: new local keys, every item re-encrypted, the old keys dropped last.

Each step leaves a vault that opens and reads every card, whenever the process dies:
1. the new keys are saved beside the old ones (the key file or the keyring, whole);
2. vault.db records their fingerprint and a ``rekey`` row (the checkpoint: target and counts)
   in one transaction; from then on no process stores an item under the old keys (the local
   vault checks the fingerprint in each write transaction and reloads its keys);
3. items are re-encrypted a batch at a time, each checked before and after, each replaced only
   if it is still the item that was read; passes go on until one finds none under the old keys;
4. the keys are saved without the old ones, and the ``rekey`` row is deleted.
A run that finds new keys kept beside old ones, or a ``rekey`` row, carries on with those keys.
The audit journal's key is kept as it was (``LocalKeys.audit``): its chains still verify.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

from posapp.vault import item_format, local_keys
from posapp.vault.base import TamperedItem
from posapp.vault.local_opening import FINGERPRINT
from posapp.vault.rekeying import MAX_PASSES, Progress, RekeyReport, reencrypt

log = logging.getLogger(__name__)

CHECKPOINT = "rekey"  # vault_meta row
BATCH = 200  # items per transaction
_COUNTS = ("rekeyed", "already", "gone", "passes")

Connection = Callable[[], AbstractContextManager[sqlite3.Connection]]


def rekey(connection: Connection, key_file: Path, vault_id: str, progress: Progress) -> RekeyReport:
    """Re-key the vault ``vault_id`` (opened and checked already) as the module says; the report.
    Raises VaultUnavailable, KeysLost, KeyringLocked or KeyringTimeout (the vault stays readable)."""
    with connection() as db, db:
        # Steps 1 and 2 under the write lock: a second rekey started meanwhile finds these keys
        # saved and carries on with them, never saving other new keys over them.
        db.execute("BEGIN IMMEDIATE")
        keys = local_keys.load(vault_id, key_file)[0]
        kept = db.execute("SELECT value FROM vault_meta WHERE key = ?", (CHECKPOINT,)).fetchone()
        checkpoint = json.loads(kept[0]) if kept else None
        resumed = checkpoint is not None or bool(keys.previous)
        if not resumed:
            keys = keys.rotated()
            local_keys.save(vault_id, key_file, keys)  # step 1: before anything names or uses them
            log.info("local vault %s: new keys, version %d", vault_id, keys.version)
        report = RekeyReport(keys.key_version, passes=1, resumed=resumed)
        if checkpoint is not None and checkpoint.get("target") == keys.key_version:
            for name in _COUNTS:
                setattr(report, name, int(checkpoint.get(name, getattr(report, name))))
        db.execute("INSERT OR REPLACE INTO vault_meta VALUES (?, ?)", (FINGERPRINT, keys.fingerprint(vault_id)))
        _save(db, report)  # step 2
    config = item_format.crypto_config(keys.materials_provider(), item_format.DEFAULT_TABLE)
    while True:  # step 3
        needing = _pass(connection, config, report, progress)
        if needing == 0 or report.passes >= MAX_PASSES:
            break
        report.passes += 1
    with connection() as db:
        stored = db.execute("SELECT token, item FROM vault_items").fetchall()
    report.remaining = sum(1 for token, text in stored
                           if item_format.key_version(item_format.from_json(text)) != keys.key_version
                           and token not in report.tampered)
    if report.remaining == 0 and not report.tampered:
        local_keys.save(vault_id, key_file, keys.without_previous())  # step 4
    with connection() as db:
        db.execute("DELETE FROM vault_meta WHERE key = ?", (CHECKPOINT,))
    return report


def _pass(connection: Connection, config, report: RekeyReport, progress: Progress) -> int:
    """One walk through the items in token order; how many it found under older keys (tampered left out)."""
    after, needing = "", 0
    while True:
        with connection() as db:
            batch = db.execute("SELECT token, item FROM vault_items WHERE token > ? ORDER BY token LIMIT ?",
                               (after, BATCH)).fetchall()
        replacements = []
        for token, text in batch:
            stored = item_format.from_json(text)
            if item_format.key_version(stored) == report.target:
                report.already += report.passes == 1
                continue
            try:
                new = reencrypt(token, stored, config.copy(), config.copy(), report.target)
            except TamperedItem:
                log.warning("vault item %s failed its check: not re-keyed", token)
                if token not in report.tampered:
                    report.tampered.append(token)
                continue
            replacements.append((item_format.to_json(new), token, text))
        with connection() as db, db:
            db.execute("BEGIN IMMEDIATE")
            changed = sum(db.execute("UPDATE vault_items SET item = ? WHERE token = ? AND item = ?", row).rowcount
                          for row in replacements)
            report.rekeyed += changed
            report.gone += len(replacements) - changed  # deleted (or replaced) since it was read
            _save(db, report)
        needing += len(replacements)
        progress(report)
        if len(batch) < BATCH:
            return needing
        after = batch[-1][0]


def _save(db: sqlite3.Connection, report: RekeyReport) -> None:
    state = {"target": report.target, **{name: getattr(report, name) for name in _COUNTS}}
    db.execute("INSERT OR REPLACE INTO vault_meta VALUES (?, ?)", (CHECKPOINT, json.dumps(state)))
