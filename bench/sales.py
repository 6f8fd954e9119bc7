"""Sales against DynamoDB + KMS (a moto server) and MariaDB: what posapp adds, and KMS use.

- sale_overhead_ratio: one sale through CheckoutService (direct KMS materials, signed in as a
  cashier, its journal entry written with the order and anchored as a till anchors) over the
  calls it cannot avoid, made with raw boto3 and PyMySQL: the same encrypted conditional put,
  the same INSERT and, in the same transaction, the INSERT of a chained journal entry.
  sale_overhead_ratio_vs_unjournalled compares with those calls but the journal INSERT (the
  comparison before sales were journalled). Interleaved, medians of 200 after a warm-up.
- history_page_kms_calls / history_page_vault_calls: AWS calls while listing 100 orders.
- kms_calls_per_1000_sales_cached: KMS calls for 1,000 sales with cached materials.
- bulk_tokenize_speedup_vs_direct_single: 2,000 cards through bulk tokenization (cached
  materials, transactions of 100, a few threads) against one-by-one direct-KMS puts.
"""

from __future__ import annotations

import datetime
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

import boto3
import pymysql

sys.path.insert(0, str(Path(__file__).parent))

from mariadb import private_mariadb  # noqa: E402
from motoserver import moto_server  # noqa: E402
from results import median_ms, print_table, record  # noqa: E402

from posapp import luhn  # noqa: E402
from posapp.access.roles import Role, SignedIn  # noqa: E402
from posapp.audit.chain import GENESIS, Event, entry  # noqa: E402
from posapp.audit_trail import Anchoring  # noqa: E402
from posapp.card import Card, Expiry, Pan  # noqa: E402
from posapp.checkout import CheckoutService, Sale  # noqa: E402
from posapp.clock import utc_now  # noqa: E402
from posapp.money import Money  # noqa: E402
from posapp.orders.base import JournalSetup  # noqa: E402
from posapp.orders.sql import SqlOrderStore  # noqa: E402
from posapp.vault import item_format  # noqa: E402
from posapp.vault.aws import AwsClients  # noqa: E402
from posapp.vault.dynamodb import CachedMaterials, DynamoDbVault  # noqa: E402

REGION = "us-east-1"
WARMUP, REPETITIONS = 20, 200
BULK_CARDS, BULK_ROUNDS = 2000, 3
RNG = random.Random(2026)
CASHIER = SignedIn("bench-cashier", "Bench Cashier", Role.CASHIER)


def card() -> Card:
    body = "4" + "".join(RNG.choice("0123456789") for _ in range(14))
    return Card(Pan.parse(body + luhn.check_digit(body)), Expiry(12, 2039))


class Counter:
    def __init__(self, *clients):
        self.calls: list[str] = []
        for client in clients:
            client.meta.events.register("before-call", self._count)

    def _count(self, model, **kwargs):
        self.calls.append(model.name)


class UnavoidableCalls:
    """A sale made with only the calls posapp cannot avoid, with raw boto3 and PyMySQL: the
    conditional put of the card's item encrypted with ``config`` into ``table``, the order INSERT
    and, in the same transaction, the INSERT of a chained journal entry (workstation "bench-raw")."""

    def __init__(self, dynamodb, table: str, config, raw_db):
        self._dynamodb, self._table, self._config, self._db = dynamodb, table, config, raw_db
        self._head = (0, GENESIS)  # the raw journal's seq and chain

    def _entry(self, cursor, order_id: int, token: str, last4: str) -> None:
        details = {"amount_minor": 1234, "currency": "USD", "brand": "VISA", "last4": last4, "token": token,
                   "idempotency_key": str(uuid.uuid4())}
        now = datetime.datetime.now(datetime.timezone.utc)
        new = entry(bytes(32), self._head[1], "bench-raw", self._head[0] + 1, now,
                    Event("sale", "recorded", "bench-cashier", str(order_id), details))
        cursor.execute("INSERT INTO posapp_journal (workstation, seq, at, operator, action, target, outcome, "
                       "details, chain) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                       (new.workstation, new.seq, new.at.replace(tzinfo=None), new.operator, new.action,
                        new.target, new.outcome, new.details, new.chain))
        self._head = (new.seq, new.chain)

    def sale(self, journalled: bool = True) -> None:
        one = card()
        token = str(uuid.uuid4())
        item = item_format.plaintext_item(token, one, workstation="bench-till",
                                          created_at=datetime.datetime.now(datetime.timezone.utc))
        self._dynamodb.put_item(TableName=self._table, Item=item_format.encrypt(item, self._config),
                                ExpressionAttributeNames={"#t": "token"},
                                ConditionExpression="attribute_not_exists(#t)")
        with self._db.cursor() as cursor:
            cursor.execute("INSERT INTO OrderHistory (OrderName, AWS_PA_Token, amount_minor, currency, card_brand, "
                           "card_last4, created_at, workstation, status, idempotency_key) VALUES "
                           "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                           ("Bench sale", token, 1234, "USD", "VISA", one.pan.last4,
                            datetime.datetime.utcnow().replace(microsecond=0), "bench-till", "recorded",
                            str(uuid.uuid4())))
            if journalled:
                self._entry(cursor, cursor.lastrowid, token, one.pan.last4)
        self._db.commit()


