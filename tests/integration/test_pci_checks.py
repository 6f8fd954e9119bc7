"""Each check of ``posapp doctor --pci`` on a local till: what passes, warns and fails."""

import dataclasses
import sqlite3

import pytest
from cardgen import random_pan
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kit import NOW, sell
from pan_forms import pans, written

from posapp import app, config, pci
from posapp.access import credentials
from posapp.audit.chain import Event
from posapp.config import AccessSettings
from posapp.orders.operators import OperatorRecord
from posapp.pan_detect import find_pans
from posapp.pci.base import Status


def findings(services) -> dict[str, pci.Finding]:
    return {finding.requirement: finding for finding in pci.run(services)}


def check(services, requirement: str) -> tuple[Status, str]:
    [(name, how)] = [(name, how) for number, name, how in pci.CHECKS if number == requirement]
    return how(services)


def with_settings(**sections):
    """A till's services with ``sections`` of its settings replaced, unchecked."""
    return app.build(dataclasses.replace(config.load(), **sections))


@pytest.fixture
def till(services):
    sell(services)
    return services


def test_a_clean_local_till_fails_nothing(till):
    found = findings(till)
    assert list(found) == [number for number, _, _ in pci.CHECKS]
    assert {finding.status for finding in found.values()} <= {Status.PASS, Status.WARN}
    assert found["3.7.4"].evidence == "local keys: rotate with 'posapp vault rekey'"


def test_a_sealed_local_vault_is_told_that_its_back_office_key_does_not_rotate(posapp_home):
    sealed = with_settings(vault=dataclasses.replace(config.load().vault, materials=config.Materials.SEALED))
    assert check(sealed, "3.7.4") == (Status.WARN, "sealed materials on a local vault: posapp does not rotate its "
                                                   "back office key; move the cards to the DynamoDB vault to rotate keys")


def test_a_sealed_local_till_names_every_key_file_it_holds(posapp_home):
    from posapp import till_registration

    sealed = with_settings(vault=dataclasses.replace(config.load().vault, materials=config.Materials.SEALED))
    paths = config.load().paths
    till_registration.register(sealed.vault, config.load().workstation.id, paths.till_key_file, audit_key=None,
                               clock=lambda: NOW)
    sell(sealed)
    status, evidence = check(sealed, "3.6.1.2")
    assert status is Status.WARN and evidence.endswith("whoever can read this user's files can read the cards")
    for path in (paths.local_key_file, paths.back_office_key_file, paths.till_key_file):
        assert str(path) in evidence
    paths.back_office_key_file.chmod(0o640)
    assert check(sealed, "3.6.1.2") == (Status.FAIL, f"the back office key file {paths.back_office_key_file} may be "
                                                     "read by others (mode 0640): chmod 600 it")


def test_the_key_file_warns_and_fails_when_others_may_read_it(till, posapp_home):
    status, evidence = check(till, "3.6.1.2")
    key_file = posapp_home / "data" / "keys" / "local-vault.key"
    assert status is Status.WARN and str(key_file) in evidence
    key_file.chmod(0o644)
    assert check(till, "3.6.1.2") == (Status.FAIL, f"the local vault's key file {key_file} may be read by others "
                                                   "(mode 0644): chmod 600 it")


def test_keys_in_the_system_keyring_pass(posapp_home, keyring_counts_as_persistent):
    services = app.build(config.load())
    assert check(services, "3.6.1.2") == (Status.PASS, "the local vault's keys are in the system keyring")


def test_an_idle_lock_longer_than_15_minutes_fails(till):
    assert check(till, "8.2.8")[0] is Status.PASS
    lax = with_settings(access=AccessSettings(idle_lock_minutes=30))
    assert check(lax, "8.2.8") == (Status.FAIL, "[access] idle_lock_minutes = 30: an idle window must lock within "
                                                "15 minutes")


