"""Both till registries (DynamoDB in moto, in process; the local vault's database): registering,
revoking and listing keys, and two administrators at once losing nothing."""

import datetime
import threading

import pytest
from kit import NOW, DynamoDbPlace, dynamodb_vault, local_vault

from posapp.errors import ExitCode, describe
from posapp.vault import VaultError
from posapp.vault.sealing import key_id, new_till_key, public_der
from posapp.vault.till_registry import TillKeyRecord, TillNotRegistered, TrustedTillKeys, UntrustedSigner

LATER = NOW + datetime.timedelta(hours=2)


@pytest.fixture(params=["local", "dynamodb"])
def vault(request, tmp_path):
    if request.param == "local":
        return local_vault(tmp_path)
    return dynamodb_vault(DynamoDbPlace(request.getfixturevalue("key_arn")))[0]


def record(till_id="till-01", at=NOW):
    key = new_till_key().public_key()
    return TillKeyRecord(till_id, key_id(key), public_der(key), at)


def test_a_registered_key_is_kept_once_and_read_back(vault):
    registry = vault.till_registry()
    assert registry.keys_of("till-01") == [] and registry.tills() == []
    first = record()
    assert registry.register(first) is True
    assert registry.register(first) is False  # again: harmless
    assert vault.till_registry().keys_of("till-01") == [first]


def test_revoking_revokes_every_key_of_the_till_once(vault):
    registry = vault.till_registry()
    old, new, other = record(), record(at=NOW + datetime.timedelta(minutes=5)), record("till-02")
    for each in (new, other, old):
        registry.register(each)
    assert registry.keys_of("till-01") == [old, new]  # oldest first
    revoked = registry.revoke("till-01", LATER)
    assert sorted(each.key_id for each in revoked) == sorted([old.key_id, new.key_id])
    assert all(each.revoked_at == LATER for each in registry.keys_of("till-01"))
    assert registry.revoke("till-01", LATER + datetime.timedelta(hours=1)) == []  # all were already
    assert [each.revoked_at for each in registry.keys_of("till-01")] == [LATER, LATER]
    assert registry.keys_of("till-02") == [other]
    assert [(each.till_id, each.key_id) for each in registry.tills()] == [
        ("till-01", old.key_id), ("till-01", new.key_id), ("till-02", other.key_id)]


def test_a_revoked_key_is_never_registered_again_and_back_office_distrusts_it(vault):
    registry = vault.till_registry()
    key = record()
    registry.register(key)
    registry.revoke("till-01", LATER)
    with pytest.raises(VaultError) as refused:
        registry.register(key)
    assert describe(refused.value)[0] == (f"key {key.key_id} of till till-01 was revoked and is never trusted again: "
                                          f"register the till with a new key")
    with pytest.raises(UntrustedSigner, match="whose key was revoked"):
        TrustedTillKeys(registry)("till-01", key.key_id)
    fresh = record()
    assert registry.register(fresh) is True
    assert public_der(TrustedTillKeys(registry)("till-01", fresh.key_id)) == fresh.public_key


def test_revoking_an_unknown_till_says_so_and_changes_nothing(vault):
    registry = vault.till_registry()
    registry.register(record("till-02"))
    with pytest.raises(TillNotRegistered) as refused:
        registry.revoke("till-01", LATER)
    assert describe(refused.value) == ("till till-01 is not registered, so there is nothing to revoke: 'posapp till "
                                       "list' shows the registered tills", ExitCode.BAD_INPUT)
    assert [each.revoked_at for each in registry.tills()] == [None]


def test_registry_items_are_not_cards(vault):
    vault.till_registry().register(record())
    assert list(vault.entries()) == []


def at_once(*actions):
    start, results, errors = threading.Barrier(len(actions)), [], []

    def run(action):
        start.wait()
        try:
            results.append(action())
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


def test_two_administrators_registering_at_once_lose_neither_key(vault):
    keys = [record(), record(), record()]
    vault.till_registry().register(record("till-02"))
    results = at_once(*(lambda each=each: vault.till_registry().register(each) for each in keys))
    assert results == [True, True, True]
    assert sorted(each.key_id for each in vault.till_registry().keys_of("till-01")) == sorted(
        each.key_id for each in keys)


def test_the_same_key_registered_twice_at_once_is_kept_once(vault):
    key = record()
    assert sorted(at_once(*(lambda: vault.till_registry().register(key) for _ in range(3)))) == [False, False, True]
    assert vault.till_registry().keys_of("till-01") == [key]


def test_two_revocations_at_once_revoke_each_key_once(vault):
    keys = [record(), record()]
    for each in keys:
        vault.till_registry().register(each)
    results = at_once(*(lambda: vault.till_registry().revoke("till-01", LATER) for _ in range(2)))
    assert sorted(each.key_id for result in results for each in result) == sorted(each.key_id for each in keys)
