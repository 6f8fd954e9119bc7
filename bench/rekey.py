"""Re-keying the DynamoDB vault (direct KMS materials) in a moto server.

- rekey_items_per_s: items re-keyed per second by ``DynamoDbVault.rekey`` (scanned pages, a
  thread pool for the KMS and crypto work, conditional puts, the new item checked with the
  materials that made it), every item verified before it is replaced.
- rekey_speedup_vs_one_by_one: that rate over a straightforward loop on the same number of
  items of another table: GetItem and decrypt (``vault.card``), encrypt under the new key, PutItem.
Both start from REKEY_ITEMS cards stored with direct materials; medians of ROUNDS.
- rekey_speedup_with_latency: the same ratio with LATENCY_MS added to every AWS request (a
  sleep before each is sent, in the calling thread), as a network between a till and AWS adds:
  against a local moto server every call costs CPU on this machine instead, which threads cannot
  overlap, so the first ratio is bounded by the calls per item (4 one by one; 2 KMS calls and a
  share of a scan page when re-keying).
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
REKEY_ITEMS, LATENCY_ITEMS, ROUNDS = 300, 150, 2
LATENCY_MS = 5
RNG = random.Random(2026)


def card() -> Card:
    body = "4" + "".join(RNG.choice("0123456789") for _ in range(14))
    return Card(Pan.parse(body + luhn.check_digit(body)), Expiry(12, 2039))


def filled_vault(endpoint: str, key_arn: str, items: int) -> tuple[DynamoDbVault, list[str]]:
    clients = AwsClients.connect(region=REGION, kms_key_id=key_arn, endpoint_url=endpoint)
    vault = DynamoDbVault(f"bench-{uuid.uuid4().hex[:8]}", key_arn, clients, workstation="bench-till")
    vault.provision()
    return vault, vault.tokenize_many([card() for _ in range(items)], "bench")


def add_latency(vault: DynamoDbVault) -> None:
    for client in (vault._clients.dynamodb, vault._clients.kms):
        client.meta.events.register("before-send", lambda **_: time.sleep(LATENCY_MS / 1000))


def rates(endpoint: str, old_key: str, new_key: str, items: int, latency: bool) -> tuple[float, float]:
    """Items per second re-keyed by ``rekey`` and one by one: medians of ROUNDS, interleaved."""
    rekeyed, baseline = [], []
    for _ in range(ROUNDS):
        for way, samples in ((lambda vault, tokens: vault.rekey(new_key, lambda report: None), rekeyed),
                             (lambda vault, tokens: one_by_one(vault, tokens, new_key), baseline)):
            vault, tokens = filled_vault(endpoint, old_key, items)
            if latency:
                add_latency(vault)
            began = time.perf_counter()
            way(vault, tokens)
            samples.append(items / (time.perf_counter() - began))
            assert {entry.key_version for entry in vault.entries()} == {new_key}
    return statistics.median(rekeyed), statistics.median(baseline)


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
        rekeyed, baseline = rates(endpoint, old_key, new_key, REKEY_ITEMS, latency=False)
        figures["rekey_items_per_s"] = round(rekeyed, 1)
        figures["rekey_one_by_one_items_per_s"] = round(baseline, 1)
        figures["rekey_speedup_vs_one_by_one"] = round(rekeyed / baseline, 2)
        rekeyed, baseline = rates(endpoint, old_key, new_key, LATENCY_ITEMS, latency=True)
        figures["rekey_speedup_with_latency"] = round(rekeyed / baseline, 2)
    print_table([
        ("rekey (items/s)", f"{figures['rekey_items_per_s']}", ""),
        ("one by one, direct KMS (items/s)", f"{figures['rekey_one_by_one_items_per_s']}", ""),
        ("rekey / one by one", f"{figures['rekey_speedup_vs_one_by_one']}x", "goal ≥ 5"),
        (f"rekey / one by one, {LATENCY_MS} ms per request", f"{figures['rekey_speedup_with_latency']}x", ""),
    ])
    print(f"results in {record(figures)}")


if __name__ == "__main__":
    main()
