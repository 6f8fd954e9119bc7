"""Re-keying the DynamoDB vault (moto in process): under sales and reads, after a crash, past tampering."""

import collections
import datetime
import random
import threading
import time

import pytest
from awstest import create_kms_key
from cardgen import random_pan
from kit import DynamoDbPlace, card, dynamodb_vault

from posapp.errors import InvalidInput
from posapp.vault import dynamodb_rekey, item_format


class Killed(BaseException):
    """Stands for the process dying: nothing catches it on the way out."""


@pytest.fixture(params=["direct", "cached"])
def place(request, key_arn):
    return DynamoDbPlace(key_arn, request.param)


def on_key(place, key_arn, workstation="till-01", clients=None):
    """A vault object on ``place``'s table configured with ``key_arn`` (a till on that key)."""
    other = DynamoDbPlace(key_arn, place.materials, table=place.table)
    return other.vault(clients or other.clients(), workstation=workstation)


def card_puts(params):
    """The tokens of the card items a PutItem or TransactWriteItems puts (bookkeeping left out)."""
    items = [params["Item"]] if "Item" in params else [one["Put"]["Item"] for one in params["TransactItems"]]
    return [item["token"]["S"] for item in items if not item["token"]["S"].startswith("posapp:")]


def count_puts(clients):
    """Counts the puts of card items sent, by token."""
    puts = collections.Counter()

    def count(params, **_):
        puts.update(card_puts(params))

    for operation in ("PutItem", "TransactWriteItems"):
        clients.dynamodb.meta.events.register(f"before-parameter-build.dynamodb.{operation}", count)
    return puts


def test_rekey_while_tills_sell_and_read_leaves_every_card_under_the_new_key(place, key_arn, monkeypatch):
    monkeypatch.setattr(dynamodb_rekey, "PAGE_ITEMS", 10)  # several pages, several checkpoints
    vault, _ = dynamodb_vault(place)
    sold = {vault.tokenize(c): c for c in (card() for _ in range(40))}
    new_key = create_kms_key()
    old_till, new_till = on_key(place, key_arn, "till-old"), on_key(place, new_key, "till-new")
    stop_selling, rekey_done = threading.Event(), threading.Event()
    failures, reads = [], collections.Counter()

    lock = threading.Lock()

    def sell():  # a till still on the old key and one already on the new one
        while not stop_selling.is_set():
            for till in (old_till, new_till):
                one = card()
                token = till.tokenize(one)
                with lock:
                    sold[token] = one

    def read():
        while not rekey_done.is_set():
            with lock:
                token, expected = random.choice(list(sold.items()))
            for name, till in (("old", old_till), ("new", new_till)):
                try:
                    assert till.card(token) == expected
                    reads[name] += 1
                except Exception as error:  # noqa: BLE001 - every failure is what the test looks for
                    failures.append((name, token, repr(error)))
            # A pause between reads: moto answers one request at a time, and a reader that never
            # pauses starves the rekey (minutes instead of seconds) without reading any more truly.
            time.sleep(0.01)

    threads = [threading.Thread(target=sell), threading.Thread(target=read)]
    for thread in threads:
        thread.start()

    def progress(report):
        if not stop_selling.is_set():  # sales go on through the first page of the first pass
            stop_selling.set()
            threads[0].join()

    try:
        report = vault.rekey(new_key, progress)
    finally:
        stop_selling.set()
        rekey_done.set()
        for thread in threads:
            thread.join()
    assert failures == []
    assert reads["old"] > 0 and reads["new"] > 0
    assert report.done and report.tampered == [] and report.passes >= 2
    entries = list(vault.entries())
    assert {entry.token for entry in entries} == set(sold)
    expected_version = new_key if place.materials == "direct" else report.target
    assert {entry.key_version for entry in entries} == {expected_version}
    assert all(new_till.card(token) == one for token, one in sold.items())


