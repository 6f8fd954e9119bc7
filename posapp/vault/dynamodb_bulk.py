"""Batch work on the DynamoDB vault table: bulk imports, their rollback, existence checks.

DynamoDB answers a batch call with what it did not do (``UnprocessedItems`` /
``UnprocessedKeys``) when it sheds load: the rest is sent again after a back-off.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import ThreadPoolExecutor

from posapp.card import Card
from posapp.vault.item_format import PARTITION_KEY, Item
from posapp.vault.base import VaultError, VaultUnavailable, is_token

log = logging.getLogger(__name__)

WRITE_ITEMS = 25  # DynamoDB's limit per BatchWriteItem
READ_KEYS = 100  # DynamoDB's limit per BatchGetItem
ATTEMPTS = 6
THREADS = 4

Errors = Callable[[], contextlib.AbstractContextManager[None]]  # turns botocore errors into vault errors


class DynamoDbBulk:
    """Batch calls on ``table`` through the boto3 client ``db``; ``errors`` turns botocore errors
    into VaultErrors. Raises VaultUnavailable when DynamoDB keeps shedding a batch."""

    def __init__(self, db: object, table: str, errors: Errors):
        self._db = db
        self._table = table
        self._errors = errors

    def store(self, pairs: Sequence[tuple[str, Card]], encrypt: Callable[[str, Card], Item]) -> None:
        """Write every card under its token, a few batches in parallel. All or none.

        Batch writes cannot carry a condition; each token is a fresh random UUID, so an
        overwrite would need a 122-bit collision. A batch that failed part-way, or whose
        answer was lost, may have written any of its items: if any batch fails, every
        token of the import is deleted again (deleting an absent item is harmless).
        """
        chunks = [pairs[start:start + WRITE_ITEMS] for start in range(0, len(pairs), WRITE_ITEMS)]
        with ThreadPoolExecutor(THREADS) as pool:
            futures = [pool.submit(self._store_chunk, chunk, encrypt) for chunk in chunks]
        failed = next((future.exception() for future in futures if future.exception() is not None), None)
        if failed is None:
            return
        kept = self._take_back([token for token, _ in pairs])
        if kept:
            log.error("bulk tokenization failed (%s); these vault items may remain: %s", failed, " ".join(kept))
            raise VaultUnavailable(f"{failed}; {len(kept)} cards of this batch may still be in the vault and could "
                                   "not be taken back (their tokens are in the log file)") from None
        raise failed

    def _store_chunk(self, chunk: Sequence[tuple[str, Card]], encrypt: Callable[[str, Card], Item]) -> None:
        with self._errors():
            self._write([{"PutRequest": {"Item": encrypt(token, card)}} for token, card in chunk])

    def _write(self, requests: list[dict]) -> None:
        for attempt in range(ATTEMPTS):
            unprocessed = self._db.batch_write_item(RequestItems={self._table: requests})
            requests = unprocessed.get("UnprocessedItems", {}).get(self._table, [])
            if not requests:
                return
            time.sleep(0.05 * 2**attempt)
        raise VaultUnavailable("the card vault is busy and did not take a whole batch of cards; try again")

    def _take_back(self, tokens: Sequence[str]) -> list[str]:
        """Delete the tokens' items one by one; the tokens that may remain.

        DeleteItem, not BatchWriteItem: the batch call may be what is failing. Without a
        condition, deleting an absent item succeeds. The first failure stops the rollback
        (a frozen table would fail every delete, each after its retries).
        """
        for done, token in enumerate(tokens):
            try:
                with self._errors():
                    self._db.delete_item(TableName=self._table, Key={PARTITION_KEY: {"S": token}})
            except VaultError as error:
                log.info("taking back vault item %s failed: %s", token, error)
                return list(tokens[done:])
        return []

    def present(self, tokens: Collection[str]) -> set[str]:
        """Consistent BatchGetItem of the keys only: nothing is decrypted, KMS is not asked."""
        wanted = sorted({token for token in tokens if is_token(token)})  # a batch must not repeat a key
        found: set[str] = set()
        with self._errors():
            for start in range(0, len(wanted), READ_KEYS):
                keys = [{PARTITION_KEY: {"S": token}} for token in wanted[start:start + READ_KEYS]]
                found.update(self._read_keys(keys))
        return found

    def _read_keys(self, keys: list[dict]) -> set[str]:
        found = set()
        for attempt in range(ATTEMPTS):
            response = self._db.batch_get_item(RequestItems={self._table: {
                "Keys": keys, "ConsistentRead": True, "ProjectionExpression": "#t",
                "ExpressionAttributeNames": {"#t": PARTITION_KEY}}})
            found.update(item[PARTITION_KEY]["S"] for item in response.get("Responses", {}).get(self._table, []))
            keys = response.get("UnprocessedKeys", {}).get(self._table, {}).get("Keys", [])
            if not keys:
                return found
            time.sleep(0.05 * 2**attempt)
        raise VaultUnavailable("the card vault is busy and did not answer which cards it holds; try again")
