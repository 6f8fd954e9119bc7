"""The posapp command against a moto server: provision, sell, verify, tamper, faults."""

import json
import time
import uuid

import pytest
from kit import cli_sale
from cardgen import random_pan
from awstest import AWS_ENV, REGION, aws_client, free_port
from mariadbtest import POS_PASSWORD, POS_USER

from posapp.orders.sql import SqlOrderStore


def vault_config(path, *, table, endpoint, key_arn, orders_url, materials="direct"):
    path.write_text(f"""
[workstation]
id = "till-e2e"

[orders]
url = "{orders_url}"

[vault]
backend = "dynamodb"
table = "{table}"
region = "{REGION}"
endpoint_url = "{endpoint}"
kms_key_id = "{key_arn}"
materials = "{materials}"
""")
    return path


TILL_ENV = {**AWS_ENV, "POSAPP_ORDERS_PASSWORD": POS_PASSWORD}


@pytest.fixture(params=["direct", "cached"])
def aws_cli(request, posapp, tmp_path, moto_endpoint, kms_key_arn, mysql_db):
    table = f"vault-{uuid.uuid4().hex[:12]}"
    config = vault_config(tmp_path / "posapp.toml", table=table, endpoint=moto_endpoint, key_arn=kms_key_arn,
                          orders_url=mysql_db.url, materials=request.param)

    def run(*args, stdin=None, config=config):
        return posapp("--config", str(config), *args, stdin=stdin, env=TILL_ENV)

    run.table, run.materials = table, request.param
    assert run("provision").returncode == 0
    return run


def sell(cli, number, name="Coffee"):
    result = cli_sale(cli, number, "--json", name=name)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_sales_are_tokenized_in_dynamodb_and_verify(aws_cli, moto_endpoint):
    numbers = [random_pan("4", 16), random_pan("51", 16), random_pan("34", 15)]
    receipts = [sell(aws_cli, number) for number in numbers]
    assert [r["card"]["last4"] for r in receipts] == [n[-4:] for n in numbers]
    items = aws_client("dynamodb", moto_endpoint).scan(TableName=aws_cli.table)["Items"]
    assert card_items(moto_endpoint, aws_cli.table) == {r["token"] for r in receipts}
    assert not any(number in repr(items) for number in numbers)
    result = aws_cli("vault", "verify", "--all")
    assert (result.returncode, result.stdout.splitlines()[0]) == (0, "Checked 3 vault items and 3 orders: all intact.")
    assert aws_cli("provision").returncode == 0  # twice is harmless


def test_a_raw_tampered_item_fails_verify_with_exit_4(aws_cli, moto_endpoint):
    receipts = [sell(aws_cli, random_pan("4", 16)) for _ in range(2)]
    dynamodb = aws_client("dynamodb", moto_endpoint)
    victim = receipts[1]["token"]
    item = dynamodb.get_item(TableName=aws_cli.table, Key={"token": {"S": victim}})["Item"]
    item["brand"] = {"S": "AMEX"}
    dynamodb.put_item(TableName=aws_cli.table, Item=item)
    result = aws_cli("vault", "verify", "--all")
    assert result.returncode == 4
    assert result.stderr == f"posapp: vault item {victim} failed its integrity check (tampered or unreadable)\n"


def test_doctor_passes_on_a_provisioned_vault(aws_cli):
    result = aws_cli("doctor")
    assert result.returncode == 0, result.stdout
    lines = result.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "ok    configuration", "ok    locale and time zone", "ok    card safety", "ok    AWS credentials",
        "ok    vault table", "ok    KMS key", "ok    KMS key rotation",
        "ok    encryption round trip", *(["ok    cached materials"] if aws_cli.materials == "cached" else []),
        "ok    order history", "ok    vault and order history"]


def test_an_unreachable_vault_fails_the_sale_fast_with_exit_3(aws_cli, posapp, tmp_path, kms_key_arn, mysql_db):
    # The till was working (its history provisioned, an operator made) until the vault went away:
    # signing in, whose journal entry needs the audit key kept in the vault, is what fails first now.
    assert aws_cli("order", "list").returncode == 0
    config = vault_config(tmp_path / "dead.toml", table=aws_cli.table, endpoint=f"http://127.0.0.1:{free_port()}",
                          key_arn=kms_key_arn, orders_url=mysql_db.url)
    started = time.monotonic()
    result = posapp("--config", str(config), "order", "new", "--name", "x", "--amount", "1", "--card-stdin",
                    stdin="4242424242424242\n", env=TILL_ENV)
    assert result.returncode == 3
    assert result.stderr.startswith("posapp: the card vault cannot be reached") and result.stderr.count("\n") == 1
    assert time.monotonic() - started < 45  # a generous bound: a dead endpoint must not hang a till