@pytest.mark.parametrize(("url", "ca", "status"), [
    ("mysql+pymysql://pos@db.shop.example:3306/pos", False, Status.FAIL),
    ("mysql+pymysql://pos@10.0.0.5:3306/pos", False, Status.FAIL),
    ("mysql+pymysql://pos@db.shop.example:3306/pos", True, Status.PASS),
    ("mysql+pymysql://pos@127.0.0.1:3306/pos", False, Status.PASS),
    ("mysql+pymysql://pos@localhost/pos", False, Status.PASS),
])
def test_a_mysql_server_over_the_network_needs_tls_checked_against_a_ca(services, tmp_path, url, ca, status):
    bundle = tmp_path / "ca.pem"
    bundle.write_text("a CA bundle\n")
    orders = config.OrdersSettings(url=url, ssl_ca=str(bundle) if ca else None)
    found, evidence = check(with_settings(orders=orders), "4.2.1")
    assert found is status, evidence
    if status is Status.FAIL:
        assert "set [orders] ssl_ca" in evidence


def add_operator(services, login: str, role: str, secret_hash: str, *, disabled: bool = False):
    record = OperatorRecord(login=login, name=login, role=role, secret_hash=secret_hash, disabled=disabled,
                            created_at=NOW)
    services.orders.operators.add(record, Event("operator-add", "ok", None, login, {"role": role}))


def test_operators_with_guessable_or_foreign_secrets_fail_and_good_ones_pass(till):
    add_operator(till, "boss", "admin", credentials.hash_secret("a long 2026 owner secret"))
    add_operator(till, "ann", "cashier", credentials.hash_secret("730519"))
    status, evidence = check(till, "8.3.6")
    assert status is Status.PASS and evidence.startswith("2 operators can sign in;")
    add_operator(till, "bob", "cashier", credentials.hash_secret("123456"))  # allowed before guessable PINs were refused
    add_operator(till, "eve", "supervisor", credentials.hash_secret("eve"))
    add_operator(till, "old", "cashier", "5f4dcc3b5aa765d61d8327deb882cf99")  # another program's hash
    add_operator(till, "gone", "cashier", credentials.hash_secret("000000"), disabled=True)  # cannot sign in
    assert check(till, "8.3.6") == (Status.FAIL, "operators with a default or guessable secret: "
                                                 "bob (a PIN people try first: reset it), "
                                                 "eve (a password people try first: reset it), "
                                                 "old (a secret not set by posapp: reset it)")


def test_a_changed_journal_entry_fails(till, posapp_home):
    status, evidence = check(till, "10.3.2")
    assert (status, evidence) == (Status.PASS, "1 chain, 1 entry verified")
    with sqlite3.connect(posapp_home / "data" / "orders.db") as db:
        db.execute("UPDATE posapp_journal SET outcome = 'failed' WHERE seq = 1")
    assert check(till, "10.3.2") == (Status.FAIL, f"the journal of {till.workstation} is broken at entry 1: "
                                                  "entry 1 was changed")


def test_a_database_file_is_searched_value_by_value(till, posapp_home):
    # Side by side in the file, "fingerprint" and the hex value after it would read as a card number.
    number = random_pan("4", 16)
    with sqlite3.connect(posapp_home / "data" / "other.db") as db:
        db.execute("CREATE TABLE meta (name TEXT, value TEXT)")
        db.execute("INSERT INTO meta VALUES ('fingerprint', ?)", ("4111111111111111" + "abcdef" * 4,))
        db.commit()
        assert check(till, "12.5.2")[0] is Status.PASS
        db.execute("INSERT INTO meta VALUES ('note', ?)", (f"card {number}",))
    assert check(till, "12.5.2") == (
        Status.FAIL, f"1 card number found: {posapp_home / 'data' / 'other.db'}: meta.value row 2 (•••• {number[-4:]})")


