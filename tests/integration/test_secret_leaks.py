"""Sign-ins with a PIN and passwords, wrong ones too, sales and failed sales; then no secret typed
and no card number anywhere: the order database's files and every row of its tables (the
journal and the operators among them), the vault, the log and every message shown."""

import logging
from unittest import mock

import pytest
from cardgen import random_pan
from kit import AwsTill, sale
from leakscan import database_rows, dynamodb_items, find_leaks, mariadb_files, sqlite_rows

from posapp.access.operators import Operators
from posapp.access.roles import Permission, Role
from posapp.checkout import CheckoutService
from posapp.errors import PosappError
from posapp.vault import VaultUnavailable

# Long enough for the scan to look for them with anything between their digits (tests/leakscan.py).
PIN, WRONG_PIN = "740592836154", "318264950718"
ADMIN_PASSWORD, SUPERVISOR_PASSWORD, WRONG_PASSWORD = "Shop-floor-Key-2026", "Manager-Override-77", "Guess-what-2026x"
SECRETS = [PIN, WRONG_PIN, ADMIN_PASSWORD, SUPERVISOR_PASSWORD, WRONG_PASSWORD]


def a_shift(operators: Operators, checkout_for, vault) -> tuple[list[str], str]:
    """A till's shift, secrets typed right and wrong; (card numbers used, every message shown)."""
    shown = []

    def attempt(action, *args):
        try:
            return action(*args)
        except PosappError as refused:
            shown.append(str(refused))

    operators.add(None, "admin", Role.ADMIN, "The Admin", ADMIN_PASSWORD)
    attempt(operators.sign_in, "admin", WRONG_PASSWORD)
    admin = operators.sign_in("admin", ADMIN_PASSWORD)
    operators.add(admin, "anna", Role.CASHIER, "Anna", PIN)
    operators.add(admin, "sue", Role.SUPERVISOR, "Sue", SUPERVISOR_PASSWORD)
    attempt(operators.add, admin, "weak", Role.CASHIER, None, "123456")
    attempt(operators.sign_in, "anna", WRONG_PIN)
    attempt(operators.sign_in, "anna", ADMIN_PASSWORD)  # another's secret
    anna = operators.sign_in("anna", PIN)
    attempt(operators.approve, anna, "sue", WRONG_PASSWORD, Permission.VOID)
    approved = operators.approve(anna, "sue", SUPERVISOR_PASSWORD, Permission.VOID)
    numbers = [random_pan("4", 16), random_pan("51", 16), random_pan("37", 15)]
    checkout_for(approved).checkout(sale(number=numbers[0]))
    with mock.patch.object(vault, "tokenize", side_effect=VaultUnavailable("the vault is busy")):
        attempt(checkout_for(anna).checkout, sale(number=numbers[1]))
    checkout_for(anna).checkout(sale(number=numbers[2]))
    attempt(operators.reset, admin, "anna", "1111111")
    operators.reset(admin, "sue", "Manager-Override-78")
    operators.sign_out(anna)
    assert len(shown) == 7  # every wrong attempt was refused, with a message the scan reads
    return numbers, "\n".join(shown)


def test_a_local_till_keeps_no_secret_and_no_card_number(services, posapp_home, posapp_log, caplog):
    caplog.set_level(logging.DEBUG)
    services.paired()
    numbers, shown = a_shift(services.operators, services.checkout, services.vault)
    blobs = {**sqlite_rows(posapp_home / "data" / "orders.db"), "log": caplog.text.encode()}
    assert {"orders.db.posapp_journal", "orders.db.posapp_operators"} <= set(blobs)
    assert b"argon2id" in blobs["orders.db.posapp_operators"] and b"sign-in" in blobs["orders.db.posapp_journal"]
    assert posapp_log.exists() and "sign-in refused" in shown
    assert find_leaks(numbers, [posapp_home], shown, blobs, secrets=SECRETS) == []


@pytest.fixture
def aws_till_with_operators(key_arn, mysql_db, mariadb):
    till = AwsTill(key_arn, mysql_db, mariadb)
    return till, Operators(till.orders.operators, till.orders.journal, clock=lambda: till.now)


def test_mariadb_and_dynamodb_keep_no_secret_and_no_card_number(aws_till_with_operators, caplog):
    caplog.set_level(logging.DEBUG)
    till, operators = aws_till_with_operators

    def checkout_for(operator):
        return CheckoutService(till.vault, till.orders, workstation="till-01", operator=operator,
                               clock=lambda: till.now)

    numbers, shown = a_shift(operators, checkout_for, till.vault)
    blobs = {**database_rows(till.mariadb, till.database.name),
             **dynamodb_items(till.clients.dynamodb, till.place.table), "log": caplog.text.encode()}
    journal, operators_table = f"{till.database.name}.posapp_journal", f"{till.database.name}.posapp_operators"
    assert b"argon2id" in blobs[operators_table] and b"override" in blobs[journal]
    files = mariadb_files(till.mariadb, till.database.name)
    blobs.update({str(path): path.read_bytes() for path in files if path.is_file()})
    folders = [path for path in files if path.is_dir()]
    assert find_leaks(numbers, folders, shown, blobs, secrets=SECRETS) == []
