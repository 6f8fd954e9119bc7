"""Re-keying the local vault: new keys, every card readable throughout, the audit key kept, crash-safe."""

import collections
import json
import sqlite3
import threading

import pytest
from kit import CASHIER, card, local_vault, sell

from posapp import secrets
from posapp.vault import local_keys, local_rekey


class Killed(BaseException):
    """Stands for the process dying: nothing catches it on the way out."""


@pytest.fixture(params=["key file", "keyring"])
def keys_kept_in(request, monkeypatch):
    persistent = secrets._PERSISTENT_MODULES | {"conftest"} if request.param == "keyring" else frozenset()
    monkeypatch.setattr(secrets, "_PERSISTENT_MODULES", persistent)
    return request.param


def stored_keys(vault):
    """The keys as stored now (key file or keyring), as a new process would load them."""
    with sqlite3.connect(vault.db_path) as db:
        vault_id = db.execute("SELECT value FROM vault_meta WHERE key = 'vault_id'").fetchone()[0]
    return local_keys.load(vault_id, vault._key_file)[0]


def versions(vault):
    with sqlite3.connect(vault.db_path) as db:
        return collections.Counter(json.loads(item).get("key_version", {}).get("S")
                                   for (item,) in db.execute("SELECT item FROM vault_items"))


def count_reencryptions(monkeypatch):
    done = collections.Counter()
    real = local_rekey.reencrypt

    def counting(token, *args):
        new = real(token, *args)
        done[token] += 1
        return new

    monkeypatch.setattr(local_rekey, "reencrypt", counting)
    return done


def test_rekey_replaces_the_keys_and_keeps_cards_and_the_audit_journal(services, keys_kept_in):
    orders = [sell(services) for _ in range(7)]
    cards = {order.token: services.vault.card(order.token) for order in orders}
    before = stored_keys(services.vault)
    audit_key = services.vault.audit_key()

    report = services.vault.rekey(None, lambda report: None)

    assert (report.rekeyed, report.target, report.done, report.tampered) == (7, "local-2", True, [])
    after = stored_keys(services.vault)
    assert after.version == 2 and after.previous == ()  # the old keys are gone once no item needs them
    assert {after.wrapping, after.signing}.isdisjoint({before.wrapping, before.signing})
    assert versions(services.vault) == {"local-2": 7}
    fresh = local_vault(services.vault.db_path.parent)  # a new process: opens (fingerprint checked) and reads
    assert {token: fresh.card(token) for token in cards} == cards
    assert fresh.audit_key() == audit_key
    sell(services)  # the journal goes on with the same key
    assert all(chain.whole for chain in services.verify_journal())


def test_a_process_started_before_the_rekey_stores_and_reads_under_the_new_keys(tmp_path):
    early, admin = local_vault(tmp_path), local_vault(tmp_path)
    token = early.tokenize(card())  # keys loaded before the rekey
    admin.rekey(None, lambda report: None)

    later = early.tokenize(card())
    assert versions(admin) == {"local-2": 2}
    assert early.card(token) == admin.card(token) and early.card(later) == admin.card(later)


def test_a_rekey_killed_between_batches_resumes_and_reencrypts_each_item_once(tmp_path, monkeypatch):
    monkeypatch.setattr(local_rekey, "BATCH", 4)
    vault = local_vault(tmp_path)
    cards = {}
    for _ in range(10):
        one = card()
        cards[vault.tokenize(one)] = one
    done = count_reencryptions(monkeypatch)

    def die(report):
        if report.rekeyed >= 4:
            raise Killed()

    with pytest.raises(Killed):
        vault.rekey(None, die)
    survivor = local_vault(tmp_path)  # a new process after the crash: every card reads, sales go on
    assert {token: survivor.card(token) for token in cards} == cards
    assert versions(survivor) == {"local-2": 4, "local-1": 6}
    one = card()
    cards[survivor.tokenize(one)] = one

    report = survivor.rekey(None, lambda report: None)

    assert report.resumed and report.done and report.target == "local-2"
    assert done == {token: 1 for token in cards if token in done} and len(done) == 10  # the new sale was local-2
    assert versions(survivor) == {"local-2": 11}
    assert stored_keys(survivor).previous == ()
    assert {token: local_vault(tmp_path).card(token) for token in cards} == cards


def test_a_rekey_killed_right_after_saving_its_keys_carries_on_with_them(tmp_path, monkeypatch):
    vault = local_vault(tmp_path)
    cards = {vault.tokenize(c): c for c in (card() for _ in range(3))}
    real_save = local_keys.save

    def save_then_die(*args):
        real_save(*args)
        raise Killed()

    monkeypatch.setattr(local_keys, "save", save_then_die)
    with pytest.raises(Killed):
        vault.rekey(None, lambda report: None)
    monkeypatch.setattr(local_keys, "save", real_save)
    saved = stored_keys(vault)
    assert saved.version == 2 and len(saved.previous) == 1

    survivor = local_vault(tmp_path)  # vault.db still names the old keys: they are kept beside the new
    assert {token: survivor.card(token) for token in cards} == cards
    report = survivor.rekey(None, lambda report: None)

    assert report.target == "local-2" and report.done  # the saved keys, not a third set
    assert stored_keys(survivor).version == 2 and stored_keys(survivor).previous == ()
    assert {token: local_vault(tmp_path).card(token) for token in cards} == cards


def test_a_tampered_item_is_reported_and_its_old_keys_kept(tmp_path):
    vault = local_vault(tmp_path)
    tokens = [vault.tokenize(card()) for _ in range(3)]
    with sqlite3.connect(vault.db_path) as db:
        item = json.loads(db.execute("SELECT item FROM vault_items WHERE token = ?", (tokens[1],)).fetchone()[0])
        item["last4"] = {"S": "0000"}
        db.execute("UPDATE vault_items SET item = ? WHERE token = ?", (json.dumps(item), tokens[1]))

    report = vault.rekey(None, lambda report: None)

    assert report.tampered == [tokens[1]] and report.rekeyed == 2
    assert len(stored_keys(vault).previous) == 1  # kept while an item is under them
    assert local_vault(tmp_path).card(tokens[0])


def test_orders_of_a_local_till_keep_their_cards_after_a_rekey(services):
    order = sell(services.checkout(CASHIER))
    services.vault.rekey(None, lambda report: None)
    assert services.vault.card(order.token).pan.last4 == order.card_last4


def test_two_rekeys_at_once_share_one_set_of_new_keys(tmp_path):
    first = local_vault(tmp_path)
    cards = {first.tokenize(c): c for c in (card() for _ in range(30))}
    second = local_vault(tmp_path)
    second.card(next(iter(cards)))  # both hold the first keys before either starts
    reports = []
    threads = [threading.Thread(target=lambda vault=vault: reports.append(vault.rekey(None, lambda report: None)))
               for vault in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Overlapping, the second carries on with the first's keys; one after the other, it makes its own.
    last = max(report.target for report in reports)
    assert {report.target for report in reports} in ({"local-2"}, {"local-2", "local-3"})
    assert versions(first) == {last: 30} and stored_keys(first).key_version == last
    assert stored_keys(first).previous == ()
    assert {token: local_vault(tmp_path).card(token) for token in cards} == cards
