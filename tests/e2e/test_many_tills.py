"""Many tills at once: 8 workers × 50 sales against a moto server process and MariaDB."""

import os
from concurrent.futures import ThreadPoolExecutor
from unittest import mock

from awstest import AWS_ENV
from cardgen import random_pan
from kit import CASHIER, DynamoDbPlace, dynamodb_vault, order_store, sell

from posapp import pairing
from posapp.checkout import CheckoutService
from posapp.money import Money
from posapp.reconcile import reconcile

WORKERS, SALES_EACH = 8, 50


def test_400_sales_from_8_workers_are_each_recorded_once(moto_endpoint, kms_key_arn, mysql_db):
    with mock.patch.dict(os.environ, AWS_ENV):
        vault, _ = dynamodb_vault(DynamoDbPlace(kms_key_arn, endpoint_url=moto_endpoint))
        orders = order_store(mysql_db.url, vault=vault)
        pairing.provision(vault, orders)
        checkout = CheckoutService(vault, orders, workstation="till-01", operator=CASHIER)  # one service shared by all workers

        def worker(number: int) -> list[tuple[str, str]]:
            sold = []
            for index in range(SALES_EACH):
                card_number = random_pan("4", 16)
                order = sell(checkout, f"worker {number} sale {index}", card_number, amount=Money(100 + index, "USD"))
                sold.append((order.token, card_number))
            return sold

        with ThreadPoolExecutor(WORKERS) as pool:
            sales = [sale for batch in pool.map(worker, range(WORKERS)) for sale in batch]

        assert len(sales) == WORKERS * SALES_EACH
        tokens = {token for token, _ in sales}
        assert len(tokens) == WORKERS * SALES_EACH
        listed, before = [], None
        while True:
            page = orders.page(before=before, limit=100)
            listed += page.orders
            if page.next_before is None:
                break
            before = page.next_before
        assert len(listed) == WORKERS * SALES_EACH and {order.token for order in listed} == tokens
        with ThreadPoolExecutor(WORKERS) as pool:
            revealed = list(pool.map(lambda sale: vault.detokenize(sale[0]).reveal() == sale[1], sales))
        assert all(revealed)
        report = reconcile(vault, orders)
        assert (report.checked, report.referenced, report.noted, report.removed) == (400, 400, 0, 0)
