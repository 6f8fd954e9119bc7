"""The local vault: real item encryption, real SQLite, keys in the (in-memory) keyring."""

import datetime
import json
import sqlite3

import pytest
from cardgen import random_pan
from kit import NOW, card, local_vault

from posapp.errors import ExitCode, describe
from posapp.vault import TamperedItem, TokenNotFound
from posapp.vault.local import LocalVault
from posapp.vault.local_keys import KeysLost


# The in-memory keyring stands for a real one (SecretService, Keychain...) in this file.
pytestmark = pytest.mark.usefixtures("keyring_counts_as_persistent")


def make_vault(tmp_path):
    return local_vault(tmp_path, key_name="local.key", clock=lambda: NOW)


@pytest.fixture
def vault(tmp_path):
    return make_vault(tmp_path)


def raw_items(vault):
    with sqlite3.connect(vault.db_path) as db:
        return {token: json.loads(item) for token, item in db.execute("SELECT token, item FROM vault_items")}


def store_raw(vault, token, item):
    with sqlite3.connect(vault.db_path) as db:
        db.execute("INSERT OR REPLACE INTO vault_items VALUES (?, ?)", (token, json.dumps(item)))


def test_round_trip_and_tokens_are_random_uuids(vault):
    cards = [card() for _ in range(3)]
    tokens = [vault.tokenize(c) for c in cards]
    assert len(set(tokens)) == 3
    assert all(len(t) == 36 and t[14] == "4" for t in tokens)  # UUID version 4
    assert [vault.detokenize(t) for t in tokens] == [c.pan for c in cards]
    assert [vault.card(t) for t in tokens] == cards  # with the expiry, to bill a stored card again
    assert sorted(entry.token for entry in vault.entries()) == sorted(tokens)


def test_stored_item_holds_ciphertext_signature_and_masked_metadata_only(vault):
    number = random_pan("51", 16)
    token = vault.tokenize(card(number))
    item = raw_items(vault)[token]
    assert number not in vault.db_path.read_bytes().decode("latin-1")
    assert set(item) == {"token", "pan", "brand", "last4", "exp_month", "exp_year", "created_at", "workstation", "origin",
                         "key_version", "*amzn-ddb-map-sig*", "*amzn-ddb-map-desc*"}
    assert item["key_version"] == {"S": "local-1"}
    assert list(item["pan"]) == ["B"]
    assert item["brand"] == {"S": "MASTERCARD"} and item["last4"] == {"S": number[-4:]}
    assert item["workstation"] == {"S": "till-01"}


def test_keys_live_in_the_keyring_and_a_new_process_reads_old_items(tmp_path, memory_keyring):
    token = make_vault(tmp_path).tokenize(card("4242424242424242"))
    assert any(user.startswith("local-vault-keys:") for _, user in memory_keyring.secrets)
    assert not (tmp_path / "keys" / "local.key").exists()
    assert make_vault(tmp_path).detokenize(token).last4 == "4242"


def test_without_a_keyring_keys_go_to_a_private_file(tmp_path, memory_keyring, monkeypatch, caplog):
    def no_keyring(*args):
        import keyring.errors
        raise keyring.errors.NoKeyringError("no backend")

    monkeypatch.setattr(memory_keyring, "set_password", no_keyring)
    monkeypatch.setattr(memory_keyring, "get_password", no_keyring)
    token = make_vault(tmp_path).tokenize(card("4242424242424242"))
    key_file = tmp_path / "keys" / "local.key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert "no working system keyring" in caplog.text
    assert make_vault(tmp_path).detokenize(token).last4 == "4242"


def test_lost_keys_are_reported_not_replaced(tmp_path, memory_keyring):
    token = make_vault(tmp_path).tokenize(card())
    memory_keyring.secrets.clear()
    with pytest.raises(KeysLost, match="keys of the local card vault .* are missing") as error:
        make_vault(tmp_path).detokenize(token)
    assert describe(error.value)[1] is ExitCode.INTEGRITY
    assert memory_keyring.secrets == {}


@pytest.mark.parametrize("tamper", ["change brand", "flip a ciphertext bit", "add an attribute",
                                    "copy under another token", "garbage"])
def test_tampering_is_one_integrity_error_naming_the_token(vault, tamper):
    token = vault.tokenize(card())
    item = raw_items(vault)[token]
    target = token
    if tamper == "change brand":
        item["brand"] = {"S": "AMEX"}
    elif tamper == "flip a ciphertext bit":
        import base64
        data = bytearray(base64.b64decode(item["pan"]["B"]))
        data[3] ^= 1
        item["pan"]["B"] = base64.b64encode(bytes(data)).decode()
    elif tamper == "add an attribute":
        item["note"] = {"S": "x"}
    elif tamper == "copy under another token":
        target = vault.tokenize(card())
    else:
        item = {"token": {"S": token}}
    store_raw(vault, target, item)
    with pytest.raises(TamperedItem) as error:
        vault.verify(target)
    assert error.value.token == target
    assert str(error.value) == f"vault item {target} failed its integrity check (tampered or unreadable)"


def test_unknown_token_and_delete(vault):
    token = vault.tokenize(card())
    vault.delete(token)
    with pytest.raises(TokenNotFound):
        vault.detokenize(token)
    with pytest.raises(TokenNotFound):
        vault.delete(token)


def test_building_a_vault_touches_no_disk(tmp_path):
    make_vault(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_token_collision_stores_nothing_and_says_so(tmp_path):
    import uuid

    from posapp.vault import VaultError

    taken = make_vault(tmp_path).tokenize(card())
    before = raw_items(make_vault(tmp_path))
    clashing = LocalVault(tmp_path / "vault.db", tmp_path / "keys" / "local.key", workstation="till-01",
                          new_token=iter([uuid.uuid4(), uuid.UUID(taken)]).__next__)
    with pytest.raises(VaultError, match=r"^a vault token is already taken \(the token source is broken\); "
                                         r"none of these 2 cards was stored$"):
        clashing.tokenize_many([card(), card()], "import-test")
    assert raw_items(clashing) == before


def test_an_added_or_changed_expiry_fails_verification(vault):
    from posapp.vault import item_format

    untouched, forged = vault.tokenize(card()), vault.tokenize(card())
    item = raw_items(vault)[forged]
    item["expires_at"] = {"N": "1700000000"}
    store_raw(vault, forged, item)
    with pytest.raises(TamperedItem):
        vault.verify(forged)
    vault.verify(untouched)

    signed = "0f8fad5b-d9cb-469f-a165-70867728950e"
    plain = item_format.plaintext_item(signed, card(), workstation="till-01",
                                       created_at=datetime.datetime.now(datetime.timezone.utc))
    plain["expires_at"] = {"N": "4102444800"}

    store_raw(vault, signed, json.loads(item_format.to_json(item_format.encrypt(plain, vault._crypto()))))
    vault.verify(signed)
    item = raw_items(vault)[signed]
    item["expires_at"] = {"N": "4102444801"}
    store_raw(vault, signed, item)
    with pytest.raises(TamperedItem):
        vault.verify(signed)


def test_present_finds_stored_tokens_in_batches(vault):
    import uuid

    stored = vault.tokenize_many([card() for _ in range(620)], "import-test")
    absent = [str(uuid.uuid4()) for _ in range(10)]
    assert vault.present(stored + absent + ["", "x"]) == set(stored)
    vault.delete(stored[0])
    assert vault.present(stored[:2]) == {stored[1]}
