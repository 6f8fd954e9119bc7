"""The local vault: encrypted, signed items in a SQLite file, keys in the OS keyring.

Items are encrypted exactly as the DynamoDB adapter encrypts them and stored as
DynamoDB-JSON, so the file holds only ciphertext, signatures and masked metadata.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import os
import sqlite3
import threading
import uuid
from collections.abc import Callable, Collection, Iterator, Sequence
from pathlib import Path

from dynamodb_encryption_sdk.encrypted import CryptoConfig
from dynamodb_encryption_sdk.material_providers import CryptographicMaterialsProvider

from posapp.audit.chain import Anchor
from posapp.card import Card, Pan
from posapp.vault import item_format, local_keys, local_meta
from posapp.errors import IntegrityFailure
from posapp.vault.base import (Check, ImportRecord, TamperedItem, TokenNotFound, VaultEntry, VaultError, VaultIdentity,
                               VaultUnavailable, check_token, is_token)
from posapp.clock import utc_now

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS vault_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS vault_items (token TEXT PRIMARY KEY, item TEXT NOT NULL);
"""
_PRESENT_BATCH = 500  # bound parameters per SELECT … IN (older SQLite builds allow 999)


_FINGERPRINT = "key_fingerprint"  # vault_meta row: HMAC of the vault id under the signing key


class VaultIdentityLost(VaultError, IntegrityFailure):
    """vault.db lost or damaged the row naming its vault: its keys cannot be told apart."""


