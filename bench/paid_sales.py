"""A sale charged through a processor (localstripe) against DynamoDB + KMS (a moto server) and
MariaDB: what posapp adds around the calls a charged sale cannot avoid.

- sale_with_processor_overhead_ratio: one sale through CheckoutService with the Stripe adapter
  (direct KMS materials, a cashier signed in, journalled and anchored as a till does) over the
  same calls made directly with boto3, the stripe library and PyMySQL: the encrypted conditional
  put; the pending order's INSERT with its journal entry; the PaymentMethod and the confirmed
  PaymentIntent (same parameters); the UPDATE to paid with its journal entry. Interleaved,
  medians of 200 after a warm-up.
"""

from __future__ import annotations

import datetime
import sys
import time
import uuid
from pathlib import Path

import boto3
import pymysql
import stripe

sys.path.insert(0, str(Path(__file__).parent))

from localstripe_server import API_KEY, localstripe  # noqa: E402
from mariadb import private_mariadb  # noqa: E402
from motoserver import moto_server  # noqa: E402
from results import median_ms, print_table, record  # noqa: E402
from sales import CASHIER, REGION, card, vault  # noqa: E402

from posapp.audit.chain import GENESIS, Event, entry  # noqa: E402
from posapp.audit_trail import Anchoring  # noqa: E402
from posapp.checkout import CheckoutService, Sale  # noqa: E402
from posapp.clock import utc_now  # noqa: E402
from posapp.cvc import Cvc  # noqa: E402
from posapp.money import Money  # noqa: E402
from posapp.orders.base import JournalSetup  # noqa: E402
from posapp.orders.sql import SqlOrderStore  # noqa: E402
from posapp.payments.stripe_processor import StripeProcessor  # noqa: E402
from posapp.vault import item_format  # noqa: E402

WARMUP, REPETITIONS = 20, 200


def main() -> None:
    figures: dict[str, object] = {}
    with moto_server() as endpoint, private_mariadb(buffer_pool="128M") as sock, localstripe() as stripe_url:
        key_arn = boto3.client("kms", region_name=REGION, endpoint_url=endpoint).create_key()["KeyMetadata"]["Arn"]
        with pymysql.connect(unix_socket=sock, user="root", autocommit=True) as db, db.cursor() as c:
            c.execute("CREATE DATABASE bench")
        url = f"mysql+pymysql://root@localhost/bench?unix_socket={sock}"
        direct = vault(endpoint, key_arn, cached=False)
        orders = SqlOrderStore(url, journal=JournalSetup("bench-till", key=direct.audit_key,
                                                         committed=Anchoring(lambda: direct), clock=utc_now))
        orders.provision()
        checkout = CheckoutService(direct, orders, workstation="bench-till", operator=CASHIER,
                                   processor=StripeProcessor(API_KEY, api_base=stripe_url))
        code = Cvc.parse("123", card().pan.brand)

        def posapp_sale() -> None:
            checkout.checkout(Sale("Bench sale", None, Money(1234, "USD"), card(), cvc=code))

        client = stripe.StripeClient(API_KEY, base_addresses={"api": stripe_url},
                                     http_client=stripe.RequestsClient(timeout=(3, 15)), max_network_retries=2)
        raw_db = pymysql.connect(unix_socket=sock, user="root", database="bench")
        dynamodb, config = direct._clients.dynamodb, direct._crypto()
        raw_head = [0, GENESIS]

        def journal(cursor, order_id: int, outcome: str, details: dict) -> None:
            new = entry(bytes(32), raw_head[1], "bench-raw", raw_head[0] + 1, datetime.datetime.now(datetime.UTC),
                        Event("sale", outcome, "bench-cashier", str(order_id), details))
            cursor.execute("INSERT INTO posapp_journal (workstation, seq, at, operator, action, target, outcome, "
                           "details, chain) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                           (new.workstation, new.seq, new.at.replace(tzinfo=None), new.operator, new.action,
                            new.target, new.outcome, new.details, new.chain))
            raw_head[:] = [new.seq, new.chain]

        def raw_sale() -> None:
            one, token, key = card(), str(uuid.uuid4()), str(uuid.uuid4())
            item = item_format.plaintext_item(token, one, workstation="bench-till",
                                              created_at=datetime.datetime.now(datetime.UTC))
            dynamodb.put_item(TableName=direct._table, Item=item_format.encrypt(item, config),
                              ExpressionAttributeNames={"#t": "token"}, ConditionExpression="attribute_not_exists(#t)")
            details = {"amount_minor": 1234, "currency": "USD", "brand": "VISA", "last4": one.pan.last4,
                       "token": token, "idempotency_key": key}
            with raw_db.cursor() as cursor:
                cursor.execute("INSERT INTO OrderHistory (OrderName, AWS_PA_Token, amount_minor, currency, card_brand, "
                               "card_last4, created_at, workstation, status, idempotency_key, processor) VALUES "
                               "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                               ("Bench sale", token, 1234, "USD", "VISA", one.pan.last4,
                                datetime.datetime.utcnow().replace(microsecond=0), "bench-till", "pending", key,
                                "stripe"))
                order_id = cursor.lastrowid
                journal(cursor, order_id, "pending", details)
            raw_db.commit()
            method = client.v1.payment_methods.create(params={"type": "card", "card": {
                "number": one.pan.reveal(), "exp_month": 12, "exp_year": 2039, "cvc": "123"}},
                options={"idempotency_key": f"{key}:pm"})
            intent = client.v1.payment_intents.create(params={
                "amount": 1234, "currency": "usd", "payment_method": method.id, "payment_method_types": ["card"],
                "confirm": True, "capture_method": "automatic", "metadata": {"posapp_order": str(order_id)},
                "expand": ["latest_charge"]}, options={"idempotency_key": f"{key}:pi"})
            with raw_db.cursor() as cursor:
                cursor.execute("UPDATE OrderHistory SET status = 'paid', payment_reference = %s, captured_minor = %s "
                               "WHERE UserPaymentAccountID = %s AND status = 'pending'", (intent.id, 1234, order_id))
                journal(cursor, order_id, "paid", {"reference": intent.id, "captured_minor": 1234})
            raw_db.commit()

        samples = {"posapp": [], "raw": []}
        for repetition in range(WARMUP + REPETITIONS):
            for name, run in (("posapp", posapp_sale), ("raw", raw_sale)):  # interleaved
                began = time.perf_counter()
                run()
                if repetition >= WARMUP:
                    samples[name].append(time.perf_counter() - began)
        figures["sale_with_processor_overhead_ratio"] = round(
            median_ms(samples["posapp"]) / median_ms(samples["raw"]), 3)
        figures["sale_with_processor_posapp_ms"] = round(median_ms(samples["posapp"]), 3)
        figures["sale_with_processor_unavoidable_calls_ms"] = round(median_ms(samples["raw"]), 3)

    print_table([
        ("one charged sale / its unavoidable calls", f"{figures['sale_with_processor_overhead_ratio']}",
         "goal ≤ 1.10"),
        ("median charged sale (posapp)", f"{figures['sale_with_processor_posapp_ms']} ms", ""),
        ("median unavoidable calls", f"{figures['sale_with_processor_unavoidable_calls_ms']} ms", ""),
    ])
    print(f"results in {record(figures)}")


if __name__ == "__main__":
    main()
