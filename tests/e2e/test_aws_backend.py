"""packaging/aws/posapp-backend.yaml: cfn-lint passes, the stack deploys into a moto server through
the CloudFormation API, and posapp set up from its outputs works, each workstation restricted to
its role's policy (tests/iam_policy.py refuses the rest in the posapp subprocess)."""

import io
import json
import subprocess
import sys
import tomllib
import uuid
from pathlib import Path

import pytest
from awstest import AWS_ENV, aws_client
from cardgen import random_pan
from iam_policy import TEMPLATE, Policy, Stack, hook_environment
from kit import cli_sale
from leakscan import find_leaks
from mariadbtest import POS_PASSWORD

from posapp.__main__ import main

POLICIES = {"till": ["TillPolicy"], "backoffice": ["BackOfficePolicy"], "admin": ["AdministratorPolicy"]}


def test_cfn_lint_passes_on_the_template():
    done = subprocess.run([str(Path(sys.executable).parent / "cfn-lint"), str(TEMPLATE)], capture_output=True,
                          text=True, timeout=300)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def deploy(moto_endpoint, **principals):
    """The template deployed into the moto server at ``moto_endpoint`` as an administrator would, with
    these ``...Principals`` parameters (``till="ARN"`` for TillPrincipals, ``backoffice``, ``admin``,
    ``cached``, ``sealed``; the first three made up where not given): its outputs by name, and
    "principals" by role. moto's CloudFormation is patched to make keys as AWS does (tests/moto_cfn.py)."""
    table = f"shop-{uuid.uuid4().hex[:10]}"
    principals = {**{role: f"arn:aws:iam::123456789012:role/{table}-{role}" for role in POLICIES}, **principals}
    parameters = {"till": "TillPrincipals", "backoffice": "BackOfficePrincipals", "admin": "AdministratorPrincipals",
                  "cached": "CachedMaterialsTillPrincipals", "sealed": "SealedMaterialsTillPrincipals"}
    cloudformation = aws_client("cloudformation", moto_endpoint)
    cloudformation.create_stack(
        StackName=table, TemplateBody=TEMPLATE.read_text(), Capabilities=["CAPABILITY_NAMED_IAM"], Parameters=[
            {"ParameterKey": "TableName", "ParameterValue": table},
            *({"ParameterKey": parameters[role], "ParameterValue": arn} for role, arn in principals.items())])
    cloudformation.get_waiter("stack_create_complete").wait(StackName=table,
                                                            WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    [described] = cloudformation.describe_stacks(StackName=table)["Stacks"]
    return {**{output["OutputKey"]: output["OutputValue"] for output in described["Outputs"]},
            "principals": principals}


def key_policy(moto_endpoint, key_arn):
    """The statements of ``key_arn``'s key policy, by Sid."""
    policy = aws_client("kms", moto_endpoint).get_key_policy(KeyId=key_arn, PolicyName="default")["Policy"]
    return {statement["Sid"]: statement for statement in json.loads(policy)["Statement"]}


@pytest.fixture
def stack(moto_endpoint):
    """The template deployed with tills, back office and administrators only."""
    return deploy(moto_endpoint)


def test_the_stack_creates_the_key_tables_and_policies(stack, moto_endpoint):
    table, key = stack["VaultTable"], stack["KmsKeyArn"]
    assert (stack["MetaTable"], stack["Region"]) == (f"{table}-meta", "us-east-1")
    assert stack["SetupArguments"] == (f"--vault-backend dynamodb --vault-table {table} --vault-region us-east-1 "
                                       f"--kms-key-id {key}")
    kms = aws_client("kms", moto_endpoint)
    metadata = kms.describe_key(KeyId=key)["KeyMetadata"]
    assert (metadata["KeyState"], metadata["KeySpec"], metadata["KeyUsage"]) == ("Enabled", "SYMMETRIC_DEFAULT",
                                                                                  "ENCRYPT_DECRYPT")
    assert kms.get_key_rotation_status(KeyId=key)["KeyRotationEnabled"] is True
    statements = key_policy(moto_endpoint, key)
    principals = {sid: statement["Principal"]["AWS"] for sid, statement in statements.items()}
    roles = stack["principals"]
    assert principals == {"KeyAdministration": [roles["admin"]], "AdministratorsUseTheKey": [roles["admin"]],
                          "TillsStoreCards": [roles["till"]], "TillsReadOnlyTheAuditJournalKey": [roles["till"]],
                          "BackOfficeReadsCards": [roles["backoffice"]]}  # no cached-materials tills asked for
    assert {"BackOfficeKeyArn", "SealedSetupArguments", "TillSealedMaterialsPolicyArn"}.isdisjoint(stack)
    assert statements["TillsStoreCards"]["Action"] == ["kms:GenerateDataKey", "kms:DescribeKey",
                                                       "kms:GetKeyRotationStatus"]
    assert statements["TillsReadOnlyTheAuditJournalKey"]["Condition"] == {
        "StringEquals": {"kms:EncryptionContext:posapp": "audit journal key", "kms:EncryptionContext:table": table}}
    dynamodb = aws_client("dynamodb", moto_endpoint)
    vault = dynamodb.describe_table(TableName=table)["Table"]
    assert vault["KeySchema"] == [{"AttributeName": "token", "KeyType": "HASH"}]
    assert vault["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert vault["DeletionProtectionEnabled"] is True
    meta = dynamodb.describe_table(TableName=f"{table}-meta")["Table"]
    assert meta["KeySchema"] == [{"AttributeName": "N", "KeyType": "HASH"}, {"AttributeName": "V", "KeyType": "RANGE"}]
    # moto resolved the template's references as tests/iam_policy.py resolves them for its refusals.
    iam = aws_client("iam", moto_endpoint)
    for output, resource in [("TillPolicyArn", "TillPolicy"), ("TillCachedMaterialsPolicyArn",
                                                                 "TillCachedMaterialsPolicy"),
                             ("BackOfficePolicyArn", "BackOfficePolicy"), ("AdministratorPolicyArn",
                                                                           "AdministratorPolicy")]:
        policy = iam.get_policy(PolicyArn=stack[output])["Policy"]
        document = iam.get_policy_version(PolicyArn=policy["Arn"], VersionId=policy["DefaultVersionId"])
        deployed = document["PolicyVersion"]["Document"]
        deployed = json.loads(deployed) if isinstance(deployed, str) else deployed
        assert deployed["Statement"] == Policy([resource], Stack(table, key)).statements


def test_tills_with_cached_materials_are_named_in_a_key_policy_statement_of_their_own(moto_endpoint):
    till = "arn:aws:iam::123456789012:role/cached-till"
    statements = key_policy(moto_endpoint, deploy(moto_endpoint, cached=till)["KmsKeyArn"])
    cached = statements["CachedMaterialsTillsDecryptEverything"]
    assert (cached["Principal"]["AWS"], cached["Action"][0], "Condition" in cached) == ([till], "kms:Decrypt", False)


def configure(path, stack, endpoint, orders_url, role, monkeypatch, capsys, arguments="SetupArguments"):
    """``posapp setup`` from the stack's outputs (``arguments`` names the one with the vault's
    options), in this process (its keyring takes the password)."""
    monkeypatch.setattr("sys.stdin", io.StringIO(POS_PASSWORD + "\n"))
    for name, value in AWS_ENV.items():
        monkeypatch.setenv(name, value)
    main(["--config", str(path), "setup", "--workstation-id", f"{role}-01", "--workstation-role", role,
          *stack[arguments].split(), "--vault-endpoint-url", endpoint, "--orders-url", orders_url,
          "--orders-password-stdin"])
    assert f"Settings written to {path}" in capsys.readouterr().out
    return path


def test_workstations_set_up_from_the_outputs_do_what_their_role_allows(stack, moto_endpoint, mysql_db, posapp,
                                                                       posapp_home, tmp_path, monkeypatch, capsys):
    where = Stack(stack["VaultTable"], stack["KmsKeyArn"])
    configs = {role: configure(tmp_path / f"{role}.toml", stack, moto_endpoint, mysql_db.url, role, monkeypatch,
                               capsys) for role in POLICIES}
    assert tomllib.loads(configs["till"].read_text())["workstation"] == {"id": "till-01", "role": "till"}

    def run(role, *args, stdin=None):
        return posapp("--config", str(configs[role]), *args, stdin=stdin,
                      env={**AWS_ENV, "POSAPP_ORDERS_PASSWORD": POS_PASSWORD,
                           **hook_environment(POLICIES[role], where)})

    provisioned = run("admin", "provision")
    assert provisioned.returncode == 0, provisioned.stderr
    doctor = run("till", "doctor")
    assert doctor.returncode == 0, doctor.stdout
    assert all(line.startswith("ok    ") for line in doctor.stdout.splitlines()), doctor.stdout
    assert "ok    KMS key rotation: automatic rotation on" in doctor.stdout
    assert "reading it back was refused, as the till role intends" in doctor.stdout
    number = random_pan("4", 16)
    sold = cli_sale(lambda *args, **options: run("till", *args, **options), number, "--json")
    assert sold.returncode == 0, sold.stderr
    token = json.loads(sold.stdout)["token"]
    for refused, action in [(("vault", "verify", "--all"), "dynamodb:Scan"),
                            (("vault", "verify", token), "dynamodb:GetItem")]:
        result = run("till", *refused)
        assert (result.returncode, result.stderr) == (5, f"posapp: this till's AWS role may not read cards "
                                                         f"({action} is refused): run this on a back-office "
                                                         "workstation\n")
    verified = run("backoffice", "vault", "verify", "--all")
    assert (verified.returncode, verified.stdout.splitlines()[0]) == (0, "Checked 1 vault item and 1 order: all intact.")
    reconciled = run("backoffice", "vault", "reconcile")
    assert reconciled.returncode == 0, reconciled.stderr
    for role in ("backoffice", "admin"):  # their round trip reads the item back
        checked = run(role, "doctor")
        assert checked.returncode == 0, checked.stdout
        assert "ok    encryption round trip: an item was encrypted, signed and read back" in checked.stdout
    printed = "".join(done.stdout + done.stderr for done in (doctor, sold, verified, reconciled))
    assert find_leaks([number], [posapp_home, tmp_path], printed) == []
