"""Sealed materials through the posapp command, against a moto server (RSA-OAEP by
tests/moto_site): a till set up, registered and selling; back office's verify catching what no
registered till signed as it stands; nothing of a card left on the till."""

import copy
import io
import json
import uuid
from types import SimpleNamespace

import pytest
from awstest import AWS_ENV, REGION, aws_client
from cardgen import random_pan
from kit import cli_sale
from leakscan import find_leaks
from mariadbtest import POS_PASSWORD
from test_cli_dynamodb import TILL_ENV, vault_config

from posapp.__main__ import main
from posapp.vault.sealing import new_till_key
from posapp.vault.till_secrets import TillSecrets, store


class Shop:
    """One vault table on the moto server: an administrator (direct materials) who provisioned it,
    and ``setup`` for sealed tills and back office, each in a POSAPP_HOME of its own."""

    def __init__(self, posapp, tmp_path, endpoint, key_arn, orders_url, monkeypatch, capsys):
        self.posapp, self.tmp_path, self.endpoint, self.orders_url = posapp, tmp_path, endpoint, orders_url
        self.monkeypatch, self.capsys = monkeypatch, capsys
        self.table, self.printed = f"vault-{uuid.uuid4().hex[:12]}", []
        self.rsa_arn = aws_client("kms", endpoint).create_key(
            KeySpec="RSA_3072", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]["Arn"]
        self.admin = self.at("admin", vault_config(tmp_path / "admin.toml", table=self.table, endpoint=endpoint,
                                                   key_arn=key_arn, orders_url=orders_url))
        assert self.admin("provision").returncode == 0

    def at(self, name, config):
        home = self.tmp_path / name

        def run(*args, stdin=None):
            done = self.posapp("--config", str(config), *args, stdin=stdin,
                               env={**TILL_ENV, "POSAPP_HOME": str(home)})
            self.printed.append(done.stdout + done.stderr)
            return done
        run.home, run.config = home, config
        return run

    def setup(self, workstation, role, materials="sealed"):
        """``posapp setup`` of a sealed ``workstation``, in this process (its keyring takes the order
        database's password); what it did, and the posapp runner for that workstation."""
        config = self.tmp_path / f"{workstation}.toml"
        runner = self.at(workstation, config)
        self.monkeypatch.setattr("sys.stdin", io.StringIO(POS_PASSWORD + "\n"))
        self.monkeypatch.setenv("POSAPP_HOME", str(runner.home))
        for name, value in AWS_ENV.items():
            self.monkeypatch.setenv(name, value)
        code = main(["--config", str(config), "setup", "--workstation-id", workstation, "--workstation-role", role,
                     "--vault-backend", "dynamodb", "--vault-table", self.table, "--vault-region", REGION,
                     "--vault-endpoint-url", self.endpoint, "--kms-key-id", self.rsa_arn,
                     "--vault-materials", materials, "--orders-url", self.orders_url, "--orders-password-stdin"])
        printed = self.capsys.readouterr()
        self.printed.append(printed.out + printed.err)
        return SimpleNamespace(returncode=code, stdout=printed.out, stderr=printed.err), runner

    def till(self, workstation):
        """A sealed till, set up and registered by an administrator on it."""
        _, till = self.setup(workstation, "till")
        registered = till("till", "register")
        assert registered.returncode == 0, registered.stderr
        return till

    def sell(self, till, number=None):
        sold = cli_sale(till, number, "--json")
        assert sold.returncode == 0, sold.stderr
        return json.loads(sold.stdout)["token"]

    def item(self, token):
        return aws_client("dynamodb", self.endpoint).get_item(TableName=self.table, Key={"token": {"S": token}})["Item"]

    def put(self, item):
        aws_client("dynamodb", self.endpoint).put_item(TableName=self.table, Item=item)


@pytest.fixture
def shop(posapp, tmp_path, moto_endpoint, kms_key_arn, mysql_db, monkeypatch, capsys):
    return Shop(posapp, tmp_path, moto_endpoint, kms_key_arn, mysql_db.url, monkeypatch, capsys)