class LocalVault:
    """The embedded vault for local mode; safe to share between threads and processes."""

    def __init__(self, db_path: Path, key_file: Path, *, workstation: str,
                 clock: Callable[[], datetime.datetime] = utc_now,
                 new_token: Callable[[], uuid.UUID] = uuid.uuid4):
        self.db_path = db_path
        self._key_file = key_file
        self._workstation = workstation
        self._clock = clock
        self._new_token = new_token
        self._materials: CryptographicMaterialsProvider | None = None
        self._audit_key = b""
        self._open_lock = threading.Lock()

    # Opening is lazy so that building the vault costs no I/O (the GUI builds it at start-up).
    def _crypto(self) -> CryptoConfig:
        with self._open_lock:
            if self._materials is None:
                try:
                    keys = self._open()
                except OSError as error:
                    raise VaultUnavailable(f"the local card vault {self.db_path} cannot be used "
                                           f"({error.strerror or error}): check the data folder") from None
                self._materials, self._audit_key = keys.materials_provider(), keys.audit_key()
        # A fresh config per operation: the SDK's configs are not safe to share between threads.
        return item_format.crypto_config(self._materials, item_format.DEFAULT_TABLE)

    def _open(self) -> local_keys.LocalKeys:
        """The vault's keys, checked against its fingerprint; a new vault gets its keys here.

        Raises VaultUnavailable, VaultIdentityLost, local_keys.KeysLost, local_keys.KeysMismatch,
        KeyringLocked, KeyringTimeout or OSError."""
        self.db_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not self.db_path.exists():
            # A new vault's file is made before its keys: keys without the file mean it was lost.
            lost = local_keys.key_file_vault(self._key_file)
            if lost is not None:
                raise VaultIdentityLost(
                    f"the card vault {self.db_path} is missing, but the keys of card vault {lost} are in "
                    f"{self._key_file}: restore vault.db from a backup")
            os.close(os.open(self.db_path, os.O_WRONLY | os.O_CREAT, 0o600))
        with self._connection() as db:
            db.executescript(_SCHEMA)
            vault_id, fingerprint = self._identity(db)
            if vault_id is not None and fingerprint is not None:  # every start but the first: no write lock
                keys, where = local_keys.load(vault_id, self._key_file)
                keys.check(fingerprint, vault_id, where)
                return keys
            # One writer at a time: a second process starting a new vault waits for its keys.
            db.execute("BEGIN IMMEDIATE")
            try:
                keys = self._settle(db)
                db.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    db.execute("ROLLBACK")
                raise
        return keys

    def _identity(self, db: sqlite3.Connection) -> tuple[str | None, str | None]:
        """The vault's id and key fingerprint, each None if not recorded; raises VaultIdentityLost."""
        rows = dict(db.execute("SELECT key, value FROM vault_meta WHERE key IN ('vault_id', ?)", (_FINGERPRINT,)))
        vault_id = rows.get("vault_id")
        if vault_id is not None and not is_token(vault_id):  # a UUID, as tokens are
            raise VaultIdentityLost(f"the identity of the card vault {self.db_path} is damaged: "
                                    f"restore vault.db from a backup")
        return vault_id, rows.get(_FINGERPRINT)

    def _settle(self, db: sqlite3.Connection) -> local_keys.LocalKeys:
        """Under the write lock: create (or resume creating) a new vault's keys, or record the
        fingerprint of a vault made before fingerprints were. Raises as ``_open``."""
        vault_id, fingerprint = self._identity(db)
        holds_items = db.execute("SELECT EXISTS (SELECT 1 FROM vault_items)").fetchone()[0]
        if vault_id is None:
            if holds_items:  # never new keys for stored cards: they could not read them
                raise VaultIdentityLost(f"the card vault {self.db_path} holds cards but its identity is "
                                        f"missing: restore vault.db from a backup")
            vault_id, keys = local_keys.create_or_adopt(self._key_file)
            db.execute("INSERT INTO vault_meta VALUES ('vault_id', ?)", (vault_id,))
            log.info("created the local card vault %s at %s", vault_id, self.db_path)
        else:
            keys, where = local_keys.load(vault_id, self._key_file)
            if fingerprint is not None:  # recorded by another process meanwhile
                keys.check(fingerprint, vault_id, where)
                return keys
            if holds_items and not self._reads_items(db, keys):
                raise local_keys.KeysMismatch(where, vault_id)
        db.execute("INSERT INTO vault_meta VALUES (?, ?)", (_FINGERPRINT, keys.fingerprint(vault_id)))
        return keys

    @staticmethod
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

    @contextlib.contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        try:
            db = sqlite3.connect(self.db_path, timeout=10, isolation_level=None)
            try:
                db.execute("PRAGMA journal_mode=WAL")
                yield db
            finally:
                db.close()
        except sqlite3.Error as error:
            raise VaultUnavailable(f"the local card vault {self.db_path} cannot be used: {error}") from None

    def provision(self) -> None:
        self._crypto()

    # The vault's identity and its import runs are rows of vault_meta (``local_meta``).
    def identity(self) -> VaultIdentity:
        """Read from vault.db alone: no key is loaded (browsing orders never opens the cards)."""
        if not self.db_path.exists():
            return VaultIdentity(None, None)  # not made yet: the first sale or provision makes it
        with self._connection() as db:
            return local_meta.identity(db)

    def advance_reconcile_epoch(self, expected: str | None, new: str) -> bool:
        with self._connection() as db:
            return local_meta.advance_reconcile_epoch(db, expected, new)

    def pair(self, history_id: str) -> None:
        self._crypto()
        with self._connection() as db:
            paired = local_meta.pair(db, history_id)
        if paired != history_id:
            raise VaultError(f"the local card vault {self.db_path} is paired with order history {paired} already")

    # The audit journal's key and anchors live beside the vault keys, out of the order database.
    def audit_key(self) -> bytes:
        self._crypto()
        return self._audit_key

    def anchors(self) -> dict[str, Anchor]:
        self._crypto()
        with self._connection() as db:
            return local_meta.anchors(db)

    def record_anchor(self, anchor: Anchor) -> None:
        self._crypto()
        with self._connection() as db:
            local_meta.record_anchor(db, anchor)

    def checks(self) -> list[Check]:
        return [("local vault keys", self._check_keys), ("encryption round trip", self._check_round_trip)]

    def _check_keys(self) -> str:
        self._crypto()
        where = f"key file {self._key_file}" if self._key_file.exists() else "system keyring"
        return f"{self.db_path} opened with its keys from the {where}"

    def _check_round_trip(self) -> str:
        item_format.round_trip(self._crypto())
        return "an item was encrypted, signed and read back"

    def tokenize(self, card: Card, *, orders_seen: int | None = None) -> str:
        return self._store([card], item_format.Origin.SALE, orders_seen=orders_seen)[0]

    def tokenize_many(self, cards: Sequence[Card], import_id: str) -> list[str]:
        return self._store(cards, item_format.Origin.IMPORT, import_id)

    def begin_import(self, record: ImportRecord) -> None:
        self._crypto()
        with self._connection() as db:
            local_meta.begin_import(db, record)

    def pending_imports(self) -> list[ImportRecord]:
        self._crypto()
        with self._connection() as db:
            return local_meta.pending_imports(db)

    def end_import(self, import_id: str) -> None:
        with self._connection() as db:
            local_meta.end_import(db, import_id)

    def _store(self, cards: Sequence[Card], origin: item_format.Origin, import_id: str | None = None, *,
               orders_seen: int | None = None) -> list[str]:
        config = self._crypto()
        created_at = self._clock()
        tokens = [str(self._new_token()) for _ in cards]
        rows = [(token, item_format.to_json(item_format.encrypt(item_format.plaintext_item(
            token, card, workstation=self._workstation, created_at=created_at, origin=origin, import_id=import_id,
            orders_seen=orders_seen),
            config)))
            for token, card in zip(tokens, cards)]
        with self._connection() as db:
            try:
                with db:  # one transaction: all the cards or none
                    db.execute("BEGIN")
                    db.executemany("INSERT INTO vault_items (token, item) VALUES (?, ?)", rows)
            except sqlite3.IntegrityError:
                # Never overwrite: a clash of random tokens means the token source is broken.
                # The transaction rolled back, and SQLite has no lost answers: nothing was stored.
                outcome = ("this card was not stored" if len(cards) == 1
                           else f"none of these {len(cards)} cards was stored")
                raise VaultError(f"a vault token is already taken (the token source is broken); {outcome}") from None
        return tokens

    def _stored(self, token: str) -> item_format.Item:
        check_token(token)
        with self._connection() as db:
            row = db.execute("SELECT item FROM vault_items WHERE token = ?", (token,)).fetchone()
        if row is None:
            raise TokenNotFound(token)
        return item_format.from_json(row[0])

    def card(self, token: str) -> Card:
        return item_format.decrypt(token, self._stored(token), self._crypto())

    def detokenize(self, token: str) -> Pan:
        return self.card(token).pan

    def verify(self, token: str) -> None:
        self.detokenize(token)

    def delete(self, token: str) -> None:
        check_token(token)
        with self._connection() as db:
            if db.execute("DELETE FROM vault_items WHERE token = ?", (token,)).rowcount == 0:
                raise TokenNotFound(token)

    def entries(self) -> Iterator[VaultEntry]:
        self._crypto()
        after = ""
        while True:
            with self._connection() as db:
                batch = db.execute("SELECT token, item FROM vault_items WHERE token > ? ORDER BY token LIMIT 500",
                                   (after,)).fetchall()
            for token, stored in batch:
                yield item_format.entry(token, item_format.from_json(stored))
            if len(batch) < 500:
                return
            after = batch[-1][0]

    def present(self, tokens: Collection[str]) -> set[str]:
        """Keys only: nothing is decrypted."""
        self._crypto()  # opens (or creates) the vault file as entries() does
        wanted = sorted({token for token in tokens if is_token(token)})
        found: set[str] = set()
        with self._connection() as db:
            for start in range(0, len(wanted), _PRESENT_BATCH):
                batch = wanted[start:start + _PRESENT_BATCH]
                marks = ", ".join("?" * len(batch))
                found.update(token for (token,) in db.execute(
                    f"SELECT token FROM vault_items WHERE token IN ({marks})", batch))
        return found