def vault(endpoint: str, key_arn: str, *, cached: bool) -> DynamoDbVault:
    table = f"bench-{uuid.uuid4().hex[:8]}"
    clients = AwsClients.connect(region=REGION, kms_key_id=key_arn, endpoint_url=endpoint)
    built = DynamoDbVault(table, key_arn, clients, workstation="bench-till",
                          cached=CachedMaterials(f"{table}-meta", 300.0) if cached else None)
    built.provision()
    return built


def main() -> None:
    figures: dict[str, object] = {}
    with moto_server() as endpoint, private_mariadb(buffer_pool="128M") as sock:
        key_arn = boto3.client("kms", region_name=REGION, endpoint_url=endpoint).create_key()["KeyMetadata"]["Arn"]
        with pymysql.connect(unix_socket=sock, user="root", autocommit=True) as db, db.cursor() as c:
            c.execute("CREATE DATABASE bench")
        url = f"mysql+pymysql://root@localhost/bench?unix_socket={sock}"
        direct = vault(endpoint, key_arn, cached=False)
        # Journalling as a till does (app.py): the audit key and anchors are the vault's.
        orders = SqlOrderStore(url, journal=JournalSetup("bench-till", key=direct.audit_key,
                                                         committed=Anchoring(lambda: direct), clock=utc_now))
        orders.provision()

        # -- one sale: posapp against the raw calls it cannot avoid ------------------------
        checkout = CheckoutService(direct, orders, workstation="bench-till", operator=CASHIER)
        raw_db = pymysql.connect(unix_socket=sock, user="root", database="bench")
        dynamodb = direct._clients.dynamodb
        config = direct._crypto()

        def posapp_sale() -> None:
            checkout.checkout(Sale("Bench sale", None, Money(1234, "USD"), card()))

        raw = UnavoidableCalls(dynamodb, direct._table, config, raw_db)

        samples = {"posapp": [], "raw": [], "unjournalled": []}
        variants = (("posapp", posapp_sale), ("raw", raw.sale), ("unjournalled", lambda: raw.sale(journalled=False)))
        for repetition in range(WARMUP + REPETITIONS):
            for name, run in variants:  # interleaved
                began = time.perf_counter()
                run()
                if repetition >= WARMUP:
                    samples[name].append(time.perf_counter() - began)
        figures["sale_overhead_ratio"] = round(median_ms(samples["posapp"]) / median_ms(samples["raw"]), 3)
        figures["sale_overhead_ratio_vs_unjournalled"] = round(
            median_ms(samples["posapp"]) / median_ms(samples["unjournalled"]), 3)
        figures["sale_posapp_ms"] = round(median_ms(samples["posapp"]), 3)
        figures["sale_unavoidable_calls_ms"] = round(median_ms(samples["raw"]), 3)

        # -- listing history touches neither the vault nor KMS ------------------------------
        counter = Counter(direct._clients.dynamodb, direct._clients.kms)
        page = orders.page(limit=100)
        assert len(page.orders) == 100
        figures["history_page_kms_calls"] = sum(call in ("Decrypt", "GenerateDataKey") for call in counter.calls)
        figures["history_page_vault_calls"] = sum(call in ("GetItem", "Query", "Scan") for call in counter.calls)

        # -- KMS calls for 1,000 sales with cached materials -----------------------------------
        cached = vault(endpoint, key_arn, cached=True)
        kms = Counter(cached._clients.kms)
        cached_checkout = CheckoutService(cached, orders, workstation="bench-till", operator=CASHIER)
        for _ in range(1000):
            cached_checkout.checkout(Sale("Cached sale", None, Money(500, "USD"), card()))
        figures["kms_calls_per_1000_sales_cached"] = len(kms.calls)

        # -- bulk tokenization against one-by-one direct puts ---------------------------------
        bulk_times, single_times = [], []
        for _ in range(BULK_ROUNDS):
            cards = [card() for _ in range(BULK_CARDS)]
            bulk = vault(endpoint, key_arn, cached=True)
            began = time.perf_counter()
            bulk.tokenize_many(cards, "bench")
            bulk_times.append(time.perf_counter() - began)
            began = time.perf_counter()
            for one in cards:
                direct.tokenize(one)
            single_times.append(time.perf_counter() - began)
        figures["bulk_tokenize_speedup_vs_direct_single"] = round(
            statistics.median(single_times) / statistics.median(bulk_times), 1)
        figures["bulk_tokenize_ms_per_card"] = round(statistics.median(bulk_times) * 1000 / BULK_CARDS, 3)
        figures["direct_tokenize_ms_per_card"] = round(statistics.median(single_times) * 1000 / BULK_CARDS, 3)

    print_table([
        ("one sale / its unavoidable calls", f"{figures['sale_overhead_ratio']}", "goal ≤ 1.10"),
        ("one sale / those calls but the journal's", f"{figures['sale_overhead_ratio_vs_unjournalled']}", ""),
        ("KMS calls listing 100 orders", f"{figures['history_page_kms_calls']}", "goal 0"),
        ("vault calls listing 100 orders", f"{figures['history_page_vault_calls']}", "goal 0"),
        ("KMS calls for 1,000 cached sales", f"{figures['kms_calls_per_1000_sales_cached']}", "goal ≤ 2"),
        ("bulk vs one-by-one direct (2,000 cards)", f"{figures['bulk_tokenize_speedup_vs_direct_single']}x",
         "goal ≥ 5"),
        ("median sale (posapp)", f"{figures['sale_posapp_ms']} ms", ""),
        ("median unavoidable calls", f"{figures['sale_unavoidable_calls_ms']} ms", ""),
    ])
    print(f"results in {record(figures)}")


if __name__ == "__main__":
    main()
