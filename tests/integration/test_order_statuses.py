"""Order statuses: the sales an earlier posapp recorded are card on file after the upgrade."""

import datetime

import pytest
import sqlalchemy as sa
from kit import new_order
from orderstores import store_at, upgrade_to

from posapp.localization import Localization
from posapp.orders import presentation
from posapp.orders.status import OrderStatus

pytestmark = pytest.mark.parametrize("backend_url", ["sqlite", "mariadb"], indirect=True)


def test_sales_recorded_before_payments_become_card_on_file(backend_url):
    store = store_at(backend_url)
    upgrade_to(store, "0006")
    with store._engine.begin() as connection:
        for key, status in (("old-1", "completed"), ("old-2", None), ("old-3", "voided")):
            connection.execute(sa.text(
                "INSERT INTO OrderHistory (OrderName, AWS_PA_Token, amount_minor, currency, idempotency_key, "
                "status, created_at) VALUES ('Tea', 'tok', 250, 'EUR', :key, :status, :at)"),
                {"key": key, "status": status, "at": datetime.datetime(2026, 1, 2)})
    store.provision()
    orders = {order.idempotency_key: order for order in store.page().orders}
    assert {key: order.status for key, order in orders.items()} == {
        "old-1": OrderStatus.RECORDED, "old-2": OrderStatus.RECORDED, "old-3": OrderStatus.VOIDED}
    assert {(order.captured_minor, order.refunded_minor, order.processor) for order in orders.values()} == {(0, 0, None)}
    assert presentation.as_json(orders["old-1"])["status"] == "recorded"
    assert presentation.as_json(orders["old-1"])["payment"] is None


def test_a_status_another_program_wrote_reads_as_unknown(backend_url):
    store = store_at(backend_url)
    store.provision()
    order = store.add(new_order())
    with store._engine.begin() as connection:
        connection.execute(sa.text("UPDATE OrderHistory SET status = 'SETTLED' WHERE UserPaymentAccountID = :id"),
                           {"id": order.id})
    assert store.get(order.id).status is None
    assert presentation.list_fields(store.get(order.id), Localization.named("en_US", "UTC"))["status"] == ""
