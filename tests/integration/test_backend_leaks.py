"""Sales against MariaDB and DynamoDB/KMS (moto), then a look for the card numbers in everything
the backends hold: every row of every table of the order database, the server's files for that
database and its redo log, every item of the vault table and of the materials (meta) table of
``cached`` mode, and everything logged. Each number is looked for in any form (tests/leakscan.py).
"""

import contextlib
import logging

import pytest
from cardgen import random_pan
from kit import AwsTill, sale
from leakscan import database_rows, dynamodb_items, find_leaks, mariadb_files

from posapp.orders import OrderStoreUnavailable


@pytest.fixture(params=["direct", "cached"])
def till(request, key_arn, mysql_db, mariadb):
    return AwsTill(key_arn, mysql_db, mariadb, materials=request.param)


def everything_written(till, caplog) -> tuple[list, dict[str, bytes]]:
    """(folders, blobs): what the scan reads after the sales."""
    blobs = {**database_rows(till.mariadb, till.database.name),
             **dynamodb_items(till.clients.dynamodb, till.place.table),
             "log": caplog.text.encode()}
    if till.place.materials == "cached":
        meta = dynamodb_items(till.clients.dynamodb, till.place.meta_table)
        assert meta[f"dynamodb:{till.place.meta_table}"] != b"[]"  # the materials the sales used are there
        blobs.update(meta)
    files = mariadb_files(till.mariadb, till.database.name)
    blobs.update({str(path): path.read_bytes() for path in files if path.is_file()})
    return [path for path in files if path.is_dir()], blobs


def test_sales_on_mariadb_and_dynamodb_leave_no_card_number(till, caplog):
    caplog.set_level(logging.DEBUG)
    numbers = [random_pan("4", 16), random_pan("51", 16), random_pan("37", 15)]
    orders = [till.checkout.checkout(sale(number=number, name="Lunch")) for number in numbers]
    assert till.order_tokens() == till.vault_tokens() == {order.token for order in orders}
    folders, blobs = everything_written(till, caplog)
    assert {"Lunch", numbers[0][-4:]} <= {value for row in till.sql("SELECT OrderName, card_last4 FROM OrderHistory")
                                         for value in row}  # the scan reads the rows the sales wrote
    assert find_leaks(numbers, folders, "", blobs) == []


@pytest.mark.parametrize("vault_delete", ["works", "fails"], ids=["card-removed", "card-left-for-reconcile"])
def test_a_sale_whose_order_write_fails_leaves_no_card_number(till, caplog, vault_delete):
    caplog.set_level(logging.DEBUG)
    till.refuse_order_inserts()
    number = random_pan("4", 16)
    deletes = till.deletes_denied() if vault_delete == "fails" else contextlib.nullcontext()
    with deletes, pytest.raises(OrderStoreUnavailable, match="disk full"):
        till.checkout.checkout(sale(number=number))
    assert len(till.vault_tokens()) == (0 if vault_delete == "works" else 1)
    folders, blobs = everything_written(till, caplog)
    assert find_leaks([number], folders, "", blobs) == []
