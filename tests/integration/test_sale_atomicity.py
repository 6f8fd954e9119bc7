"""A sale is all or nothing: faults at each step against DynamoDB (moto) and MariaDB.

After every fault, each vault item is referenced by an order or removed by
reconciliation, and no order references a missing vault item.
"""

import datetime
import threading
from unittest import mock

import pytest
from botocore.stub import Stubber
from cardgen import random_pan
from kit import AwsTill, sale
from sqlalchemy import event

from posapp.errors import InvalidInput
from posapp.pan_detect import redact
from posapp.orders import OrderOutcomeUnknown, OrderStoreUnavailable
from posapp.reconcile import reconcile
from posapp.vault import VaultUnavailable


class Till(AwsTill):
    """A till (tests/kit.py) that reconciles later and checks that cards and orders agree."""

    def reconcile_later(self, minutes=61):
        """Two runs of reconciliation, ``minutes`` apart: the first notes orphans, the second removes them."""
        reconcile(self.vault, self.orders, now=lambda: self.now)
        self.now += datetime.timedelta(minutes=minutes)
        return reconcile(self.vault, self.orders, now=lambda: self.now)

    def assert_consistent(self):
        """Every order's card is in the vault, and every vault item belongs to an order."""
        assert self.order_tokens() <= self.vault_tokens(), "an order references a missing vault item"
        assert self.vault_tokens() <= self.order_tokens(), "a vault item belongs to no order"


@pytest.fixture
def till(key_arn, mysql_db, mariadb):
    return Till(key_arn, mysql_db, mariadb)


def test_a_good_sale_is_consistent(till):
    order = till.checkout.checkout(sale())
    assert till.order_tokens() == till.vault_tokens() == {order.token}


def test_vault_put_fails_nothing_is_recorded(till):
    with Stubber(till.clients.dynamodb) as dynamodb:
        dynamodb.add_client_error("put_item", service_error_code="ProvisionedThroughputExceededException",
                                  http_status_code=400)
        with pytest.raises(VaultUnavailable, match="busy"):
            till.checkout.checkout(sale())
    assert till.order_tokens() == set() and till.vault_tokens() == set()


def test_order_insert_fails_the_vault_item_is_removed(till):
    till.refuse_order_inserts()
    with pytest.raises(OrderStoreUnavailable, match="disk full"):
        till.checkout.checkout(sale())
    till.assert_consistent()
    assert till.vault_tokens() == set()


def test_compensation_fails_too_then_reconcile_removes_the_orphan(till, caplog):
    till.refuse_order_inserts()
    number = random_pan("4", 16)
    with till.deletes_denied(), pytest.raises(OrderStoreUnavailable, match="disk full"):
        till.checkout.checkout(sale(number=number))
    [orphan] = till.vault_tokens()
    assert f"vault item {redact(orphan)} could not be removed; vault reconciliation will remove it" in caplog.text
    assert number not in caplog.text
    assert till.reconcile_later().removed == 0  # no order came after it yet: it might be on its way
    till.sql("DROP TRIGGER refuse")  # the disk has room again
    good = till.checkout.checkout(sale())  # the shop sells on
    early = reconcile(till.vault, till.orders, now=lambda: till.now)
    assert (early.noted, early.removed) == (1, 0)  # a sale in flight elsewhere looks the same: kept
    late = till.reconcile_later()
    assert (late.checked, late.removed) == (2, 1)
    till.assert_consistent()
    assert till.vault_tokens() == {good.token}


def test_the_process_dies_between_vault_and_order(till):
    with mock.patch.object(till.orders, "add", side_effect=SystemExit("power cut")):
        with pytest.raises(SystemExit):
            till.checkout.checkout(sale())
    assert len(till.vault_tokens()) == 1 and till.order_tokens() == set()
    good = till.checkout.checkout(sale())
    report = till.reconcile_later()
    assert (report.checked, report.referenced, report.removed) == (2, 1, 1)
    till.assert_consistent()
    assert till.order_tokens() == {good.token}


def test_connection_lost_after_the_order_was_written_is_a_success(till):
    real_add = till.orders.add

    def add_then_lose_connection(order, event):
        real_add(order, event)  # the order and its journal entry are written, then the answer is lost
        raise OrderOutcomeUnknown("the connection was lost while an order was being written")

    with mock.patch.object(till.orders, "add", side_effect=add_then_lose_connection):
        order = till.checkout.checkout(sale())
    assert till.order_tokens() == till.vault_tokens() == {order.token}
    assert [entry.target for entry in till.orders.journal.chain("till-01")] == [str(order.id)]


def test_connection_lost_mid_insert_records_nothing_and_removes_the_card(till):
    # COMMIT was never sent, so the server rolls the transaction back: the sale is known not
    # recorded (a loss at COMMIT is the unknown outcome, in test_unknown_outcomes.py).
    killed = threading.Event()

    def kill_during_insert(connection, cursor, statement, parameters, context, executemany):
        if statement.startswith("INSERT") and not killed.is_set():
            killed.set()
            till.mariadb.execute(f"KILL {connection.connection.thread_id()}")

    event.listen(till.orders._engine, "before_cursor_execute", kill_during_insert)
    try:
        with pytest.raises(OrderStoreUnavailable, match="was lost"):
            till.checkout.checkout(sale())
    finally:
        event.remove(till.orders._engine, "before_cursor_execute", kill_during_insert)
    assert till.vault_tokens() == set() and till.order_tokens() == set()
    good = till.checkout.checkout(sale())
    till.assert_consistent()
    assert till.order_tokens() == till.vault_tokens() == {good.token}


def test_a_retried_sale_records_one_order(till):
    first_try = sale()
    first = till.checkout.checkout(first_try)
    again = till.checkout.checkout(first_try)
    assert again == first
    assert len(till.sql("SELECT * FROM OrderHistory")) == 1 and till.vault_tokens() == {first.token}


def test_the_same_sale_submitted_twice_at_once_records_one_order(till):
    same = sale()
    barrier = threading.Barrier(2)
    results, errors = [], []

    def submit():
        barrier.wait()
        try:
            results.append(till.checkout.checkout(same))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert results[0] == results[1]
    till.assert_consistent()
    assert len(till.order_tokens()) == 1


def test_an_idempotency_key_reused_for_another_sale_is_refused(till):
    first = till.checkout.checkout(sale(idempotency_key="register-7-sale-1"))
    with pytest.raises(InvalidInput, match=f"already used for another sale \\(order {first.id}\\)"):
        till.checkout.checkout(sale(name="Tea", idempotency_key="register-7-sale-1"))
    till.assert_consistent()


def test_reconcile_dry_run_removes_nothing(till):
    with mock.patch.object(till.orders, "add", side_effect=SystemExit):
        with pytest.raises(SystemExit):
            till.checkout.checkout(sale())
    till.checkout.checkout(sale())
    reconcile(till.vault, till.orders, now=lambda: till.now)
    till.now += datetime.timedelta(hours=2)
    report = reconcile(till.vault, till.orders, now=lambda: till.now, dry_run=True)
    assert report.removed == 1 and len(till.vault_tokens()) == 2
