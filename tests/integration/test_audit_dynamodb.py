"""The audit key and anchors in the DynamoDB vault table (KMS and DynamoDB in moto, in process):
one key for every till, refused when changed, anchors that only move forward."""

import datetime

import pytest
from kit import NOW, DynamoDbPlace, dynamodb_vault

from posapp.audit.chain import KEY_BYTES, Anchor
from posapp.vault import VaultError

KEY_ITEM = {"token": {"S": "posapp:audit-key"}}


@pytest.fixture
def place(key_arn):
    return DynamoDbPlace(key_arn)


def test_the_audit_key_is_made_once_and_shared_by_every_till(place):
    vault, clients = dynamodb_vault(place, workstation="till-01")
    other = place.vault(place.clients(), workstation="till-02")  # another till, its own clients
    key = other.audit_key()
    assert len(key) == KEY_BYTES
    assert vault.audit_key() == key
    assert place.vault(place.clients(), workstation="back-office").audit_key() == key
    item = clients.dynamodb.get_item(TableName=place.table, Key=KEY_ITEM)["Item"]
    assert key not in item["wrapped"]["B"]  # only KMS's ciphertext is stored


def test_provision_makes_the_audit_key(place):
    vault, clients = dynamodb_vault(place)
    item = clients.dynamodb.get_item(TableName=place.table, Key=KEY_ITEM)["Item"]
    vault.provision()  # again: the key is kept
    assert clients.dynamodb.get_item(TableName=place.table, Key=KEY_ITEM)["Item"] == item


def test_two_tills_asking_first_at_once_get_one_key(place):
    import threading

    _, clients = dynamodb_vault(place)
    clients.dynamodb.delete_item(TableName=place.table, Key=KEY_ITEM)  # a vault provisioned before provision made it
    tills = [place.vault(place.clients(), workstation=f"till-0{n}") for n in range(1, 5)]
    keys, start = [], threading.Barrier(len(tills))

    def ask(till):
        start.wait()
        keys.append(till.audit_key())

    threads = [threading.Thread(target=ask, args=(till,)) for till in tills]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(keys) == len(tills) and len(set(keys)) == 1


def test_a_changed_wrapped_key_is_refused(place):
    vault, clients = dynamodb_vault(place)
    vault.audit_key()
    item = clients.dynamodb.get_item(TableName=place.table, Key=KEY_ITEM)["Item"]
    blob = bytearray(item["wrapped"]["B"])
    blob[-1] ^= 1
    clients.dynamodb.put_item(TableName=place.table, Item={**item, "wrapped": {"B": bytes(blob)}})
    fresh = place.vault(place.clients(), workstation="till-09")
    with pytest.raises(VaultError, match=f"the audit key in vault table {place.table} was changed"):
        fresh.audit_key()


def test_a_key_moved_from_another_table_is_refused(key_arn):
    first, second = DynamoDbPlace(key_arn), DynamoDbPlace(key_arn)
    vault, clients = dynamodb_vault(first)
    vault.audit_key()
    dynamodb_vault(second)
    item = clients.dynamodb.get_item(TableName=first.table, Key=KEY_ITEM)["Item"]
    clients.dynamodb.put_item(TableName=second.table, Item=item)  # bound to its table by the KMS context
    with pytest.raises(VaultError, match="was changed or does not belong"):
        second.vault(second.clients(), workstation="till-01").audit_key()


def anchor(seq, workstation="till-01"):
    return Anchor(workstation, seq, f"{seq:064x}", NOW + datetime.timedelta(minutes=seq))


def test_anchors_only_move_forward_per_workstation(place):
    vault, _ = dynamodb_vault(place)
    other = place.vault(place.clients(), workstation="till-09")
    assert vault.anchors() == {}
    vault.record_anchor(anchor(100))
    other.record_anchor(anchor(40))  # a late till's older anchor never moves it back
    vault.record_anchor(anchor(100))
    vault.record_anchor(anchor(7, "till-02"))
    assert other.anchors() == {"till-01": anchor(100), "till-02": anchor(7, "till-02")}
    other.record_anchor(anchor(200))
    assert vault.anchors()["till-01"] == anchor(200)


def test_the_audit_items_are_no_card_items(place):
    vault, _ = dynamodb_vault(place)
    vault.audit_key()
    vault.record_anchor(anchor(1))
    assert list(vault.entries()) == []
