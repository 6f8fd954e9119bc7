"""The local vault: encrypted, signed items in a SQLite file, keys in the OS keyring.

Items are encrypted exactly as the DynamoDB adapter encrypts them and stored as
DynamoDB-JSON, so the file holds only ciphertext, signatures and masked metadata. With sealed
materials each new item is sealed by this till for the back office key kept on this workstation
(``local_materials``): in local mode the workstation is its own back office.
"""

from __future__ import annotations

import contextlib
import datetime
import sqlite3
import threading
import uuid
from collections.abc import Callable, Collection, Iterator, Sequence
from pathlib import Path

from dynamodb_encryption_sdk.encrypted import CryptoConfig

from posapp.audit.chain import Anchor
from posapp.card import Card, Pan
from posapp.errors import InvalidInput
from posapp.vault import item_format, local_keys, local_meta, local_opening, local_rekey, local_sealing
from posapp.vault.local_materials import LocalMaterials, TillSigner
from posapp.vault.local_sealing import KEY_FILE_NAME, BackOfficeKey
from posapp.vault.local_tills import LocalTillRegistry
from posapp.vault.base import (Check, ImportRecord, TamperedItem, TokenNotFound, VaultEntry, VaultError,
                               VaultIdentity, VaultUnavailable, check_token, is_token)
from posapp.vault.rekeying import Progress, RekeyReport
from posapp.clock import utc_now


_PRESENT_BATCH = 500  # bound parameters per SELECT … IN (older SQLite builds allow 999)


