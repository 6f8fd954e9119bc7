"""Back office's choice of key for a sealed item: the key registered for the till it names, never
one that is unknown, of another till, or revoked."""

import datetime

import pytest

from posapp.vault.sealing import UntrustedSigner, key_id, new_till_key, public_der
from posapp.vault.till_registry import TillKeyRecord, TrustedTillKeys

NOW = datetime.datetime(2026, 11, 29, 12, 0, tzinfo=datetime.timezone.utc)


class Registry:
    """The registry's read side over a list of records, counting its reads."""

    def __init__(self, *records):
        self.records, self.reads = list(records), 0

    def keys_of(self, till_id):
        self.reads += 1
        return [each for each in self.records if each.till_id == till_id]


def record(till_id, key, revoked_at=None):
    return TillKeyRecord(till_id, key_id(key.public_key()), public_der(key.public_key()), NOW, revoked_at)


def test_a_registered_key_verifies_the_items_of_its_till_and_is_read_once():
    key = new_till_key()
    registry = Registry(record("till-01", key))
    trusted = TrustedTillKeys(registry)
    for _ in range(3):
        assert public_der(trusted("till-01", key_id(key.public_key()))) == public_der(key.public_key())
    assert registry.reads == 1


def test_an_unknown_till_is_untrusted_by_name():
    with pytest.raises(UntrustedSigner) as refused:
        TrustedTillKeys(Registry())("till-09", "sha256:" + "0" * 32)
    assert refused.value.reason == "signed by till till-09, which is not registered"


def test_a_key_the_till_never_registered_or_another_tills_key_is_untrusted():
    mine, other = new_till_key(), new_till_key()
    trusted = TrustedTillKeys(Registry(record("till-01", mine), record("till-02", other)))
    for stranger in (new_till_key(), other):
        with pytest.raises(UntrustedSigner) as refused:
            trusted("till-01", key_id(stranger.public_key()))
        assert refused.value.reason == "signed by a key that till till-01 never registered"


def test_a_revoked_key_is_untrusted_whatever_the_items_date_but_the_tills_new_key_is():
    old, new = new_till_key(), new_till_key()
    revoked = NOW + datetime.timedelta(hours=1)
    trusted = TrustedTillKeys(Registry(record("till-01", old, revoked), record("till-01", new)))
    with pytest.raises(UntrustedSigner) as refused:
        trusted("till-01", key_id(old.public_key()))
    assert refused.value.reason == "signed by till till-01, whose key was revoked 2026-11-29 13:00 UTC"
    assert public_der(trusted("till-01", key_id(new.public_key()))) == public_der(new.public_key())


def test_an_unreadable_registered_key_is_untrusted():
    key = new_till_key()
    damaged = TillKeyRecord("till-01", key_id(key.public_key()), b"not a key", NOW)
    with pytest.raises(UntrustedSigner) as refused:
        TrustedTillKeys(Registry(damaged))("till-01", damaged.key_id)
    assert refused.value.reason == "till till-01's registered key is unreadable"
