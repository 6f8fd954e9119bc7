"""``moto_server`` for the benchmarks, with moto's TransactWriteItems roll-back copy taken once.

moto (5.2) deep-copies the whole table once per item of a TransactWriteItems, to roll back
to, every copy before any write and each replacing the one before: a transaction of n items
on a table of N costs n·N item copies of CPU, which DynamoDB does not charge (it bills a
transaction's item twice a put's write units, whatever the table's size). Here the copy is
taken once per table and transaction: the same answers, the same roll-back. DynamoDB
requests are answered one at a time, as moto's copy and roll-back need (a write landing
meanwhile would break the copy or be rolled back with it); moto's CPU work is serial under
the GIL anyway. KMS Decrypt opens RSA-OAEP blobs for asymmetric keys, as KMS does (the tests'
patch, tests/kms_rsa.py, which says why).

Run as ``python moto_once.py ARGS...`` with ``moto_server``'s arguments.
"""

from __future__ import annotations

import copy
import functools
import sys
import threading
import types
from pathlib import Path

from moto.dynamodb import models
from moto.dynamodb.responses import DynamoHandler
from moto.server import main

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from kms_rsa import patch_moto_kms_rsa  # noqa: E402

_requests = threading.Lock()
_copies = threading.local()  # id of a table → its copy, within one transaction


def _deepcopy_once(value, memo=None):
    taken = getattr(_copies, "taken", None)
    if taken is None:
        return copy.deepcopy(value, memo)
    if id(value) not in taken:
        taken[id(value)] = copy.deepcopy(value, memo)
    return taken[id(value)]


def _transact_write_items(real):
    @functools.wraps(real)
    def transact_write_items(self, transact_items):
        _copies.taken = {}
        try:
            return real(self, transact_items)
        finally:
            _copies.taken = None
    return transact_write_items


def _one_at_a_time(answer):
    @functools.wraps(answer)
    def call_action(self):
        with _requests:
            return answer(self)
    return call_action


if __name__ == "__main__":
    models.copy = types.SimpleNamespace(deepcopy=_deepcopy_once)
    models.DynamoDBBackend.transact_write_items = _transact_write_items(models.DynamoDBBackend.transact_write_items)
    DynamoHandler.call_action = _one_at_a_time(DynamoHandler.call_action)
    patch_moto_kms_rsa()
    main(sys.argv[1:])
