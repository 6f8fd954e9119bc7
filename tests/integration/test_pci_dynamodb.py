"""``doctor --pci`` on a till with the DynamoDB vault (KMS and DynamoDB in moto, in process) and
its order history in MariaDB: held to the template's till policy (tests/iam_policy.py) it fails
nothing; wider credentials and a key that does not rotate fail."""

import uuid

import pytest
from awstest import aws_client
from iam_policy import Policy, Refusals, Stack
from kit import sell
from mariadbtest import POS_PASSWORD

from posapp import app, config, pci
from posapp.__main__ import main
from posapp.pci.base import Status
from posapp.vault.aws import AwsClients


@pytest.fixture
def table():
    return f"vault-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def aws_settings(key_arn, table, mysql_db, tmp_path, posapp_home, monkeypatch):
    monkeypatch.setenv("POSAPP_ORDERS_PASSWORD", POS_PASSWORD)

    def write(role: str = "till", *, materials: str = "direct", path_only: bool = False):
        path = tmp_path / f"{role}-{materials}.toml"
        path.write_text(f'[workstation]\nid = "till-09"\nrole = "{role}"\n\n'
                        f'[vault]\nbackend = "dynamodb"\nregion = "us-east-1"\nkms_key_id = "{key_arn}"\n'
                        f'table = "{table}"\nmaterials = "{materials}"\n\n[orders]\nurl = "{mysql_db.url}"\n')
        return path if path_only else config.load(path)

    app.build(write("admin", materials="cached")).provision()  # the meta table of cached materials too
    return write


def hold_to(monkeypatch, policies: list[str], key_arn: str, table: str) -> Refusals:
    """Every vault client posapp makes from now on refuses what ``policies`` of the template do not allow."""
    refusals = Refusals(Policy(policies, Stack(table, key_arn)))
    connect = AwsClients.connect.__func__

    def connect_refusing(cls, **options):
        clients = connect(cls, **options)
        refusals.install(clients.dynamodb, clients.kms, clients.dynamodb_resource.meta.client)
        return clients

    monkeypatch.setattr(AwsClients, "connect", classmethod(connect_refusing))
    return refusals


@pytest.fixture
def held_to_the_till_policy(monkeypatch, key_arn, table):
    return hold_to(monkeypatch, ["TillPolicy"], key_arn, table)


def findings(services):
    return {finding.requirement: finding for finding in pci.run(services)}


def test_a_till_held_to_its_policy_with_a_rotating_key_fails_nothing(aws_settings, key_arn, held_to_the_till_policy,
                                                                    capsys):
    aws_client("kms").enable_key_rotation(KeyId=key_arn)
    till = app.build(aws_settings("till"))
    sell(till)
    found = findings(till)
    assert {finding.status for finding in found.values()} <= {Status.PASS, Status.WARN}, found
    assert found["7.2.2"].evidence == "nothing beyond the till policy: reading the vault and decrypting cards were refused"
    assert found["3.7.4"].evidence == "automatic rotation of the vault's KMS key is on"
    assert found["3.6.1.2"].status is Status.PASS
    assert found["12.5.2"].status is Status.PASS
    assert found["3.2.1"].evidence == ("[vault] retention_days = 400; stored cards not counted: the till role may not "
                                       "list the vault's items (run 'posapp doctor --pci' on a back-office workstation)")
    assert {"dynamodb:Scan", "dynamodb:GetItem", "kms:Decrypt"} <= set(held_to_the_till_policy.refused)  # the probes
    config_file = aws_settings("till", path_only=True)
    assert main(["--config", str(config_file), "doctor", "--pci"]) == 0
    assert "7.2.2    AWS permissions within the role   PASS" in capsys.readouterr().out


def test_credentials_wider_than_the_till_policy_and_a_key_that_does_not_rotate_fail(aws_settings, key_arn):
    aws_client("kms").disable_key_rotation(KeyId=key_arn)
    found = findings(app.build(aws_settings("till")))
    assert (found["7.2.2"].status, found["7.2.2"].evidence) == (
        Status.FAIL, "these credentials may do more than the till policy allows: dynamodb:Scan, "
                     "dynamodb:GetItem on cards, kms:Decrypt beyond the audit key")
    assert (found["3.7.4"].status, found["3.7.4"].evidence) == (
        Status.FAIL, "automatic rotation of the vault's KMS key is off: turn it on ('posapp doctor' prints the aws "
                     "kms enable-key-rotation command for this key)")


def test_the_back_office_reads_cards_by_design_and_counts_their_expiry(aws_settings):
    till = app.build(aws_settings("till"))
    sell(till)
    back_office = app.build(aws_settings("backoffice"))
    status, evidence = pci.vault_checks.permissions(back_office)
    assert status is Status.PASS and "reads and bills stored cards by design" in evidence
    assert pci.vault_checks.retention(back_office) == (
        Status.PASS, "[vault] retention_days = 400; every stored card carries its expiry (expires_at): 1 card")


def test_a_till_with_cached_materials_is_warned_that_it_can_decrypt_cards(aws_settings, key_arn, table, monkeypatch):
    hold_to(monkeypatch, ["TillPolicy", "TillCachedMaterialsPolicy"], key_arn, table)
    till = app.build(aws_settings("till", materials="cached"))
    sell(till)
    status, evidence = pci.vault_checks.permissions(till)
    assert status is Status.WARN and "decrypt key material that also decrypts every card" in evidence
