"""Re-keying the DynamoDB vault: every card item re-encrypted under a new key, in place, same token.

Pages of a consistent scan are worked through by a thread pool (KMS calls, crypto and
DynamoDB calls overlap; the next page is scanned while one is worked on). Each item is
checked, re-encrypted and checked again, then replaced by a Put, up to BATCH_ITEMS of them
in one TransactWriteItems, each on the condition that the stored item still carries the
signature that was read: an item deleted meanwhile (a compensation, a reconciliation) stays
deleted, and the rest of its transaction is sent again without it. Items already naming
the target key are left alone, so a resumed run never re-encrypts an item twice.

Progress is kept in a plain bookkeeping item, ``posapp:rekey`` (the target, the pass, the
last token of the last finished page and the counts), written once every transaction of a
page has been applied (never past an item not yet replaced); a run that finds it carries
on from there. Cards stay readable throughout: a transaction replaces whole items, and
decryption asks KMS with the item's own ciphertext, whichever key made it, so tills on
either key read both.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import botocore.exceptions
from dynamodb_encryption_sdk.encrypted import CryptoConfig

from posapp.vault import item_format
from posapp.vault.base import TamperedItem, VaultUnavailable, is_bookkeeping
from posapp.vault.dynamodb_bulk import Errors
from posapp.vault.rekeying import MAX_PASSES, Progress, RekeyReport, reencrypt

log = logging.getLogger(__name__)

CHECKPOINT = {item_format.PARTITION_KEY: {"S": "posapp:rekey"}}
PAGE_ITEMS = 1000  # items per scanned page at most (DynamoDB also stops at 1 MB): one checkpoint each
BATCH_ITEMS = 100  # Puts per TransactWriteItems: DynamoDB's limit
WRITERS = 4  # transactions in flight
THREADS = 32  # each call waits milliseconds on the network to KMS or DynamoDB: many in flight overlap
STALLS = 5  # transactions in a row cancelled with no item settled (conflicts, throttling) before giving up
_SETTLED = "ConditionalCheckFailed"  # a cancellation reason that settles its item: changed or gone
_SIGNATURE = "*amzn-ddb-map-sig*"  # where the SDK keeps an item's signature
_COUNTS = ("rekeyed", "already", "gone")


class DynamoDbRekey:
    """Re-keys ``table`` through the boto3 client ``db``: items are read with ``source`` configs and
    re-encrypted with ``target`` configs (fresh ones per call: configs are not shared between
    threads) under ``key_version``. ``errors`` turns botocore errors into VaultErrors."""

    def __init__(self, db: object, table: str, errors: Errors, *, source: Callable[[], CryptoConfig],
                 target: Callable[[], CryptoConfig], key_version: str):
        self._db = db
        self._table = table
        self._errors = errors
        self._source = source
        self._target = target
        self._key_version = key_version

    def run(self, progress: Progress) -> RekeyReport:
        """Re-key every item, pass after pass until one finds none under another key (at most
        MAX_PASSES), resuming an interrupted run to the same key. Raises VaultUnavailable (the
        checkpoint then holds what is done); tampered items are reported, not raised."""
        report, start = self._resume()
        while True:
            needing = self._pass(report, start, progress)
            start = None
            if needing == 0 or report.passes >= MAX_PASSES:
                break
            report.passes += 1
            self._save(report, None)
        report.remaining = 0 if needing == 0 else self._count_remaining(report)
        with self._errors():
            self._db.delete_item(TableName=self._table, Key=CHECKPOINT)
        return report

    def _pass(self, report: RekeyReport, start: str | None, progress: Progress) -> int:
        """One scan from ``start`` (a token; None: the beginning); how many items it found under
        another key, tampered ones left out."""
        needing = 0
        first = {item_format.PARTITION_KEY: {"S": start}} if start else None
        with (ThreadPoolExecutor(THREADS) as pool, ThreadPoolExecutor(WRITERS) as writer,
              ThreadPoolExecutor(1) as scanner):
            ahead = scanner.submit(self._scan, first)
            while ahead is not None:
                items, last = ahead.result()
                ahead = scanner.submit(self._scan, last) if last else None  # read while this page is worked
                todo = [item for item in items if item_format.key_version(item) != self._key_version]
                if report.passes == 1:  # later passes meet the items re-keyed by the first
                    report.already += len(items) - len(todo)
                for outcomes in self._work(todo, report, pool, writer):
                    for outcome in outcomes:
                        setattr(report, outcome, getattr(report, outcome) + 1)
                        needing += 1
                self._save(report, last[item_format.PARTITION_KEY]["S"] if last else None)
                progress(report)
        return needing

    def _work(self, todo: list[item_format.Item], report: RekeyReport, pool: ThreadPoolExecutor,
              writer: ThreadPoolExecutor) -> list[list[str]]:
        """``todo`` re-encrypted by ``pool`` and replaced by ``writer``, a transaction of BATCH_ITEMS
        sent as soon as they are re-encrypted (writing overlaps re-encrypting the rest); each
        transaction's outcomes once all are applied. Tampered items go to ``report``."""
        made = [pool.submit(self._reencrypt, stored) for stored in todo]
        batches, batch = [], []
        for at, (stored, future) in enumerate(zip(todo, made)):
            new = future.result()
            if new is not None:
                batch.append((stored, new))
            elif (token := stored[item_format.PARTITION_KEY]["S"]) not in report.tampered:
                report.tampered.append(token)
            if batch and (len(batch) == BATCH_ITEMS or at == len(todo) - 1):
                batches.append(writer.submit(self._replace, batch))
                batch = []
        return [future.result() for future in batches]

    def _scan(self, start: item_format.Item | None) -> tuple[list[item_format.Item], item_format.Item | None]:
        """The card items of the page of a consistent scan from ``start`` (a key; None: the
        beginning), and the page's last key (None at the end)."""
        options = {"ExclusiveStartKey": start} if start else {}
        with self._errors():
            page = self._db.scan(TableName=self._table, ConsistentRead=True, Limit=PAGE_ITEMS, **options)
        return ([item for item in page["Items"] if not is_bookkeeping(item[item_format.PARTITION_KEY]["S"])],
                page.get("LastEvaluatedKey"))

    def _reencrypt(self, stored: item_format.Item) -> item_format.Item | None:
        """``stored`` re-encrypted under the target key and checked; None where it failed its check."""
        token = stored[item_format.PARTITION_KEY]["S"]
        with self._errors():
            try:
                return reencrypt(token, stored, self._source(), self._target(), self._key_version)
            except TamperedItem:
                log.warning("vault item %s failed its check: not re-keyed", token)
                return None

    def _replace(self, batch: list[tuple[item_format.Item, item_format.Item]]) -> list[str]:
        """Each (stored, new) pair's new item put in place of the stored one in one transaction,
        each Put on the condition that the stored signature is still there; "rekeyed", or "gone"
        (deleted or changed meanwhile: left as it is), per pair.

        A cancelled transaction names a reason per Put: those whose condition failed are gone,
        the rest are sent again (after a back-off where DynamoDB met a conflict or throttled).
        botocore's own retries of one call carry the same ClientRequestToken, so a transaction
        applied but unanswered is not applied twice (nor taken for items gone). Raises
        VaultUnavailable when STALLS transactions in a row settle no item."""
        outcomes: list[str] = []
        stalls = 0
        while batch:
            reasons = self._transact(batch)
            if reasons is None:
                return outcomes + ["rekeyed"] * len(batch)
            codes = [reason.get("Code", "None") for reason in reasons]
            for (stored, _), code in zip(batch, codes):
                if code == _SETTLED:
                    log.info("vault item %s changed or went while being re-keyed: left as it is",
                             stored[item_format.PARTITION_KEY]["S"])
                    outcomes.append("gone")
            batch = [pair for pair, code in zip(batch, codes) if code != _SETTLED]
            stalls = 0 if _SETTLED in codes else stalls + 1
            if stalls >= STALLS:
                others = ", ".join(sorted(set(codes) - {"None"})) or "no reason given"
                raise VaultUnavailable(f"the card vault kept cancelling the rekey's writes: {others}")
            if stalls:
                time.sleep(0.05 * 2 ** stalls)
        return outcomes

    def _transact(self, batch: list[tuple[item_format.Item, item_format.Item]]) -> list[dict] | None:
        """Sends ``batch``'s conditional Puts as one transaction: None where it was applied, else
        DynamoDB's cancellation reasons, one per Put in order."""
        puts = [{"Put": {"TableName": self._table, "Item": new, "ConditionExpression": "#s = :s",
                         "ExpressionAttributeNames": {"#s": _SIGNATURE},
                         "ExpressionAttributeValues": {":s": stored[_SIGNATURE]}}}
                for stored, new in batch]
        with self._errors():
            try:
                self._db.transact_write_items(TransactItems=puts)
            except botocore.exceptions.ClientError as error:
                if error.response["Error"]["Code"] != "TransactionCanceledException":
                    raise
                return error.response.get("CancellationReasons") or [{}] * len(batch)
        return None

    def _count_remaining(self, report: RekeyReport) -> int:
        """Items still under another key, tampered ones left out: keys and versions only."""
        pages = self._db.get_paginator("scan").paginate(
            TableName=self._table, ProjectionExpression="#t, #v",
            ExpressionAttributeNames={"#t": item_format.PARTITION_KEY, "#v": item_format.KEY_VERSION})
        tampered = set(report.tampered)
        with self._errors():
            return sum(1 for page in pages for item in page["Items"]
                       if not is_bookkeeping(item[item_format.PARTITION_KEY]["S"])
                       and item_format.key_version(item) != self._key_version
                       and item[item_format.PARTITION_KEY]["S"] not in tampered)

    def _resume(self) -> tuple[RekeyReport, str | None]:
        """The report and scan position of an interrupted run to the same key, else a fresh start."""
        with self._errors():
            kept = self._db.get_item(TableName=self._table, Key=CHECKPOINT, ConsistentRead=True).get("Item")
        if kept is None or kept["target"]["S"] != self._key_version:
            if kept is not None:
                log.warning("an interrupted rekey to %s is replaced by one to %s", kept["target"]["S"],
                            self._key_version)
            return RekeyReport(self._key_version, passes=1), None
        report = RekeyReport(self._key_version, passes=int(kept["pass"]["N"]), resumed=True,
                             tampered=list(kept.get("tampered", {}).get("SS", [])),
                             **{name: int(kept[name]["N"]) for name in _COUNTS})
        return report, kept.get("start", {}).get("S")

    def _save(self, report: RekeyReport, start: str | None) -> None:
        item = {**CHECKPOINT, "target": {"S": self._key_version}, "pass": {"N": str(report.passes)},
                **{name: {"N": str(getattr(report, name))} for name in _COUNTS}}
        if start is not None:
            item["start"] = {"S": start}
        if report.tampered:
            item["tampered"] = {"SS": sorted(set(report.tampered))}
        with self._errors():
            self._db.put_item(TableName=self._table, Item=item)
