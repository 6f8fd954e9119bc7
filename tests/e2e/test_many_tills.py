"""Many tills at once: 8 workers × 50 sales against a moto server process and MariaDB."""

import os
import uuid
from concurrent.futures import ThreadPoolExecutor
from unittest import mock

from awstest import AWS_ENV, REGION
from cardgen import random_pan
from mariadbtest import POS_PASSWORD

from posapp import pairing
from posapp.card import Card, Expiry, Pan
from posapp.checkout import CheckoutService, Sale
from posapp.money import Money
from posapp.orders.sql import SqlOrderStore
from posapp.reconcile import reconcile
from posapp.vault.aws import AwsClients
from posapp.vault.dynamodb import DynamoDbVault

WORKERS, SALES_EACH = 8, 50


def test_400_sales_from_8_workers_are_each_recorded_once(moto_endpoint, kms_key_arn, mysql_db):
    with mock.patch.dict(os.environ, AWS_ENV):
        clients = AwsClients.connect(region=REGION, kms_key_id=kms_key_arn, endpoint_url=moto_endpoint)
        vault = DynamoDbVault(f"vault-{uuid.uuid4().hex[:12]}", kms_key_arn, clients, workstation="till-01")
        vault.provision()
        orders = SqlOrderStore(mysql_db.url, password=lambda: POS_PASSWORD)
        pairing.provision(vault, orders)
        checkout = CheckoutService(vault, orders, workstation="till-01")  # one service shared by all workers

        def worker(number: int) -> list[tuple[str, str]]:
            sold = []
            for index in range(SALES_EACH):
                card_number = random_pan("4", 16)
                card = Card(Pan.parse(card_number), Expiry(12, 2099))
                order = checkout.checkout(Sale(f"worker {number} sale {index}", None, Money(100 + index, "USD"),
                                               card))
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
