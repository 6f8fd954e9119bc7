"""``doctor --pci`` on a till with the DynamoDB vault (KMS and DynamoDB in moto, in process) and
its order history in MariaDB: held to the till policy it fails nothing; wider credentials and a
key that does not rotate fail."""

import uuid

import botocore.exceptions
import pytest
from awstest import aws_client
from kit import sell
from mariadbtest import POS_PASSWORD

from posapp import app, config, pci
from posapp.__main__ import main
from posapp.pci.base import Status
from posapp.vault.aws import AwsClients
from posapp.vault.base import is_token


def refuse(operation: str):
    raise botocore.exceptions.ClientError({"Error": {"Code": "AccessDeniedException", "Message": "not allowed"}},
                                          operation)


def till_policy(clients: AwsClients) -> None:
    """Refuse what the till policy does not allow, as AWS would: listing the vault, reading a card
    item, and decrypting anything but the audit journal's key."""
    def scan(params, **_):
        refuse("Scan")

    def get_item(params, **_):
        if is_token(params["Key"].get("token", {}).get("S")):
            refuse("GetItem")

    def decrypt(params, **_):
        if params.get("EncryptionContext", {}).get("posapp") != "audit journal key":
            refuse("Decrypt")

    events = clients.dynamodb.meta.events
    events.register("before-parameter-build.dynamodb.Scan", scan)
    events.register("before-parameter-build.dynamodb.GetItem", get_item)
    clients.kms.meta.events.register("before-parameter-build.kms.Decrypt", decrypt)


@pytest.fixture
def aws_settings(key_arn, mysql_db, tmp_path, posapp_home, monkeypatch):
    monkeypatch.setenv("POSAPP_ORDERS_PASSWORD", POS_PASSWORD)

    def write(role: str = "till", *, path_only: bool = False):
        path = tmp_path / f"{role}.toml"
        path.write_text(f'[workstation]\nid = "till-09"\nrole = "{role}"\n\n'
                        f'[vault]\nbackend = "dynamodb"\nregion = "us-east-1"\nkms_key_id = "{key_arn}"\n'
                        f'table = "{table}"\n\n[orders]\nurl = "{mysql_db.url}"\n')
        return path if path_only else config.load(path)

    table = f"vault-{uuid.uuid4().hex[:12]}"
    app.build(write("admin")).provision()
    return write


@pytest.fixture
def held_to_the_till_policy(monkeypatch):
    connect = AwsClients.connect

    def connect_held(**options):
        clients = connect(**options)
        till_policy(clients)
        return clients

    monkeypatch.setattr(AwsClients, "connect", connect_held)


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
        Status.FAIL, "automatic rotation of the vault's KMS key is off: turn it on (aws kms enable-key-rotation)")


def test_the_back_office_reads_cards_by_design(aws_settings):
    status, evidence = pci.vault_checks.permissions(app.build(aws_settings("backoffice")))
    assert status is Status.PASS and "reads and bills stored cards by design" in evidence
