"""Re-keying the DynamoDB vault (direct KMS materials) in a moto server.

- rekey_items_per_s: items re-keyed per second by ``DynamoDbVault.rekey`` (scanned pages, a
  thread pool for the KMS and crypto work, conditional puts, the new item checked with the
  materials that made it), every item verified before it is replaced.
- rekey_speedup_vs_one_by_one: that rate over a straightforward loop on the same number of
  items of another table: GetItem and decrypt (``vault.card``), encrypt under the new key, PutItem.
Both start from REKEY_ITEMS cards stored with direct materials; medians of ROUNDS.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
import uuid
from pathlib import Path

import boto3

sys.path.insert(0, str(Path(__file__).parent))

from motoserver import moto_server  # noqa: E402
from results import print_table, record  # noqa: E402

from posapp import luhn  # noqa: E402
from posapp.card import Card, Expiry, Pan  # noqa: E402
from posapp.clock import utc_now  # noqa: E402
from posapp.vault import item_format  # noqa: E402
from posapp.vault.aws import AwsClients  # noqa: E402
from posapp.vault.dynamodb import DynamoDbVault  # noqa: E402

REGION = "us-east-1"
REKEY_ITEMS, ROUNDS = 500, 3
RNG = random.Random(2026)


def card() -> Card:
    body = "4" + "".join(RNG.choice("0123456789") for _ in range(14))
    return Card(Pan.parse(body + luhn.check_digit(body)), Expiry(12, 2039))


def filled_vault(endpoint: str, key_arn: str) -> tuple[DynamoDbVault, list[str]]:
    clients = AwsClients.connect(region=REGION, kms_key_id=key_arn, endpoint_url=endpoint)
    vault = DynamoDbVault(f"bench-{uuid.uuid4().hex[:8]}", key_arn, clients, workstation="bench-till")
    vault.provision()
    return vault, vault.tokenize_many([card() for _ in range(REKEY_ITEMS)], "bench")


def one_by_one(vault: DynamoDbVault, tokens: list[str], new_key: str) -> None:
    """The straightforward re-key: per item, read and decrypt it, encrypt it under the new key, put it."""
    clients = vault._clients
    config = DynamoDbVault(vault._table, new_key, clients, workstation="bench-till")._crypto()
    for token in tokens:
        one = vault.card(token)
        item = item_format.plaintext_item(token, one, workstation="bench-till", created_at=utc_now(),
                                          key_version=new_key)
        clients.dynamodb.put_item(TableName=vault._table, Item=item_format.encrypt(item, config))


def main() -> None:
    figures: dict[str, object] = {}
    with moto_server() as endpoint:
        kms = boto3.client("kms", region_name=REGION, endpoint_url=endpoint)
        old_key, new_key = (kms.create_key()["KeyMetadata"]["Arn"] for _ in range(2))
        rates, baseline = [], []
        for _ in range(ROUNDS):
            vault, tokens = filled_vault(endpoint, old_key)
            began = time.perf_counter()
            report = vault.rekey(new_key, lambda report: None)
            rates.append(REKEY_ITEMS / (time.perf_counter() - began))
            assert report.rekeyed == REKEY_ITEMS and report.done, report
            vault, tokens = filled_vault(endpoint, old_key)
            began = time.perf_counter()
            one_by_one(vault, tokens, new_key)
            baseline.append(REKEY_ITEMS / (time.perf_counter() - began))
        figures["rekey_items_per_s"] = round(statistics.median(rates), 1)
        figures["rekey_one_by_one_items_per_s"] = round(statistics.median(baseline), 1)
        figures["rekey_speedup_vs_one_by_one"] = round(statistics.median(rates) / statistics.median(baseline), 2)
    print_table([
        ("rekey (items/s)", f"{figures['rekey_items_per_s']}", ""),
        ("one by one, direct KMS (items/s)", f"{figures['rekey_one_by_one_items_per_s']}", ""),
        ("rekey / one by one", f"{figures['rekey_speedup_vs_one_by_one']}x", "goal ≥ 5"),
    ])
    print(f"results in {record(figures)}")


if __name__ == "__main__":
    main()