def test_a_killed_rekey_resumes_and_puts_every_item_exactly_once(place, key_arn, monkeypatch):
    monkeypatch.setattr(dynamodb_rekey, "PAGE_ITEMS", 10)
    monkeypatch.setattr(dynamodb_rekey, "BATCH_ITEMS", 4)  # several transactions a page: it dies inside one
    vault, clients = dynamodb_vault(place)
    tokens = [vault.tokenize(card()) for _ in range(45)]
    new_key = create_kms_key()
    puts = count_puts(clients)
    event = "before-parameter-build.dynamodb.TransactWriteItems"

    def die_after_17(params, **_):  # no transaction is sent once 17 puts were
        if sum(puts.values()) >= 17:
            raise Killed()

    clients.dynamodb.meta.events.register_first(event, die_after_17)
    with pytest.raises(Killed):
        vault.rekey(new_key, lambda report: None)
    clients.dynamodb.meta.events.unregister(event, die_after_17)
    assert 17 <= sum(puts.values()) < len(tokens)

    resumed = on_key(place, key_arn, clients=clients)  # a new vault object (a new process), counted puts
    report = resumed.rekey(new_key, lambda report: None)
    assert report.resumed and report.done
    # counted across both runs: those put after the last checkpoint are found done on resuming
    assert report.rekeyed + report.already == len(tokens) and report.already < len(tokens)
    assert puts == {token: 1 for token in tokens}
    assert {entry.key_version for entry in vault.entries()} == {report.target}
    assert clients.dynamodb.get_item(TableName=place.table, Key=dynamodb_rekey.CHECKPOINT).get("Item") is None


def test_a_tampered_item_is_reported_and_left_as_it_was(key_arn):
    place = DynamoDbPlace(key_arn)
    vault, clients = dynamodb_vault(place)
    tokens = [vault.tokenize(card()) for _ in range(5)]
    raw = clients.dynamodb.get_item(TableName=place.table, Key={"token": {"S": tokens[2]}})["Item"]
    forged = {**raw, "last4": {"S": "0000"}}
    clients.dynamodb.put_item(TableName=place.table, Item=forged)
    new_key = create_kms_key()

    report = vault.rekey(new_key, lambda report: None)

    assert report.tampered == [tokens[2]] and report.rekeyed == 4 and report.done
    assert clients.dynamodb.get_item(TableName=place.table, Key={"token": {"S": tokens[2]}})["Item"] == forged


@pytest.mark.parametrize("deleted", [slice(0, 1), slice(2, 4), slice(-1, None), slice(None)],
                         ids=["first", "two-inside", "last", "whole-batch"])
def test_items_deleted_inside_a_batch_stay_deleted_and_the_rest_is_rekeyed(key_arn, monkeypatch, deleted):
    monkeypatch.setattr(dynamodb_rekey, "BATCH_ITEMS", 5)
    place = DynamoDbPlace(key_arn)
    vault, clients = dynamodb_vault(place)
    sold = {vault.tokenize(c): c for c in (card() for _ in range(12))}
    new_key = create_kms_key()
    gone = []

    def delete_inside_first_batch(params, **_):  # compensations land between the rekey's read and its write
        if not gone:
            gone.extend(card_puts(params)[deleted])
            for token in gone:
                clients.dynamodb.delete_item(TableName=place.table, Key={"token": {"S": token}})

    clients.dynamodb.meta.events.register("before-parameter-build.dynamodb.TransactWriteItems",
                                          delete_inside_first_batch)
    report = vault.rekey(new_key, lambda report: None)

    assert (report.rekeyed, report.gone) == (len(sold) - len(gone), len(gone)) and report.done
    entries = list(vault.entries())
    assert sorted(entry.token for entry in entries) == sorted(set(sold) - set(gone))
    assert {entry.key_version for entry in entries} == {new_key}
    new_till = on_key(place, new_key, "till-new")
    assert all(new_till.card(token) == one for token, one in sold.items() if token not in gone)


