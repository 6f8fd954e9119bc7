"""The DynamoDB vault's identity item: which vault it is, its order history, its import runs.

A plain item (neither encrypted nor signed: it holds no card) under a key that is not a
UUID, so that no token can name it; ``entries`` skips it. Import runs in progress are
attributes of it, so that one read lists them all.
"""

from __future__ import annotations

import uuid

import botocore.exceptions

from posapp.vault.item_format import PARTITION_KEY
from posapp.vault.base import ImportRecord, VaultError, VaultIdentity
from posapp.vault.dynamodb_bulk import Errors

_KEY = {PARTITION_KEY: {"S": "posapp:vault-identity"}}


class IdentityItem:
    """The identity item of ``table``, through the boto3 client ``db``; ``errors`` turns botocore
    errors into VaultErrors. Methods named as in the Vault protocol behave as it says."""

    def __init__(self, db: object, table: str, errors: Errors):
        self._db = db
        self._table = table
        self._errors = errors

    def create(self) -> None:
        """Give a new vault its id; an existing identity is kept."""
        try:
            self._db.put_item(TableName=self._table, Item={**_KEY, "vault_id": {"S": str(uuid.uuid4())}},
                              ExpressionAttributeNames={"#t": PARTITION_KEY},
                              ConditionExpression="attribute_not_exists(#t)")
        except botocore.exceptions.ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise  # else: the vault has its identity since an earlier provisioning

    def begin_import(self, record: ImportRecord) -> None:
        self._update("SET #i = :r", record.import_id, {":r": {"S": record.to_json()}})

    def pending_imports(self) -> list[ImportRecord]:
        with self._errors():
            item = self._db.get_item(TableName=self._table, Key=_KEY, ConsistentRead=True).get("Item", {})
        return [ImportRecord.from_json(value["S"]) for name, value in item.items() if name.startswith("import_")]

    def end_import(self, import_id: str) -> None:
        self._update("REMOVE #i", import_id)

    def _update(self, update: str, import_id: str, values: dict | None = None) -> None:
        with self._errors():
            try:
                self._db.update_item(TableName=self._table, Key=_KEY, UpdateExpression=update,
                                     ConditionExpression="attribute_exists(vault_id)",
                                     ExpressionAttributeNames={"#i": f"import_{import_id.replace('-', '')}"},
                                     **({"ExpressionAttributeValues": values} if values else {}))
            except botocore.exceptions.ClientError as error:
                if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise
                raise VaultError(f"vault table {self._table} has no identity: run 'posapp provision'") from None

    def read(self) -> VaultIdentity:
        """The identity, read consistently; every field None where the item does not exist."""
        with self._errors():
            item = self._db.get_item(TableName=self._table, Key=_KEY, ConsistentRead=True).get("Item", {})
        return VaultIdentity(*(item.get(name, {}).get("S") for name in ("vault_id", "history_id", "reconcile_epoch")))

    def advance_reconcile_epoch(self, expected: str | None, new: str) -> bool:
        condition = "reconcile_epoch = :expected" if expected else "attribute_not_exists(reconcile_epoch)"
        values = {":new": {"S": new}, **({":expected": {"S": expected}} if expected else {})}
        with self._errors():
            try:
                self._db.update_item(
                    TableName=self._table, Key=_KEY, ExpressionAttributeValues=values,
                    UpdateExpression="SET reconcile_epoch = :new",
                    ConditionExpression=f"attribute_exists(vault_id) AND {condition}")
            except botocore.exceptions.ClientError as error:
                if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise
                return False
        return True

    def pair(self, history_id: str) -> None:
        with self._errors():
            try:
                self._db.update_item(
                    TableName=self._table, Key=_KEY, UpdateExpression="SET history_id = :h",
                    ConditionExpression="attribute_exists(vault_id) AND "
                                        "(attribute_not_exists(history_id) OR history_id = :h)",
                    ExpressionAttributeValues={":h": {"S": history_id}})
            except botocore.exceptions.ClientError as error:
                if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise
                paired = self.read().history_id
                raise VaultError(f"vault table {self._table} is paired with order history {paired} already"
                                 if paired else f"vault table {self._table} has no identity: run 'posapp provision'"
                                 ) from None