def test_a_sealed_till_sells_cannot_read_back_and_keeps_no_card(shop):
    done, till = shop.setup("till-s1", "till")
    assert "back_office_key = " in till.config.read_text()  # pinned by setup
    assert "FAIL" in done.stdout and "posapp till register" in done.stdout  # not registered yet: it says how
    assert till("till", "register").returncode == 0
    doctor = till("doctor")
    assert doctor.returncode == 0, doctor.stdout
    assert "this till holds no key that opens it" in doctor.stdout
    numbers = [random_pan("4", 16), random_pan("51", 16)]
    tokens = [shop.sell(till, number) for number in numbers]
    refused = till("vault", "verify", "--all")
    assert refused.returncode == 5 and "cannot read them back" in refused.stderr
    assert till("order", "charge", "1", "--amount", "1.00").returncode != 0
    _, office = shop.setup("office", "backoffice")
    verified = office("vault", "verify", "--all")
    assert (verified.returncode, verified.stdout.splitlines()[0]) == (
        0, "Checked 2 vault items and 2 orders: all intact."), verified.stderr
    assert all(office("vault", "verify", token).returncode == 0 for token in tokens)
    assert find_leaks(numbers, [till.home, till.config], "".join(shop.printed)) == []


def test_a_changed_back_office_key_is_refused_by_setup(shop):
    _, till = shop.setup("till-s2", "till")
    pinned = till.config.read_text()
    other = aws_client("kms", shop.endpoint).create_key(KeySpec="RSA_3072", KeyUsage="ENCRYPT_DECRYPT")
    shop.rsa_arn = other["KeyMetadata"]["Arn"]
    again, _ = shop.setup("till-s2", "till")
    assert again.returncode == 2 and "answers another public key than the one this till pinned" in again.stderr
    assert till.config.read_text() == pinned
    detour, _ = shop.setup("till-s2", "till", materials="direct")  # the pin stays, so no detour changes it
    assert "back_office_key = " in till.config.read_text()
    again, _ = shop.setup("till-s2", "till")
    assert again.returncode == 2 and "answers another public key than the one this till pinned" in again.stderr


def test_back_office_verify_names_every_item_no_registered_till_signed_as_it_stands(shop):
    honest, other = shop.till("till-a"), shop.till("till-b")
    changed, copied, fine = shop.sell(honest), shop.sell(honest), shop.sell(honest)
    theirs = shop.sell(other)
    _, rogue = shop.setup("till-rogue", "till")  # holds a key it made itself: never registered
    store(TillSecrets("till-rogue", new_till_key(), None), rogue.home / "data" / "keys" / "till-signing.key")
    refused = cli_sale(rogue)
    assert (refused.returncode, refused.stdout) == (2, "") and "is not registered, so back office would refuse its " \
        "cards" in refused.stderr
    forged = shop.sell(shop.till("till-forger"))  # a key registered, then gone from the registry: never trusted
    aws_client("dynamodb", shop.endpoint).delete_item(TableName=shop.table,
                                                      Key={"token": {"S": "posapp:till:till-forger"}})
    revoked_till = shop.till("till-c")
    revoked = shop.sell(revoked_till)
    assert shop.admin("till", "revoke", "till-c").returncode == 0
    after = cli_sale(revoked_till)
    assert after.returncode == 2 and "till till-c's signing key was revoked" in after.stderr
    item = shop.item(changed)
    item["last4"] = {"S": "0000"}
    shop.put(item)
    item = shop.item(copied)
    item["*amzn-ddb-map-sig*"] = copy.deepcopy(shop.item(theirs)["*amzn-ddb-map-sig*"])
    shop.put(item)
    _, office = shop.setup("office", "backoffice")
    verified = office("vault", "verify", "--all")
    assert verified.returncode == 4, verified.stderr
    assert verified.stdout.splitlines()[0].endswith("4 failed.")
    lines = verified.stderr.splitlines()
    assert f"posapp: vault item {forged} failed its integrity check (signed by till till-forger, which is not " \
           "registered)" in lines
    assert any(line.startswith(f"posapp: vault item {revoked} failed its integrity check (signed by till till-c, "
                               "whose key was revoked") for line in lines)
    assert f"posapp: vault item {changed} failed its integrity check (its signature is not that of till till-a's " \
           "key)" in lines
    assert f"posapp: vault item {copied} failed its integrity check (its signature is not that of till till-a's " \
           "key)" in lines
    assert not [line for line in lines if fine in line or theirs in line]
