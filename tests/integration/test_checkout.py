"""One sale through the real local vault and SQLite store: all or nothing."""

import datetime
import sqlite3

import pytest
from cardgen import random_pan
from kit import CASHIER, sale, sell, vault_tokens
from posapp.checkout import CheckoutService

from posapp import app, config
from posapp.card import Expiry, InvalidCard, Pan
from posapp.pan_detect import redact
from posapp.orders import InvalidOrder, OrderStoreUnavailable
from posapp.vault import VaultUnavailable


def test_a_sale_stores_the_card_once_and_the_order_references_it(services):
    number = random_pan("4", 16)
    order = sell(services, number=number)
    assert vault_tokens(services) == [order.token]
    assert services.vault.detokenize(order.token) == Pan.parse(number)
    assert (order.card_masked, str(order.amount)) == (f"VISA •••• {number[-4:]}", "3.50 USD")


@pytest.mark.parametrize(("bad_sale", "error"), [
    (lambda: sale(name="é" * 200), InvalidOrder),
    (lambda: sale(name="Tea\x07"), InvalidOrder),
    (lambda: sale(expiry=Expiry(1, 2020)), InvalidCard),
], ids=["400-byte-name", "control-character", "expired-card"])
def test_refused_sales_store_nothing(services, bad_sale, error):
    with pytest.raises(error):
        services.checkout(CASHIER).checkout(bad_sale())
    assert vault_tokens(services) == []
    assert services.orders.page().orders == []


@pytest.mark.parametrize("blank", ["", "   ", "\t"])
def test_a_sale_without_a_name_is_recorded_as_sale(services, blank):
    assert services.checkout(CASHIER).checkout(sale(name=blank)).name == "Sale"


def fail_order_inserts(services):
    services.orders.provision()
    with sqlite3.connect(config.load().paths.data_dir / "orders.db") as db:
        db.execute("CREATE TRIGGER refuse BEFORE INSERT ON OrderHistory BEGIN SELECT RAISE(ABORT, 'disk full'); END")


def test_a_failed_order_insert_removes_the_vault_item(services):
    fail_order_inserts(services)
    with pytest.raises(OrderStoreUnavailable, match="disk full"):
        sell(services)
    assert vault_tokens(services) == []


def test_when_compensation_fails_too_the_orphan_token_is_logged_never_the_card(services, monkeypatch, caplog):
    fail_order_inserts(services)
    number = random_pan("4", 16)

    def vault_down(token):
        raise VaultUnavailable("the vault cannot be reached")

    monkeypatch.setattr(services.vault, "delete", vault_down)
    with pytest.raises(OrderStoreUnavailable):
        sell(services, number=number)
    [orphan] = vault_tokens(services)
    assert f"vault item {redact(orphan)} could not be removed" in caplog.text
    assert number not in caplog.text


def test_clock_decides_expiry(posapp_home):
    services = app.build(config.load())
    late = datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc)
    checkout = CheckoutService(services.vault, services.orders, workstation="till-01", operator=CASHIER,
                               clock=lambda: late)
    with pytest.raises(InvalidCard, match="expired"):
        checkout.checkout(sale(expiry=Expiry(12, 2029)))


def test_each_card_knows_the_newest_order_other_tills_recorded_too(services, monkeypatch):
    """What lets reconciliation tell an older copy of the order history from the real one."""
    from posapp import checkout as checkout_module

    now = [1000.0]
    monkeypatch.setattr(checkout_module.time, "monotonic", lambda: now[0])
    this_till = services.checkout(CASHIER)
    other_till = CheckoutService(services.vault, services.orders, workstation="till-02", operator=CASHIER)

    def orders_seen(order):
        return next(entry.orders_seen for entry in services.vault.entries() if entry.token == order.token)

    first = this_till.checkout(sale())
    assert orders_seen(first) == 0
    for _ in range(3):
        other_till.checkout(sale())
    assert orders_seen(this_till.checkout(sale())) == first.id  # read less than ORDERS_SEEN_FRESH ago
    latest = other_till.checkout(sale())
    now[0] += checkout_module.ORDERS_SEEN_FRESH + 1
    assert orders_seen(this_till.checkout(sale())) == latest.id  # read again: the other till's orders count