def test_every_text_column_of_every_table_is_searched_with_its_row(till, posapp_home):
    first, second = random_pan("4", 16), random_pan("6", 16)
    with sqlite3.connect(posapp_home / "data" / "orders.db") as db:
        db.execute("CREATE TABLE notes (body TEXT)")  # no primary key: rows are counted
        db.executemany("INSERT INTO notes VALUES (?)", [("nothing",), (f"card {first}",)])
        db.execute("CREATE TABLE extras (till TEXT, day TEXT, memo VARCHAR(80), PRIMARY KEY (till, day))")
        db.executemany("INSERT INTO extras VALUES (?, ?, ?)", [("t1", "d1", "-"), ("t1", "d2", second)])
    status, evidence = check(till, "12.5.2")
    assert (status, evidence) == (Status.FAIL, f"2 card numbers found: extras.memo row t1, d2 (•••• {second[-4:]}); "
                                               f"notes.body row 2 (•••• {first[-4:]})")
    # Read a row at a time, by the composite key: every row once, in order.
    memos = [(cell.row, cell.text) for cell in till.orders.text_cells.cells(batch=1)
             if (cell.table, cell.column) == ("extras", "memo")]
    assert memos == [(("t1", "d1"), "-"), (("t1", "d2"), second)]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_card_numbers_planted_in_a_data_file_are_found_as_the_detector_finds_them(till, posapp_home, data):
    """However a number is written, across the scan's 1 MiB chunks too, and a longer run of digits
    that holds no card number as the detector reads it is no FAIL."""
    pan = data.draw(pans())
    form = data.draw(st.one_of(
        st.just(pan), st.just(" ".join(pan[i:i + 4] for i in range(0, len(pan), 4))),
        st.just("-".join(pan[i:i + 4] for i in range(0, len(pan), 4))), written(pan),
        st.text("0123456789", min_size=20, max_size=40)), label="form")
    before = data.draw(st.sampled_from([0, 1, (1 << 20) - 8, (1 << 20) - 1, 1 << 20]), label="before")
    planted = posapp_home / "data" / "planted.txt"
    planted.write_bytes(b"x" * before + f" {form} ".encode() + b"\n")
    status, evidence = check(till, "12.5.2")
    expected = find_pans(f" {form} ")
    assert (status is Status.FAIL) == bool(expected), evidence
    for _, _, last4 in expected:
        assert f"{planted} at byte " in evidence and f"(•••• {last4})" in evidence
    planted.unlink()


def test_a_file_full_of_card_numbers_lists_ten_places_and_counts_the_rest(till, posapp_home):
    numbers = [random_pan("4", 16) for _ in range(12)]
    dump = posapp_home / "data" / "dump.csv"
    dump.write_text("".join(f"{number},\n" for number in numbers))
    status, evidence = check(till, "12.5.2")
    assert status is Status.FAIL and evidence.startswith("12 card numbers found: ")
    assert evidence.count(str(dump)) == 10 and evidence.endswith(" and 2 more")
    assert f"{dump} at byte 18 (•••• {numbers[1][-4:]})" in evidence


def test_retention_passes_when_every_card_expires_warns_with_counts_and_fails_when_kept_forever(posapp_home):
    settings = posapp_home / "posapp.toml"
    posapp_home.mkdir(parents=True, exist_ok=True)
    settings.write_text("[vault]\nretention_days = 0\n")
    kept = app.build(config.load())
    sell(kept)
    assert check(kept, "3.2.1") == (Status.FAIL, "[vault] retention_days = 0: stored cards are kept forever; set how "
                                                 "many days they may stay")
    settings.write_text("[vault]\nretention_days = 400\n")
    limited = app.build(config.load())
    sell(limited)
    assert check(limited, "3.2.1") == (Status.WARN, "[vault] retention_days = 400; 1 of 2 stored cards carry no "
                                                    "expiry (expires_at): they stay until deleted")
    for entry in limited.vault.entries():
        if entry.expires_at is None:
            limited.vault.delete(entry.token)
    assert check(limited, "3.2.1") == (Status.PASS, "[vault] retention_days = 400; every stored card carries its "
                                                    "expiry (expires_at): 1 card")
