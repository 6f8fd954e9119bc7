"""Re-keying the DynamoDB vault (direct KMS materials) in a moto server, against re-keying one by one.

- rekey_items_per_s: items re-keyed per second by ``DynamoDbVault.rekey`` (scanned pages read
  ahead, a thread pool for the KMS and crypto work, conditional puts in TransactWriteItems),
  every item verified before it is replaced, with LATENCY_MS added to every AWS request.
- rekey_direct_single_items_per_s: the straightforward loop on as many items of another table
  in the same server, same latency: per item GetItem and decrypt (``vault.card``), encrypt
  under the new key, a PutItem on the condition that the item is still there.
- rekey_speedup_vs_direct_single: the first over the second (the goal, ≥ 5).
- rekey_speedup_no_latency (and both rates ``_no_latency``): the same with no added latency.
Each rate starts from cards stored with direct materials; medians of ROUNDS, interleaved.

LATENCY_MS is slept before each request is sent, in the calling thread, as a network between
a till or back office and an AWS region adds: a round trip from a shop's line to the nearest
region is 10 ms or more (and KMS and DynamoDB take some ms of their own to answer), so 10 ms
is the low end. Without it, every call costs CPU of this machine in the moto server (KMS
work included), which threads cannot overlap on 2 CPUs: the ratio then is bounded by the CPU
a call costs moto, and a checked rekey still makes 2 KMS calls a card against the loop's 4
calls. The server is moto_once.py's (TransactWriteItems without moto's per-item copy of the
whole table; see there).
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
LATENCY_MS = 10
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
    """The straightforward re-key: per item, read and decrypt it, encrypt it under the new key, put
    it where it still is (a deleted item stays deleted)."""
    clients = vault._clients
    config = DynamoDbVault(vault._table, new_key, clients, workstation="bench-till")._crypto()
    for token in tokens:
        one = vault.card(token)
        item = item_format.plaintext_item(token, one, workstation="bench-till", created_at=utc_now(),
                                          key_version=new_key)
        clients.dynamodb.put_item(TableName=vault._table, Item=item_format.encrypt(item, config),
                                  ConditionExpression="attribute_exists(#t)",
                                  ExpressionAttributeNames={"#t": item_format.PARTITION_KEY})


def main() -> None:
    figures: dict[str, object] = {"rekey_latency_ms": LATENCY_MS}
    with moto_server() as endpoint:
        kms = boto3.client("kms", region_name=REGION, endpoint_url=endpoint)
        old_key, new_key = (kms.create_key()["KeyMetadata"]["Arn"] for _ in range(2))
        for suffix, items, latency in (("_no_latency", REKEY_ITEMS, False), ("", LATENCY_ITEMS, True)):
            rekeyed, baseline = rates(endpoint, old_key, new_key, items, latency)
            figures[f"rekey_items_per_s{suffix}"] = round(rekeyed, 1)
            figures[f"rekey_direct_single_items_per_s{suffix}"] = round(baseline, 1)
        figures["rekey_speedup_vs_direct_single"] = round(
            figures["rekey_items_per_s"] / figures["rekey_direct_single_items_per_s"], 2)
        figures["rekey_speedup_no_latency"] = round(
            figures["rekey_items_per_s_no_latency"] / figures["rekey_direct_single_items_per_s_no_latency"], 2)
    print_table([
        (f"rekey, {LATENCY_MS} ms per request (items/s)", f"{figures['rekey_items_per_s']}", ""),
        (f"one by one, direct KMS, {LATENCY_MS} ms per request (items/s)",
         f"{figures['rekey_direct_single_items_per_s']}", ""),
        (f"rekey / one by one, {LATENCY_MS} ms per request", f"{figures['rekey_speedup_vs_direct_single']}x",
         "goal ≥ 5"),
        ("rekey / one by one, no added latency", f"{figures['rekey_speedup_no_latency']}x",
         f"{figures['rekey_items_per_s_no_latency']} vs {figures['rekey_direct_single_items_per_s_no_latency']}"
         " items/s"),
    ])
    print(f"results in {record(figures)}")


if __name__ == "__main__":
    main()
