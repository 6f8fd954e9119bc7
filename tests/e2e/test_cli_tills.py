"""``posapp till register|revoke|list`` as an administrator runs them, on a local vault and on
DynamoDB (a moto server): the key stays on the till, only its public key is published."""

import base64
import json
import sqlite3
import uuid

import pytest
from awstest import aws_client
from cardgen import random_pan
from test_cli_dynamodb import TILL_ENV, vault_config

from posapp.vault.sealing import key_id

CASHIER_PIN = "482913"
KEY_ID = r"sha256:[0-9a-f]{32}"


@pytest.fixture
def till(posapp, posapp_home):
    """A till named till-07 with a local vault and order history, ADMIN signed in."""
    posapp_home.mkdir()
    (posapp_home / "posapp.toml").write_text('[workstation]\nid = "till-07"\n')
    return posapp


def key_file(home):
    return home / "data" / "keys" / "till-signing.key"


def registry(home):
    with sqlite3.connect(home / "data" / "vault.db") as db:
        return db.execute("SELECT till_id, key_id, revoked_at IS NOT NULL FROM vault_tills ORDER BY registered_at"
                          ).fetchall()


def journal(home, action):
    with sqlite3.connect(home / "data" / "orders.db") as db:
        return [(outcome, json.loads(details)) for outcome, details in db.execute(
            "SELECT outcome, details FROM posapp_journal WHERE action = ? ORDER BY seq", (action,))]


def held_key_id(home):
    from posapp.vault.sealing import load_private_key_text

    return key_id(load_private_key_text(json.loads(key_file(home).read_text())["signing_key"]).public_key())


def one_line(done, code):
    assert (done.returncode, done.stdout) == (code, ""), done.stderr
    assert done.stderr.startswith("posapp: ") and done.stderr.count("\n") == 1, done.stderr
    return done.stderr


def test_registering_keeps_the_key_on_the_till_and_publishes_its_public_key_once(till, posapp_home):
    done = till("till", "register")
    assert done.returncode == 0, done.stderr
    key = held_key_id(posapp_home)
    assert done.stdout == (f"Till till-07 registered with key {key}: a new signing key, in {key_file(posapp_home)}, "
                           f"signs the cards it stores.\n")
    assert "readable by this user only" in done.stderr  # no keyring in these runs: the key file, with a warning
    assert key_file(posapp_home).stat().st_mode & 0o777 == 0o600
    assert registry(posapp_home) == [("till-07", key, 0)]
    with sqlite3.connect(posapp_home / "data" / "vault.db") as db:
        public = db.execute("SELECT public_key FROM vault_tills").fetchone()[0]
    assert json.loads(key_file(posapp_home).read_text())["signing_key"].encode() not in public
    again = till("till", "register")
    assert (again.returncode, again.stdout) == (0, f"Till till-07 is already registered with key {key}: "
                                                   f"nothing changed.\n")
    assert held_key_id(posapp_home) == key and registry(posapp_home) == [("till-07", key, 0)]
    assert journal(posapp_home, "till-register") == [
        ("ok", {"till": "till-07", "key_id": key, "new_key": True, "published": True}),
        ("ok", {"till": "till-07", "key_id": key, "new_key": False, "published": False})]


def test_revoking_a_till_revokes_its_keys_and_registering_again_makes_a_new_one(till, posapp_home):
    assert till("till", "register").returncode == 0
    old = held_key_id(posapp_home)
    done = till("till", "revoke", "till-07")
    assert (done.returncode, done.stdout) == (0, "Revoked 1 key of till till-07: every vault item that till signed "
                                                 "now fails verification on back office (exit 4), whenever it was "
                                                 "stored. Register the till again to let it sell.\n")
    again = till("till", "revoke", "till-07")
    assert again.stdout == "Every key of till till-07 was revoked already: nothing changed.\n"
    assert journal(posapp_home, "till-revoke") == [("ok", {"till": "till-07", "key_ids": [old]}),
                                                   ("ok", {"till": "till-07", "key_ids": []})]
    renewed = till("till", "register")
    new = held_key_id(posapp_home)
    assert new != old and f"registered with key {new}: a new signing key" in renewed.stdout
    assert registry(posapp_home) == [("till-07", old, 1), ("till-07", new, 0)]


