"""When nobody can tell whether an order was written, its card is never deleted.

Against a real MariaDB and DynamoDB/KMS in moto. The faults are real server behaviour:
a COMMIT held back by a global read lock past the client's read timeout, a connection
killed mid-INSERT.
"""

import time

import pytest
from kit import sale
import pymysql
from sqlalchemy import event

from posapp.orders import OrderOutcomeUnknown, OrderStoreUnavailable, engine
from posapp.checkout import SaleOutcomeUnknown


@pytest.fixture
def till(aws_till):
    return aws_till


def test_a_commit_that_arrives_after_the_timeout_keeps_the_card(till, mariadb):
    """The COMMIT reaches the server, which holds it (a global read lock) while posapp gives up
    waiting and looks from another connection: no order yet. The COMMIT lands afterwards.

    The client's side of the timeout is played at the driver: it sends COMMIT and reports
    a lost connection without reading the answer, and keeps its socket open, so that the
    server (which aborts a waiting statement when its client goes away) commits for sure.
    """
    admin = mariadb.admin()
    held = []

    def commit_then_time_out(connection):
        raw = connection.connection.dbapi_connection
        if held or not isinstance(raw, pymysql.connections.Connection):
            return
        held.append(raw)
        admin.cursor().execute("FLUSH TABLES WITH READ LOCK")  # COMMITs now wait on the server

        def commit():
            raw._execute_command(pymysql.constants.COMMAND.COM_QUERY, "COMMIT")  # sent, never answered
            raise pymysql.err.OperationalError(2013, "Lost connection to server during query (timed out)")

        raw.commit = commit
        raw.close = raw.rollback = lambda *args: None  # the socket stays open until the test ends

    event.listen(till.orders._engine, "commit", commit_then_time_out)
    try:
        attempt = sale()
        with pytest.raises(SaleOutcomeUnknown, match="may or may not be recorded, and its card is kept"):
            till.checkout.checkout(attempt)
    finally:
        event.remove(till.orders._engine, "commit", commit_then_time_out)
        admin.cursor().execute("UNLOCK TABLES")
        admin.close()
    deadline = time.monotonic() + 30
    while not till.order_tokens() and time.monotonic() < deadline:
        time.sleep(0.1)  # the held-back COMMIT lands once the lock is gone
    for raw in held:
        raw._read_ok_packet()  # its answer, at last
        pymysql.connections.Connection.close(raw)
    assert len(till.vault_tokens()) == 1, "the card of a sale whose outcome is unknown was deleted"
    assert till.order_tokens(), "the held-back COMMIT did not land: the test no longer shows the fault"
    assert till.order_tokens() == till.vault_tokens(), "an order without its card"
    # A retry with the same idempotency key records the sale at most once.
    again = till.checkout.checkout(attempt)
    assert len(till.sql("SELECT * FROM OrderHistory")) == 1
    assert again.token in till.vault_tokens()


def test_an_insert_the_server_refused_removes_the_card(till):
    till.refuse_order_inserts("disk full")
    with pytest.raises(OrderStoreUnavailable, match="disk full") as raised:
        till.checkout.checkout(sale())
    assert not isinstance(raised.value, OrderOutcomeUnknown)  # the server said no: known not written
    assert "may or may not" not in str(raised.value)
    assert till.vault_tokens() == set() == till.order_tokens()


def test_a_connection_dropped_since_the_last_sale_fails_the_next_sale_visibly(till, monkeypatch):
    """A pooled connection used moments ago is trusted without a ping (posapp/orders/engine.py).
    Dropped by the server meanwhile, it fails the next sale's INSERT. No COMMIT was sent, so the
    sale is known not recorded: its card is removed, and the sale after it works."""
    monkeypatch.setattr(engine, "TRUSTED_FOR", 3600.0)
    till.checkout.checkout(sale())
    till.drop_order_connections()
    with pytest.raises(OrderStoreUnavailable, match="connection to order history at .* was lost") as raised:
        till.checkout.checkout(sale())
    assert not isinstance(raised.value, OrderOutcomeUnknown)
    assert len(till.order_tokens()) == 1 and till.vault_tokens() == till.order_tokens()
    till.checkout.checkout(sale())
    assert len(till.order_tokens()) == 2 and till.vault_tokens() == till.order_tokens()


def test_a_connection_dropped_while_the_till_was_idle_is_replaced_unnoticed(till, monkeypatch):
    monkeypatch.setattr(engine, "TRUSTED_FOR", 0.0)
    till.checkout.checkout(sale())
    till.drop_order_connections()
    till.checkout.checkout(sale())
    assert len(till.order_tokens()) == 2 and till.vault_tokens() == till.order_tokens()