def test_new_items_name_their_key_version(place, key_arn):
    vault, clients = dynamodb_vault(place)
    token = vault.tokenize(card())
    raw = clients.dynamodb.get_item(TableName=place.table, Key={"token": {"S": token}})["Item"]
    expected = key_arn if place.materials == "direct" else f"{place.table}#0"
    assert item_format.key_version(raw) == expected
    assert [entry.key_version for entry in vault.entries()] == [expected]


def test_rotate_materials_makes_a_new_version_and_old_items_still_read(key_arn):
    place = DynamoDbPlace(key_arn, "cached")
    vault, _ = dynamodb_vault(place)
    before = {vault.tokenize(c): c for c in (card() for _ in range(3))}

    assert vault.rotate_materials() == f"{place.table}#1"

    till = on_key(place, key_arn)  # a till started after the rotation takes the new version
    one = card()
    token = till.tokenize(one)
    assert {entry.token: entry.key_version for entry in till.entries()}[token] == f"{place.table}#1"
    assert all(till.card(t) == c for t, c in {**before, token: one}.items())
    assert all(vault.card(t) == c for t, c in {**before, token: one}.items())


def test_rekey_keeps_every_other_attribute_of_an_item(key_arn):
    place = DynamoDbPlace(key_arn)
    vault, clients = dynamodb_vault(place)
    expires = datetime.datetime(2027, 12, 1, tzinfo=datetime.timezone.utc)
    token = vault.tokenize(card(), orders_seen=41, expires_at=expires)
    before = clients.dynamodb.get_item(TableName=place.table, Key={"token": {"S": token}})["Item"]

    vault.rekey(create_kms_key(), lambda report: None)

    after = clients.dynamodb.get_item(TableName=place.table, Key={"token": {"S": token}})["Item"]
    kept = ("brand", "last4", "exp_month", "exp_year", "created_at", "workstation", "origin", "orders_seen",
            "expires_at")
    assert {name: after[name] for name in kept} == {name: before[name] for name in kept}
    assert vault.entries().__next__().expires_at == expires


@pytest.mark.parametrize("to_key", [None, "", "alias/posapp", "arn:aws:kms:us-east-1:123456789012:alias/posapp"])
def test_a_rekey_needs_a_kms_key_arn(key_arn, to_key):
    vault, _ = dynamodb_vault(DynamoDbPlace(key_arn))
    with pytest.raises(InvalidInput):
        vault.rekey(to_key, lambda report: None)


def test_a_card_number_given_as_the_new_key_is_not_repeated(key_arn):
    vault, _ = dynamodb_vault(DynamoDbPlace(key_arn))
    number = random_pan("4", 16)
    with pytest.raises(InvalidInput) as refused:
        vault.rekey(number, lambda report: None)
    assert number[-8:] not in str(refused.value)


def test_a_cached_rekey_run_again_moves_only_what_tills_stored_meanwhile(key_arn):
    place = DynamoDbPlace(key_arn, "cached")
    vault, _ = dynamodb_vault(place)
    for _ in range(3):
        vault.tokenize(card())
    new_key = create_kms_key()
    first = vault.rekey(new_key, lambda report: None)
    vault.tokenize(card())  # a till still on its cached version of the old key

    again = vault.rekey(new_key, lambda report: None)  # step 4 of the README, after tills moved

    assert (again.target, again.rekeyed, again.already) == (first.target, 1, 3)
    vault.rotate_materials()  # a newer version, wrapped by the configured key: the next rekey makes its own
    assert vault.rekey(new_key, lambda report: None).target != first.target


@pytest.mark.parametrize("shape", ["arn:aws:kms:us-east-1:{pan}:key/1", "arn:aws:kms:us-east-1:123456789012:key/{pan}",
                                   "arn:aws:kms:eu-west-1:{pan}:key/1", "{pan}"])
def test_a_card_number_inside_the_new_key_arn_is_never_repeated(key_arn, shape):
    vault, _ = dynamodb_vault(DynamoDbPlace(key_arn))
    number = random_pan("4", 16)
    with pytest.raises(InvalidInput) as refused:
        vault.rekey(shape.format(pan=number), lambda report: None)
    assert number[-8:] not in str(refused.value)
