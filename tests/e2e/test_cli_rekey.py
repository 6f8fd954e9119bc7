"""``posapp vault rekey`` and ``vault rotate-materials`` as an administrator runs them: local and DynamoDB."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from awstest import aws_client, create_kms_key
from cardgen import random_pan
from kit import cli_sale
from leakscan import find_leaks
from rekeycrash import KILLED
from signin import add_admin
from test_cli_dynamodb import TILL_ENV, vault_config


def sell(run, number=None):
    result = cli_sale(run, number, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["token"]


def journalled(run, action):
    listed = run("audit", "list", "--json", "--action", action)
    assert listed.returncode == 0, listed.stderr
    return json.loads(listed.stdout)["entries"]


def test_local_rekey_keeps_every_card_and_the_audit_journal(posapp, posapp_home):
    numbers = [random_pan("4", 16) for _ in range(3)]
    tokens = [sell(posapp, number) for number in numbers]

    result = posapp("vault", "rekey")

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Re-keyed 3 vault items to local-2 in 2 passes: 0 already under it, ")
    assert "rekey pass 1: 3 re-keyed" in result.stderr
    assert posapp("vault", "verify", *tokens).returncode == 0
    verified = posapp("vault", "verify", "--all")
    assert verified.returncode == 0 and verified.stdout.splitlines()[1] == "Keys: 3 items under local-2."
    assert posapp("audit", "verify").returncode == 0
    [entry] = journalled(posapp, "vault-rekey")
    assert entry["outcome"] == "ok"
    assert {key: entry["details"][key] for key in ("target", "rekeyed", "remaining", "tampered")} == {
        "target": "local-2", "rekeyed": 3, "remaining": 0, "tampered": 0}
    assert find_leaks(numbers, [posapp_home], result.stdout + result.stderr) == []


@pytest.mark.parametrize("args", [["vault", "rekey", "--to-key", "arn:aws:kms:us-east-1:1:key/x"],
                                  ["vault", "rotate-materials"]])
def test_local_vault_refuses_kms_key_commands_with_one_line(posapp, args):
    sell(posapp)
    result = posapp(*args)
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "local vault" in result.stderr


@pytest.fixture(params=["direct", "cached"])
def shop(request, posapp, tmp_path, moto_endpoint, kms_key_arn, mysql_db):
    """An administrator's command on a DynamoDB vault (moto server); ``shop.on(key)`` uses another key."""
    table = f"vault-{uuid.uuid4().hex[:12]}"

    def on(key_arn):
        config = vault_config(tmp_path / f"{key_arn.rsplit('/', 1)[1]}.toml", table=table, endpoint=moto_endpoint,
                              key_arn=key_arn, orders_url=mysql_db.url, materials=request.param)
        run = lambda *args, stdin=None: posapp("--config", str(config), *args, stdin=stdin, env=TILL_ENV)  # noqa: E731
        run.config = config
        return run

    run = on(kms_key_arn)
    run.on, run.table, run.materials = on, table, request.param
    assert run("provision").returncode == 0
    return run


def test_dynamodb_rekey_moves_every_card_to_the_new_key(shop, moto_endpoint):
    tokens = [sell(shop) for _ in range(3)]
    new_key = create_kms_key(moto_endpoint)

    result = shop("vault", "rekey", "--to-key", new_key)

    assert result.returncode == 0, result.stderr
    assert "Re-keyed 3 vault items to " in result.stdout and "still under another key" not in result.stdout
    assert "the old key may be disabled" in result.stdout
    assert f"Point every till at {new_key}:" in result.stdout  # the key a till's settings name, also in cached mode
    items = aws_client("dynamodb", moto_endpoint).scan(TableName=shop.table)["Items"]
    versions = {item["key_version"]["S"] for item in items if item["token"]["S"] in tokens}
    assert versions == ({new_key} if shop.materials == "direct" else {f"{shop.table}#1"})
    on_new_key = shop.on(new_key)
    verified = on_new_key("vault", "verify", "--all")
    assert verified.returncode == 0 and verified.stdout.splitlines()[1] == f"Keys: 3 items under {versions.pop()}."
    assert sell(on_new_key)
    [entry] = journalled(shop, "vault-rekey")
    assert (entry["outcome"], entry["details"]["rekeyed"], entry["details"]["target"]) == (
        "ok", 3, new_key if shop.materials == "direct" else f"{shop.table}#1")


def test_dynamodb_rekey_reports_a_tampered_item_with_exit_4_and_leaves_it(shop, moto_endpoint):
    tokens = [sell(shop) for _ in range(2)]
    dynamodb = aws_client("dynamodb", moto_endpoint)
    item = dynamodb.get_item(TableName=shop.table, Key={"token": {"S": tokens[0]}})["Item"]
    item["brand"] = {"S": "AMEX"}
    dynamodb.put_item(TableName=shop.table, Item=item)

    result = shop("vault", "rekey", "--to-key", create_kms_key(moto_endpoint))

    assert result.returncode == 4
    assert (f"posapp: vault item {tokens[0]} failed its integrity check (tampered or unreadable): not re-keyed\n"
            in result.stderr)
    assert dynamodb.get_item(TableName=shop.table, Key={"token": {"S": tokens[0]}})["Item"] == item
    assert "keep the old key" in result.stdout and "may be disabled" not in result.stdout
    assert journalled(shop, "vault-rekey")[0]["outcome"] == "failed"


