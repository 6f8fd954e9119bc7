"""``posapp doctor --pci``: the PCI DSS self-check, run as an administrator or an auditor runs it."""

import json
import re
import sqlite3
import uuid

import pytest
from awstest import AWS_ENV, REGION, aws_client, free_port
from cardgen import random_pan
from iam_policy import Stack, hook_environment
from kit import cli_sale
from leakscan import find_leaks
from mariadbtest import POS_PASSWORD

REQUIREMENTS = ["3.2.1", "3.6.1.2", "3.7.4", "4.2.1", "7.2.2", "8.2.8", "8.3.6", "10.3.2", "12.5.2"]
LINE = re.compile(r"(?P<requirement>[0-9.]+) +(?P<check>\S.*?)  (?P<status>PASS|WARN|FAIL)  (?P<evidence>.+)")


@pytest.fixture
def till(provisioned_posapp):
    """A local till that sold twice."""
    for _ in range(2):
        assert cli_sale(provisioned_posapp).returncode == 0
    return provisioned_posapp


def lines(done):
    return [LINE.fullmatch(line).groupdict() for line in done.stdout.splitlines()]


def test_a_clean_local_till_passes_with_warnings_only_and_exits_0(till):
    done = till("doctor", "--pci", sign_in=False)
    assert done.returncode == 0, done.stdout + done.stderr
    found = lines(done)
    assert [line["requirement"] for line in found] == REQUIREMENTS
    assert {line["status"] for line in found} <= {"PASS", "WARN"}
    # One column each: the status starts at the same place on every line.
    assert len({line.index(status) for line in done.stdout.splitlines() for status in ("PASS  ", "WARN  ")
                if status in line}) == 1
    assert "no card number in" in found[-1]["evidence"] and "order database" in found[-1]["evidence"]


def test_json_is_one_document_with_every_check(till):
    done = till("doctor", "--pci", "--json", sign_in=False)
    assert done.returncode == 0, done.stderr
    checks = json.loads(done.stdout)["checks"]
    assert [check["requirement"] for check in checks] == REQUIREMENTS
    assert all(set(check) == {"requirement", "check", "status", "evidence"} for check in checks)
    assert {check["status"] for check in checks} <= {"PASS", "WARN"}


def test_json_without_pci_is_refused_with_exit_2(till):
    done = till("doctor", "--json", sign_in=False)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == "posapp: doctor --json goes with --pci: the other checks print lines\n"


def test_card_numbers_in_a_data_file_and_an_order_are_found_masked_and_exit_4(till, posapp_home):
    in_file, in_order = random_pan("4", 16), random_pan("5", 16)
    grouped = " ".join(in_file[i:i + 4] for i in range(0, 16, 4))
    note = posapp_home / "data" / "notes.txt"
    note.write_text(f"call back the customer, card {grouped}, thanks\n")
    with sqlite3.connect(posapp_home / "data" / "orders.db") as db:
        [(order,)] = db.execute("SELECT MIN(UserPaymentAccountID) FROM OrderHistory").fetchall()
        db.execute("UPDATE OrderHistory SET Description = ? WHERE UserPaymentAccountID = ?",
                   (f"paid by {in_order}", order))
    done = till("doctor", "--pci", sign_in=False)
    assert done.returncode == 4, done.stdout + done.stderr
    [discovery] = [line for line in lines(done) if line["requirement"] == "12.5.2"]
    assert discovery["status"] == "FAIL"
    evidence = discovery["evidence"]
    assert f"{note} at byte 29 (•••• {in_file[-4:]})" in evidence
    assert f"OrderHistory.Description row {order} (•••• {in_order[-4:]})" in evidence
    printed = done.stdout + done.stderr + till("doctor", "--pci", "--json", sign_in=False).stdout
    assert find_leaks([in_file, in_order], [posapp_home / "logs"], printed) == []


def test_a_file_named_like_a_card_number_is_found(till, posapp_home):
    number = random_pan("4", 16)
    (posapp_home / "data" / f"{number}.txt").write_text("nothing inside\n")
    done = till("doctor", "--pci", sign_in=False)
    assert done.returncode == 4
    assert f"the name of a file in {posapp_home / 'data'} (•••• {number[-4:]})" in done.stdout
    assert find_leaks([number], [posapp_home / "logs"], done.stdout + done.stderr) == []


@pytest.fixture
def mysql_till(posapp, tmp_path, mysql_db):
    config = tmp_path / "posapp.toml"
    config.write_text(f'[workstation]\nid = "till-07"\n\n[orders]\nurl = "{mysql_db.url}"\n')

    def run(*args, **options):
        return posapp("--config", str(config), *args, env={"POSAPP_ORDERS_PASSWORD": POS_PASSWORD}, **options)

    assert run("provision").returncode == 0
    assert cli_sale(run).returncode == 0
    return run


