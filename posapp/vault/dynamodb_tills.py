"""The till registry in the DynamoDB vault table: one bookkeeping item per till.

Each till's item (``posapp:till:<till id>``, plain: it holds public keys only) keeps a map of
its keys by key id, each with its public key (B), ``registered_at`` and, once revoked,
``revoked_at`` (ISO 8601, UTC). Every write is one conditional update of one key's entry, so two
administrators registering or revoking at once never lose each other's writes. Administrators
write it; back office and tills read it (packaging/aws/posapp-backend.yaml).
"""

from __future__ import annotations

import datetime

import botocore.exceptions

from posapp.vault.base import VaultError
from posapp.vault.dynamodb_bulk import Errors
from posapp.vault.item_format import PARTITION_KEY
from posapp.vault.till_registry import TillKeyRecord, TillNotRegistered

_PREFIX = "posapp:till:"
_KEYS = {"#keys": "till_keys"}


def _key(till_id: str) -> dict:
    return {PARTITION_KEY: {"S": _PREFIX + till_id}}


def _conditional(error: botocore.exceptions.ClientError) -> bool:
    return error.response["Error"]["Code"] == "ConditionalCheckFailedException"


class DynamoDbTillRegistry:
    """The till items of ``table``, through the boto3 client ``db``; ``errors`` turns botocore errors
    into VaultErrors. Methods behave as ``till_registry.TillRegistry`` says."""

    def __init__(self, db: object, table: str, errors: Errors):
        self._db, self._table, self._errors = db, table, errors

    def register(self, record: TillKeyRecord) -> bool:
        entry = {"M": {"public_key": {"B": record.public_key}, "registered_at": {"S": _text(record.registered_at)}}}
        with self._errors():
            try:  # the till's item first: a key's entry can only be set in a map that exists
                self._db.put_item(TableName=self._table, Item={**_key(record.till_id), "till_id": {"S": record.till_id},
                                                               "till_keys": {"M": {}}},
                                  ExpressionAttributeNames={"#t": PARTITION_KEY},
                                  ConditionExpression="attribute_not_exists(#t)")
            except botocore.exceptions.ClientError as error:
                if not _conditional(error):
                    raise  # else: the till has an item already
            try:
                self._db.update_item(TableName=self._table, Key=_key(record.till_id),
                                     UpdateExpression="SET #keys.#k = :entry",
                                     ConditionExpression="attribute_exists(#keys) AND attribute_not_exists(#keys.#k)",
                                     ExpressionAttributeNames={**_KEYS, "#k": record.key_id},
                                     ExpressionAttributeValues={":entry": entry})
            except botocore.exceptions.ClientError as error:
                if not _conditional(error):
                    raise
                kept = next((each for each in self.keys_of(record.till_id) if each.key_id == record.key_id), None)
                if kept is not None and kept.revoked_at is not None:
                    raise VaultError(f"key {record.key_id} of till {record.till_id} was revoked and is never "
                                     f"trusted again: register the till with a new key") from None
                return False
        return True

    def revoke(self, till_id: str, at: datetime.datetime) -> list[TillKeyRecord]:
        records = self.keys_of(till_id)
        if not records:
            raise TillNotRegistered(till_id)
        revoked = []
        with self._errors():
            for record in records:
                if record.revoked_at is not None:
                    continue
                try:
                    self._db.update_item(
                        TableName=self._table, Key=_key(till_id), UpdateExpression="SET #keys.#k.revoked_at = :at",
                        ConditionExpression="attribute_exists(#keys.#k) AND attribute_not_exists(#keys.#k.revoked_at)",
                        ExpressionAttributeNames={**_KEYS, "#k": record.key_id},
                        ExpressionAttributeValues={":at": {"S": _text(at)}})
                except botocore.exceptions.ClientError as error:
                    if not _conditional(error):
                        raise
                    continue  # another administrator revoked it meanwhile
                revoked.append(TillKeyRecord(record.till_id, record.key_id, record.public_key, record.registered_at,
                                             at))
        return revoked

    def keys_of(self, till_id: str) -> list[TillKeyRecord]:
        with self._errors():
            item = self._db.get_item(TableName=self._table, Key=_key(till_id), ConsistentRead=True).get("Item")
        return _records(item) if item else []

    def tills(self) -> list[TillKeyRecord]:
        pages = self._db.get_paginator("scan").paginate(
            TableName=self._table, ConsistentRead=True, FilterExpression="begins_with(#t, :prefix)",
            ExpressionAttributeNames={"#t": PARTITION_KEY}, ExpressionAttributeValues={":prefix": {"S": _PREFIX}})
        found: list[TillKeyRecord] = []
        with self._errors():
            for page in pages:
                for item in page["Items"]:
                    found.extend(_records(item))
        return sorted(found, key=lambda each: (each.till_id, each.registered_at, each.key_id))


def _records(item: dict) -> list[TillKeyRecord]:
    """The keys of one till's item, oldest first; VaultError for an item posapp did not write."""
    try:
        till_id = item["till_id"]["S"]
        records = [TillKeyRecord(till_id, key_id, bytes(entry["M"]["public_key"]["B"]),
                                 _time(entry["M"]["registered_at"]["S"]),
                                 _time(entry["M"]["revoked_at"]["S"]) if "revoked_at" in entry["M"] else None)
                   for key_id, entry in item["till_keys"]["M"].items()]
    except (KeyError, TypeError, ValueError):
        raise VaultError(f"the till registry item {item.get(PARTITION_KEY, {}).get('S', '?')[:80]} is damaged: "
                         "revoke that till and register it again") from None
    return sorted(records, key=lambda each: (each.registered_at, each.key_id))


def _text(at: datetime.datetime) -> str:
    return at.astimezone(datetime.timezone.utc).isoformat()


def _time(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text)