def test_listing_shows_every_key_in_the_merchants_zone_and_as_json(till, posapp_home):
    assert till("till", "list").stdout == "No till is registered.\n"
    till("till", "register")
    till("till", "register", "--till-id", "till-07")  # the same till: harmless
    till("till", "revoke", "till-07")
    listed = json.loads(till("till", "list", "--json").stdout)["tills"]
    assert [(each["till_id"], each["key_id"]) for each in listed] == [("till-07", held_key_id(posapp_home))]
    assert listed[0]["registered_at"].endswith("+00:00") and listed[0]["revoked_at"].endswith("+00:00")
    line = till("till", "list").stdout
    assert line.startswith(f"till-07                   {held_key_id(posapp_home)}  registered 20")
    assert " revoked 20" in line and line.count("\n") == 1


def test_an_unknown_till_is_one_sentence_exit_2(till, posapp_home):
    till("till", "register")
    assert one_line(till("till", "revoke", "till-08"), 2) == (
        "posapp: till till-08 is not registered, so there is nothing to revoke: 'posapp till list' shows the "
        "registered tills\n")
    assert registry(posapp_home) == [("till-07", held_key_id(posapp_home), 0)]
    assert journal(posapp_home, "till-revoke")[0][0] == "failed"


# Named ids: a random card number as its id would differ between the collections of parallel workers.
@pytest.mark.parametrize("bad", ["", "x" * 65, "till\x1b[2K01", "till 01", ".till", random_pan("4", 16)],
                         ids=["empty", "65-letters", "escape", "space", "dot-first", "card-number"])
def test_a_bad_till_id_is_refused_in_one_sentence_and_changes_nothing(till, posapp_home, bad):
    for args in (["till", "register", "--till-id", bad], ["till", "revoke", bad]):
        stderr = one_line(till(*args), 2)
        assert bad not in stderr or not bad
        assert ("looks like a card number" if bad.isdigit() else "use 1 to 64 letters") in stderr
    assert not key_file(posapp_home).exists() and not (posapp_home / "data" / "vault.db").exists()


def test_only_an_administrator_registers_or_revokes_tills(till, posapp_home):
    till("till", "list")  # makes ADMIN
    assert till("operator", "add", "cara", "--role", "cashier", env={"POSAPP_NEW_SECRET": CASHIER_PIN}).returncode == 0
    cara = {"POSAPP_OPERATOR": "cara", "POSAPP_SECRET": CASHIER_PIN}
    for args in (["till", "register"], ["till", "revoke", "till-07"], ["till", "list"]):
        assert one_line(till(*args, env=cara), 5) == "posapp: operator cara (cashier) may not register and revoke tills\n"
    assert not key_file(posapp_home).exists() and registry(posapp_home) == []


def test_on_dynamodb_the_till_keeps_a_copy_of_the_audit_key_and_the_registry_is_one_item(
        posapp, posapp_home, tmp_path, moto_endpoint, kms_key_arn, mysql_db):
    table = f"vault-{uuid.uuid4().hex[:12]}"
    config = vault_config(tmp_path / "posapp.toml", table=table, endpoint=moto_endpoint, key_arn=kms_key_arn,
                          orders_url=mysql_db.url)

    def run(*args):
        return posapp("--config", str(config), *args, env=TILL_ENV)

    assert run("provision").returncode == 0
    done = run("till", "register")
    assert done.returncode == 0, done.stderr
    key = held_key_id(posapp_home)
    assert done.stdout.startswith(f"Till till-e2e registered with key {key}: a new signing key")
    assert len(base64.b64decode(json.loads(key_file(posapp_home).read_text())["audit_key"])) == 32
    assert run("till", "register").stdout == f"Till till-e2e is already registered with key {key}: nothing changed.\n"
    dynamodb = aws_client("dynamodb", moto_endpoint)
    item = dynamodb.get_item(TableName=table, Key={"token": {"S": "posapp:till:till-e2e"}})["Item"]
    assert list(item["till_keys"]["M"]) == [key] and "revoked_at" not in item["till_keys"]["M"][key]["M"]
    assert run("till", "revoke", "till-e2e").stdout.startswith("Revoked 1 key of till till-e2e:")
    assert one_line(run("till", "revoke", "till-e2f"), 2).startswith("posapp: till till-e2f is not registered")
    listed = json.loads(run("till", "list", "--json").stdout)["tills"]
    assert [(each["till_id"], each["key_id"], each["revoked_at"] is not None) for each in listed] == [
        ("till-e2e", key, True)]
    assert run("vault", "verify", "--all").returncode == 0  # the registry item is no card