def test_a_card_number_written_into_mariadb_with_sql_is_found(mysql_till, mariadb, mysql_db, posapp_home):
    before = {line["requirement"]: line for line in lines(mysql_till("doctor", "--pci", sign_in=False))}
    assert before["4.2.1"]["status"] == "PASS"  # a server on this computer needs no TLS
    assert before["12.5.2"]["status"] == "PASS", before["12.5.2"]["evidence"]
    # No keyring here: the local vault's key file beside an order history other tills share.
    assert before["3.6.1.2"]["status"] == "FAIL" and "while the order history is shared" in before["3.6.1.2"]["evidence"]
    number = random_pan("3", 15)
    mariadb.execute("INSERT INTO OrderHistory (OrderName, Description, captured_minor, refunded_minor) "
                    "VALUES ('Legacy', %s, 0, 0)", f"card {number[:4]}-{number[4:10]}-{number[10:]}",
                    database=mysql_db.name)
    [(order,)] = mariadb.execute("SELECT MAX(UserPaymentAccountID) FROM OrderHistory", database=mysql_db.name)
    done = mysql_till("doctor", "--pci", "--json", sign_in=False)
    assert done.returncode == 4, done.stderr
    [discovery] = [check for check in json.loads(done.stdout)["checks"] if check["requirement"] == "12.5.2"]
    assert discovery["status"] == "FAIL"
    assert discovery["evidence"] == f"1 card number found: OrderHistory.Description row {order} (•••• {number[-4:]})"
    assert find_leaks([number], [posapp_home / "logs"], done.stdout + done.stderr) == []


def test_a_backend_that_cannot_be_asked_fails_its_checks_with_the_reason(posapp, tmp_path):
    config = tmp_path / "dead.toml"
    config.write_text(f'[orders]\nurl = "mysql+pymysql://pos@127.0.0.1:{free_port()}/posapp_gone"\n')
    done = posapp("--config", str(config), "doctor", "--pci", env={"POSAPP_ORDERS_PASSWORD": "x"}, sign_in=False)
    assert done.returncode == 4 and "Traceback" not in done.stdout + done.stderr
    found = {line["requirement"]: line for line in lines(done)}
    assert list(found) == REQUIREMENTS
    for requirement in ("8.3.6", "10.3.2", "12.5.2"):
        assert found[requirement]["status"] == "FAIL"
        assert "cannot be reached" in found[requirement]["evidence"], found[requirement]


def test_a_dynamodb_till_held_to_the_till_policy_passes_and_finds_a_card_in_mariadb(
        posapp, tmp_path, moto_endpoint, kms_key_arn, mysql_db, mariadb, posapp_home):
    table = f"vault-{uuid.uuid4().hex[:12]}"
    configs = {}
    for role in ("admin", "till"):
        configs[role] = tmp_path / f"{role}.toml"
        configs[role].write_text(
            f'[workstation]\nid = "till-31"\nrole = "{role}"\n\n[orders]\nurl = "{mysql_db.url}"\n\n'
            f'[vault]\nbackend = "dynamodb"\ntable = "{table}"\nregion = "{REGION}"\n'
            f'endpoint_url = "{moto_endpoint}"\nkms_key_id = "{kms_key_arn}"\n')

    def run(role, *args, **options):
        held = hook_environment(["TillPolicy"], Stack(table, kms_key_arn)) if role == "till" else {}
        return posapp("--config", str(configs[role]), *args,
                      env={**AWS_ENV, "POSAPP_ORDERS_PASSWORD": POS_PASSWORD, **held}, **options)

    assert run("admin", "provision").returncode == 0
    aws_client("kms", moto_endpoint).enable_key_rotation(KeyId=kms_key_arn)
    assert cli_sale(lambda *args, **options: run("till", *args, **options)).returncode == 0
    done = run("till", "doctor", "--pci", sign_in=False)
    assert done.returncode == 0, done.stdout + done.stderr
    found = {line["requirement"]: line for line in lines(done)}
    assert found["7.2.2"]["status"] == found["3.7.4"]["status"] == found["12.5.2"]["status"] == "PASS"

    number = random_pan("4", 19)
    mariadb.execute("UPDATE OrderHistory SET OrderName = %s", f"paid with {number}", database=mysql_db.name)
    done = run("till", "doctor", "--pci", "--json", sign_in=False)
    assert done.returncode == 4
    [discovery] = [check for check in json.loads(done.stdout)["checks"] if check["requirement"] == "12.5.2"]
    assert discovery["evidence"].startswith("1 card number found: OrderHistory.OrderName row ")
    assert discovery["evidence"].endswith(f"(•••• {number[-4:]})")
    assert find_leaks([number], [posapp_home / "logs"], done.stdout + done.stderr) == []
