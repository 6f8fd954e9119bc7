"""Re-keying the DynamoDB vault: every card item re-encrypted under a new key, in place, same token.

Pages of a consistent scan are worked through by a thread pool (KMS calls and crypto
overlap). Each item is checked, re-encrypted and checked again, then replaced by a PutItem
on the condition that the stored item still carries the signature that was read: an item
deleted meanwhile (a compensation, a reconciliation) stays deleted. Items already naming
the target key are left alone, so a resumed run never re-encrypts an item twice.

Progress is kept in a plain bookkeeping item, ``posapp:rekey`` (the target, the pass, the
last token of the last finished page and the counts), written after each page; a run that
finds it carries on from there. Cards stay readable throughout: decryption asks KMS with
the item's own ciphertext, whichever key made it, so tills on either key read both.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import botocore.exceptions
from dynamodb_encryption_sdk.encrypted import CryptoConfig

from posapp.vault import item_format
from posapp.vault.aws import conditional_failure
from posapp.vault.base import TamperedItem, is_bookkeeping
from posapp.vault.dynamodb_bulk import Errors
from posapp.vault.rekeying import MAX_PASSES, Progress, RekeyReport, reencrypt

log = logging.getLogger(__name__)

CHECKPOINT = {item_format.PARTITION_KEY: {"S": "posapp:rekey"}}
PAGE_ITEMS = 1000  # items per scanned page at most (DynamoDB also stops at 1 MB): one checkpoint each
THREADS = 8  # KMS answers in milliseconds: calls in flight overlap
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
        with ThreadPoolExecutor(THREADS) as pool:
            for items, last in self._pages(start):
                todo = [item for item in items if item_format.key_version(item) != self._key_version]
                if report.passes == 1:  # later passes meet the items re-keyed by the first
                    report.already += len(items) - len(todo)
                for outcome in pool.map(self._rekey_one, todo):
                    if outcome in _COUNTS:
                        setattr(report, outcome, getattr(report, outcome) + 1)
                        needing += 1
                    elif outcome not in report.tampered:
                        report.tampered.append(outcome)
                self._save(report, last)
                progress(report)
        return needing

    def _pages(self, start: str | None) -> Iterator[tuple[list[item_format.Item], str | None]]:
        """The card items of each page of a consistent scan, and the page's last key (None at the end)."""
        options = {"ExclusiveStartKey": {item_format.PARTITION_KEY: {"S": start}}} if start else {}
        while True:
            with self._errors():
                page = self._db.scan(TableName=self._table, ConsistentRead=True, Limit=PAGE_ITEMS, **options)
            last = page.get("LastEvaluatedKey")
            yield ([item for item in page["Items"] if not is_bookkeeping(item[item_format.PARTITION_KEY]["S"])],
                   last[item_format.PARTITION_KEY]["S"] if last else None)
            if not last:
                return
            options = {"ExclusiveStartKey": last}

    def _rekey_one(self, stored: item_format.Item) -> str:
        """"rekeyed", "gone" (deleted or changed meanwhile), or the token of a tampered item."""
        token = stored[item_format.PARTITION_KEY]["S"]
        with self._errors():
            try:
                new = reencrypt(token, stored, self._source(), self._target(), self._key_version)
            except TamperedItem:
                log.warning("vault item %s failed its check: not re-keyed", token)
                return token
            try:
                self._db.put_item(TableName=self._table, Item=new, ConditionExpression="#s = :s",
                                  ExpressionAttributeNames={"#s": _SIGNATURE},
                                  ExpressionAttributeValues={":s": stored[_SIGNATURE]})
            except botocore.exceptions.ClientError as error:
                if not conditional_failure(error):
                    raise
                log.info("vault item %s changed or went while being re-keyed: left as it is", token)
                return "gone"
        return "rekeyed"

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