def test_missing_kms_key_setting_is_one_line(posapp, tmp_path):
    config = tmp_path / "incomplete.toml"
    config.write_text('[vault]\nbackend = "dynamodb"\nregion = "us-east-1"\n')
    result = posapp("--config", str(config), "order", "list")
    assert result.returncode == 2
    assert result.stderr == (f'posapp: {config}: [vault] kms_key_id: required with backend = "dynamodb" '
                             "(the KMS key ARN)\n")


def test_a_forged_expiry_fails_verify_with_exit_4(aws_cli, moto_endpoint):
    receipts = [sell(aws_cli, random_pan("4", 16)) for _ in range(2)]
    dynamodb = aws_client("dynamodb", moto_endpoint)
    victim = receipts[0]["token"]
    item = dynamodb.get_item(TableName=aws_cli.table, Key={"token": {"S": victim}})["Item"]
    item["expires_at"] = {"N": "1700000000"}  # the TTL attribute: DynamoDB would delete the card
    dynamodb.put_item(TableName=aws_cli.table, Item=item)
    result = aws_cli("vault", "verify", "--all")
    assert result.returncode == 4
    assert result.stderr == f"posapp: vault item {victim} failed its integrity check (tampered or unreadable)\n"
    assert aws_cli("vault", "verify", receipts[1]["token"]).returncode == 0


def test_an_order_whose_card_is_missing_fails_verify_with_exit_4(aws_cli, moto_endpoint):
    receipts = [sell(aws_cli, random_pan("4", 16)) for _ in range(2)]
    victim = receipts[0]
    aws_client("dynamodb", moto_endpoint).delete_item(TableName=aws_cli.table, Key={"token": {"S": victim["token"]}})
    result = aws_cli("vault", "verify", "--all")
    assert result.returncode == 4
    assert result.stderr == (f"posapp: order {victim['order_id']}: its card (token {victim['token']}) "
                             "is missing from the vault\n")
    assert result.stdout.splitlines()[0] == "Checked 1 vault item and 2 orders: 1 failed."


def card_items(moto_endpoint, table):
    items = aws_client("dynamodb", moto_endpoint).scan(TableName=table)["Items"]
    return {item["token"]["S"] for item in items if not item["token"]["S"].startswith("posapp:")}


def test_a_till_on_another_order_history_cannot_delete_the_shared_vaults_cards(aws_cli, moto_endpoint, kms_key_arn,
                                                                               mariadb, tmp_path):
    """Two tills share one vault; the second was pointed at a database of its own."""
    sold = {sell(aws_cli, random_pan("4", 16))["token"] for _ in range(3)}
    other = f"posapp_other_{uuid.uuid4().hex[:8]}"
    mariadb.execute(f"CREATE DATABASE `{other}`")
    try:
        stray = vault_config(tmp_path / "stray.toml", table=aws_cli.table, endpoint=moto_endpoint,
                             key_arn=kms_key_arn, orders_url=f"mysql+pymysql://{POS_USER}@127.0.0.1:{mariadb.port}/{other}")
        provisioned = aws_cli("provision", config=stray)
        assert provisioned.returncode == 4 and "is missing or empty" in provisioned.stderr
        for attempt in (["vault", "reconcile", "--grace", "10"], ["vault", "reconcile", "--dry-run"],
                        ["vault", "verify", "--all"]):
            # Nobody can sign in to a database without posapp's tables: refused before anything runs.
            result = aws_cli(*attempt, config=stray)
            assert result.returncode == 3 and result.stderr.count("\n") == 1, result.stderr
            assert "has no posapp schema" in result.stderr
        # Even a provisioned database of its own is refused: it is not the vault's.
        SqlOrderStore(f"mysql+pymysql://{POS_USER}@127.0.0.1:{mariadb.port}/{other}",
                      password=lambda: POS_PASSWORD).provision()
        refused = aws_cli("vault", "reconcile", "--grace", "10", config=stray)
        assert refused.returncode == 2 and "is not the one of card vault" in refused.stderr
        doctor = aws_cli("doctor", config=stray)  # what looked normal before says what is wrong
        assert doctor.returncode == 2 and "FAIL  vault and order history: order history at" in doctor.stdout
        assert card_items(moto_endpoint, aws_cli.table) == sold
        local = tmp_path / "local-orders.toml"
        local.write_text(stray.read_text().replace(f"mysql+pymysql://{POS_USER}@127.0.0.1:{mariadb.port}/{other}",
                                                   "sqlite:////tmp/orders.db"))
        result = aws_cli("vault", "reconcile", "--grace", "10", config=local)
        assert result.returncode == 2 and "[orders] url: a DynamoDB card vault is shared" in result.stderr
    finally:
        mariadb.execute(f"DROP DATABASE `{other}`")
    assert aws_cli("vault", "verify", "--all").returncode == 0
    assert card_items(moto_endpoint, aws_cli.table) == sold
