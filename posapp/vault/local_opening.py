"""Opening the local vault: its keys, checked against the fingerprint vault.db records; a new
vault's keys are made here, once, under the file's write lock."""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

from posapp.errors import IntegrityFailure
from posapp.vault import item_format, local_keys, local_tills
from posapp.vault.base import TamperedItem, VaultError, is_token

log = logging.getLogger(__name__)

Connection = Callable[[], AbstractContextManager[sqlite3.Connection]]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS vault_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS vault_items (token TEXT PRIMARY KEY, item TEXT NOT NULL);
""" + local_tills.SCHEMA
FINGERPRINT = "key_fingerprint"  # vault_meta row: HMAC of the vault id under the signing key


class VaultIdentityLost(VaultError, IntegrityFailure):
    """vault.db lost or damaged the row naming its vault: its keys cannot be told apart."""


def open_keys(db_path: Path, key_file: Path, connection: Connection) -> local_keys.LocalKeys:
    """The vault's keys, checked against its fingerprint; a new vault gets its keys here.

    Raises VaultUnavailable, VaultIdentityLost, local_keys.KeysLost, local_keys.KeysMismatch,
    KeyringLocked, KeyringTimeout or OSError."""
    db_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not db_path.exists():
        # A new vault's file is made before its keys: keys without the file mean it was lost.
        lost = local_keys.key_file_vault(key_file)
        if lost is not None:
            raise VaultIdentityLost(
                f"the card vault {db_path} is missing, but the keys of card vault {lost} are in "
                f"{key_file}: restore vault.db from a backup")
        os.close(os.open(db_path, os.O_WRONLY | os.O_CREAT, 0o600))
    with connection() as db:
        db.executescript(_SCHEMA)
        vault_id, fingerprint = _identity(db_path, db)
        if vault_id is not None and fingerprint is not None:  # every start but the first: no write lock
            keys, where = local_keys.load(vault_id, key_file)
            keys.check(fingerprint, vault_id, where)
            return keys
        # One writer at a time: a second process starting a new vault waits for its keys.
        db.execute("BEGIN IMMEDIATE")
        try:
            keys = _settle(db_path, key_file, db)
            db.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
            raise
    return keys

def _identity(db_path: Path, db: sqlite3.Connection) -> tuple[str | None, str | None]:
    """The vault's id and key fingerprint, each None if not recorded; raises VaultIdentityLost."""
    rows = dict(db.execute("SELECT key, value FROM vault_meta WHERE key IN ('vault_id', ?)", (FINGERPRINT,)))
    vault_id = rows.get("vault_id")
    if vault_id is not None and not is_token(vault_id):  # a UUID, as tokens are
        raise VaultIdentityLost(f"the identity of the card vault {db_path} is damaged: "
                                f"restore vault.db from a backup")
    return vault_id, rows.get(FINGERPRINT)

def _settle(db_path: Path, key_file: Path, db: sqlite3.Connection) -> local_keys.LocalKeys:
    """Under the write lock: create (or resume creating) a new vault's keys, or record the
    fingerprint of a vault made before fingerprints were. Raises as ``open_keys``."""
    vault_id, fingerprint = _identity(db_path, db)
    holds_items = db.execute("SELECT EXISTS (SELECT 1 FROM vault_items)").fetchone()[0]
    if vault_id is None:
        if holds_items:  # never new keys for stored cards: they could not read them
            raise VaultIdentityLost(f"the card vault {db_path} holds cards but its identity is "
                                    f"missing: restore vault.db from a backup")
        vault_id, keys = local_keys.create_or_adopt(key_file)
        db.execute("INSERT INTO vault_meta VALUES ('vault_id', ?)", (vault_id,))
        log.info("created the local card vault %s at %s", vault_id, db_path)
    else:
        keys, where = local_keys.load(vault_id, key_file)
        if fingerprint is not None:  # recorded by another process meanwhile
            keys.check(fingerprint, vault_id, where)
            return keys
        if holds_items and not _reads_items(db, keys):
            raise local_keys.KeysMismatch(where, vault_id)
    db.execute("INSERT INTO vault_meta VALUES (?, ?)", (FINGERPRINT, keys.fingerprint(vault_id)))
    return keys

def _reads_items(db: sqlite3.Connection, keys: local_keys.LocalKeys) -> bool:
    """Whether the keys decrypt one of the first items (a few: one may be tampered with)."""
    config = item_format.crypto_config(keys.materials_provider(), item_format.DEFAULT_TABLE)
    for token, stored in db.execute("SELECT token, item FROM vault_items LIMIT 3").fetchall():
        try:
            item_format.decrypt(token, item_format.from_json(stored), config)
        except TamperedItem:
            continue
        return True
    return False