def test_dynamodb_rekey_needs_a_usable_key(shop, moto_endpoint):
    sell(shop)
    assert shop("vault", "rekey").returncode == 2
    wrong_region = shop("vault", "rekey", "--to-key", "arn:aws:kms:eu-west-1:123456789012:key/" + str(uuid.uuid4()))
    assert (wrong_region.returncode, wrong_region.stderr.count("\n")) == (2, 1)
    no_such_key = shop("vault", "rekey", "--to-key", "arn:aws:kms:us-east-1:123456789012:key/" + str(uuid.uuid4()))
    assert (no_such_key.returncode, no_such_key.stderr.count("\n")) == (2, 1)
    assert "names no KMS key" in no_such_key.stderr and "kms_key_id" not in no_such_key.stderr
    disabled = create_kms_key(moto_endpoint)
    aws_client("kms", moto_endpoint).disable_key(KeyId=disabled.rsplit("/", 1)[1])  # moto: an id, not an ARN
    refused = shop("vault", "rekey", "--to-key", disabled)
    assert refused.returncode in (2, 3) and refused.stderr.count("\n") == 1 and disabled in refused.stderr
    # Each key refused is in the journal, with the reason (a missing --to-key is a usage error, as argparse's).
    entries = journalled(shop, "vault-rekey")
    assert [entry["outcome"] for entry in entries] == ["failed"] * 3
    assert all(entry["details"]["reason"] for entry in entries)


def test_rotate_materials_starts_a_version_in_cached_mode_only(shop):
    token = sell(shop)
    result = shop("vault", "rotate-materials")
    if shop.materials == "direct":
        assert result.returncode == 2 and "cached materials" in result.stderr
        return
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"New material version {shop.table}#1:")
    assert shop("vault", "verify", token).returncode == 0
    assert journalled(shop, "vault-rotate-materials")[0]["details"]["version"] == f"{shop.table}#1"


def killed_rekey(home, after, *args, env=None):
    """``posapp ARGS`` killed once ``after`` items are re-keyed (tests/rekeycrash.py), signed in as ADMIN."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("POSAPP_")}
    environment.update(POSAPP_HOME=str(home), PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
                       PYTHONPATH=os.pathsep.join([str(Path(__file__).parents[1]), *sys.path]), **(env or {}))
    options = list(args[:2]) if args[:1] == ("--config",) else []
    environment = add_admin(environment, *options)
    return subprocess.run([sys.executable, "-m", "rekeycrash", str(after), *args], capture_output=True, text=True,
                          env=environment, timeout=120)


def test_a_killed_local_rekey_finishes_when_run_again(posapp, posapp_home):
    tokens = [sell(posapp) for _ in range(9)]

    killed = killed_rekey(posapp_home, 4, "vault", "rekey")

    assert killed.returncode == KILLED, killed.stderr
    assert posapp("vault", "verify", *tokens).returncode == 0  # every card reads, half re-keyed
    again = posapp("vault", "rekey")
    assert again.returncode == 0, again.stderr
    assert "(resumed)" in again.stderr and "to local-2" in again.stdout  # the saved keys, not a third set
    assert posapp("vault", "verify", "--all").returncode == 0 and posapp("audit", "verify").returncode == 0


def test_a_killed_dynamodb_rekey_finishes_when_run_again(shop, moto_endpoint, posapp_home):
    tokens = [sell(shop) for _ in range(9)]
    new_key = create_kms_key(moto_endpoint)
    dynamodb = aws_client("dynamodb", moto_endpoint)

    def rekeyed():
        items = dynamodb.scan(TableName=shop.table)["Items"]
        return sum(item["key_version"]["S"] in (new_key, f"{shop.table}#1") for item in items
                   if item["token"]["S"] in tokens)

    killed = killed_rekey(posapp_home, 5, "--config", str(shop.config), "vault", "rekey", "--to-key", new_key,
                          env=TILL_ENV)

    assert killed.returncode == KILLED, killed.stderr
    assert 5 <= rekeyed() < 9  # a page of 4, then the transaction that died, and the one beside it in flight
    again = shop("vault", "rekey", "--to-key", new_key)
    assert again.returncode == 0, again.stderr
    assert "(resumed)" in again.stderr and "Every card stored when the last pass ended is under" in again.stdout
    assert rekeyed() == 9
    assert shop.on(new_key)("vault", "verify", "--all").returncode == 0


def test_an_interrupted_rekey_is_journalled_with_what_it_did_and_finishes_when_run_again(posapp, posapp_home):
    tokens = [sell(posapp) for _ in range(9)]

    # Interrupted in the second batch of 4: the first one's progress was reported.
    interrupted = killed_rekey(posapp_home, 8, "vault", "rekey", env={"REKEYCRASH_INTERRUPT": "1"})

    assert interrupted.returncode == 130, interrupted.stderr
    [entry] = journalled(posapp, "vault-rekey")
    assert entry["outcome"] == "interrupted" and entry["details"]["rekeyed"] >= 4
    again = posapp("vault", "rekey")
    assert again.returncode == 0, again.stderr
    assert [entry["outcome"] for entry in journalled(posapp, "vault-rekey")] == ["interrupted", "ok"]
    assert posapp("vault", "verify", *tokens).returncode == 0