class LocalVault:
    """The embedded vault for local mode; safe to share between threads and processes.

    ``sealed``: sealed materials, with this till's signing key as it loads (None: local keys);
    ``back_office_key_file``: where the back office key is kept where no keyring keeps it
    (default: beside ``key_file``)."""

    def __init__(self, db_path: Path, key_file: Path, *, workstation: str,
                 clock: Callable[[], datetime.datetime] = utc_now,
                 new_token: Callable[[], uuid.UUID] = uuid.uuid4,
                 sealed: TillSigner | None = None, back_office_key_file: Path | None = None):
        self.db_path = db_path
        self._key_file = key_file
        self._sealed = sealed
        self._back_office_key_file = back_office_key_file or key_file.with_name(KEY_FILE_NAME)
        self._workstation = workstation
        self._clock = clock
        self._new_token = new_token
        self._materials: LocalMaterials | None = None
        self._keys: local_keys.LocalKeys | None = None
        self._audit_key = b""
        self._open_lock = threading.Lock()

    # Opening is lazy so that building the vault costs no I/O (the GUI builds it at start-up).
    def _crypto(self) -> CryptoConfig:
        with self._open_lock:
            if self._materials is None:
                try:
                    keys = local_opening.open_keys(self.db_path, self._key_file, self._connection)
                except OSError as error:
                    raise VaultUnavailable(f"the local card vault {self.db_path} cannot be used "
                                           f"({error.strerror or error}): check the data folder") from None
                with self._connection() as db:
                    back_office = BackOfficeKey(local_meta.identity(db).vault_id, self._back_office_key_file,
                                                self._connection)
                self._keys, self._audit_key = keys, keys.audit_key()
                self._materials = LocalMaterials(keys, back_office, self.till_registry, self._sealed)
        # A fresh config per operation: the SDK's configs are not safe to share between threads.
        return item_format.crypto_config(self._materials, item_format.DEFAULT_TABLE)

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

    def till_registry(self) -> LocalTillRegistry:
        return LocalTillRegistry(self._connection, self._crypto)

    def checks(self) -> list[Check]:
        return [("local vault keys", self._check_keys), ("encryption round trip", self._check_round_trip)]

    def key_rotation(self) -> None:
        return None  # no KMS key: 'posapp vault rekey' replaces the local keys

    def excess_permissions(self) -> list[str]:
        return []  # nothing but this workstation's own files: no role to probe

    def _check_keys(self) -> str:
        self._crypto()
        where = f"key file {self._key_file}" if self._key_file.exists() else "system keyring"
        return f"{self.db_path} opened with its keys from the {where}"

    def _check_round_trip(self) -> str:
        item_format.round_trip(self._crypto())
        if self._materials.sealed:
            return (f"an item was sealed by till {self._materials.till_id()} and opened with the back office key "
                    f"kept on this workstation (in local mode it is its own back office, and reads cards)")
        return "an item was encrypted, signed and read back"

    def tokenize(self, card: Card, *, orders_seen: int | None = None,
                 expires_at: datetime.datetime | None = None) -> str:
        return self._store([card], [expires_at], item_format.Origin.SALE, orders_seen=orders_seen)[0]

    def tokenize_many(self, cards: Sequence[Card], import_id: str, *,
                      expires_at: Sequence[datetime.datetime | None] | None = None) -> list[str]:
        return self._store(cards, expires_at or [None] * len(cards), item_format.Origin.IMPORT, import_id)

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

    def _store(self, cards: Sequence[Card], expiries: Sequence[datetime.datetime | None], origin: item_format.Origin,
               import_id: str | None = None, *, orders_seen: int | None = None) -> list[str]:
        if len(expiries) != len(cards):
            raise ValueError(f"{len(expiries)} expiry times for {len(cards)} cards")
        config = self._crypto()
        created_at = self._clock()
        tokens = [str(self._new_token()) for _ in cards]
        rows = [(token, item_format.to_json(item_format.encrypt(item_format.plaintext_item(
            token, card, workstation=self._workstation, created_at=created_at, origin=origin, import_id=import_id,
            orders_seen=orders_seen, expires_at=expires, key_version=self._materials.key_version),
            config)))
            for token, card, expires in zip(tokens, cards, expiries)]
        with self._connection() as db:
            try:
                with db:  # one transaction: all the cards or none
                    db.execute("BEGIN IMMEDIATE")
                    if not self._keys_current(db):  # a rekey replaced the keys: store under the new ones
                        db.rollback()
                        self._materials = None
                        return self._store(cards, expiries, origin, import_id, orders_seen=orders_seen)
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
        config = self._crypto()
        try:
            return item_format.decrypt(token, self._stored(token), config)
        except TamperedItem:
            with self._connection() as db:
                if self._keys_current(db):
                    raise
            self._materials = None  # re-keyed by another process since this one loaded its keys
            return item_format.decrypt(token, self._stored(token), self._crypto())

    def _keys_current(self, db: sqlite3.Connection) -> bool:
        """Whether vault.db still records the fingerprint of the keys this process holds."""
        rows = dict(db.execute("SELECT key, value FROM vault_meta WHERE key IN ('vault_id', ?)",
                               (local_opening.FINGERPRINT,)))
        return self._keys.matches(rows.get(local_opening.FINGERPRINT, ""), rows.get("vault_id", ""))

    def rekey(self, to_key: str | None, progress: Progress) -> RekeyReport:
        if to_key is not None:
            raise InvalidInput("the local vault uses no KMS key: re-key it without --to-key (it makes new local keys)")
        self._materials = None  # the keys as stored now, checked against vault.db
        self._crypto()
        with self._connection() as db:
            vault_id = local_meta.identity(db).vault_id
            if self._sealed is not None or local_sealing.sealed_items(db):  # they would be counted as tampered
                raise InvalidInput("this local vault holds cards sealed for its back office key, which 'posapp "
                                   "vault rekey' does not re-key: nothing was changed")
        try:
            return local_rekey.rekey(self._connection, self._key_file, vault_id, progress)
        finally:
            self._materials = None

    def rotate_materials(self) -> str:
        raise InvalidInput("rotate-materials is for the DynamoDB vault's cached materials: "
                           "the local vault is re-keyed with 'posapp vault rekey'")

    def detokenize(self, token: str) -> Pan:
        return self.card(token).pan

    def verify(self, token: str) -> None:
        self.detokenize(token)

    def entry(self, token: str) -> VaultEntry:
        return item_format.entry(token, self._stored(token))

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
