"""packaging/aws/posapp-backend.yaml with tills of sealed materials, deployed into a moto server: the
back office's RSA key and the sealed till policy, then a shop whose workstations are set up from
SealedSetupArguments, each restricted to its role's policy (tests/iam_policy.py refuses the rest):
the till pins the key, is registered, sells with no KMS call, cannot read its card back; back
office reads it."""

import base64
import json
import tomllib

from awstest import AWS_ENV, aws_client
from cardgen import random_pan
from iam_policy import Policy, Refusals, Stack, hook_environment, refusing_connect
from kit import cli_sale
from leakscan import find_leaks
from mariadbtest import POS_PASSWORD
from test_aws_backend import POLICIES, configure, deploy, key_policy

from posapp.vault.aws import AwsClients

SEALED_TILL = "arn:aws:iam::123456789012:role/sealed-till"
SEALED_POLICIES = {**POLICIES, "till": ["TillSealedMaterialsPolicy"]}


def deployed_statements(moto_endpoint, policy_arn):
    iam = aws_client("iam", moto_endpoint)
    policy = iam.get_policy(PolicyArn=policy_arn)["Policy"]
    document = iam.get_policy_version(PolicyArn=policy["Arn"], VersionId=policy["DefaultVersionId"])
    deployed = document["PolicyVersion"]["Document"]
    return (json.loads(deployed) if isinstance(deployed, str) else deployed)["Statement"]


def test_sealed_tills_get_the_back_office_rsa_key_and_a_policy_that_decrypts_nothing(moto_endpoint):
    stack = deploy(moto_endpoint, sealed=SEALED_TILL)
    table, key, rsa_key = stack["VaultTable"], stack["KmsKeyArn"], stack["BackOfficeKeyArn"]
    assert stack["SealedSetupArguments"] == (f"--vault-backend dynamodb --vault-table {table} --vault-region "
                                             f"us-east-1 --vault-materials sealed --kms-key-id {rsa_key}")
    kms = aws_client("kms", moto_endpoint)
    metadata = kms.describe_key(KeyId=rsa_key)["KeyMetadata"]
    assert (metadata["KeyState"], metadata["KeySpec"], metadata["KeyUsage"]) == ("Enabled", "RSA_3072",
                                                                                  "ENCRYPT_DECRYPT")
    roles = stack["principals"]
    statements = key_policy(moto_endpoint, rsa_key)
    assert {sid: (statement["Principal"]["AWS"], statement["Action"]) for sid, statement in statements.items()
            if sid != "KeyAdministration"} == {
        "AdministratorsOpenSealedItems": ([roles["admin"]], "kms:Decrypt"),
        "BackOfficeOpensSealedItems": ([roles["backoffice"]], ["kms:Decrypt", "kms:GetPublicKey", "kms:DescribeKey"]),
        "SealedTillsReadThePublicKey": ([SEALED_TILL], ["kms:GetPublicKey", "kms:DescribeKey"])}
    # The vault key's policy does not name the sealed tills: they make no data key and decrypt nothing.
    assert all(SEALED_TILL not in statement["Principal"]["AWS"] for statement in key_policy(moto_endpoint,
                                                                                          key).values())
    where = Stack(table, key, rsa_key)
    for output, resource in [("TillSealedMaterialsPolicyArn", "TillSealedMaterialsPolicy"),
                             ("BackOfficePolicyArn", "BackOfficePolicy")]:
        assert deployed_statements(moto_endpoint, stack[output]) == Policy([resource], where).statements
    assert deployed_statements(moto_endpoint, stack["BackOfficePolicyArn"])[-1]["Resource"] == rsa_key


def test_a_sealed_till_sells_and_cannot_read_back_while_back_office_reads_the_card(
        moto_endpoint, mysql_db, posapp, posapp_home, tmp_path, monkeypatch, capsys):
    stack = deploy(moto_endpoint, sealed=SEALED_TILL)
    where = Stack(stack["VaultTable"], stack["KmsKeyArn"], stack["BackOfficeKeyArn"])
    configs = {role: configure(tmp_path / f"{role}.toml", stack, moto_endpoint, mysql_db.url, role, monkeypatch,
                               capsys, arguments="SealedSetupArguments") for role in ("admin", "backoffice")}
    # The till's setup, under its own policy: it fetches the public key (kms:GetPublicKey) and pins it.
    refusals = Refusals(Policy(SEALED_POLICIES["till"], where))
    with monkeypatch.context() as patched:
        patched.setattr(AwsClients, "connect", refusing_connect(refusals))
        configs["till"] = configure(tmp_path / "till.toml", stack, moto_endpoint, mysql_db.url, "till", patched,
                                    capsys, arguments="SealedSetupArguments")
    assert "kms:GetPublicKey" not in refusals.refused
    public_key = aws_client("kms", moto_endpoint).get_public_key(KeyId=stack["BackOfficeKeyArn"])["PublicKey"]
    assert tomllib.loads(configs["till"].read_text())["vault"]["back_office_key"] == base64.b64encode(
        public_key).decode()

    def run(role, *args, config=None, stdin=None):
        return posapp("--config", str(configs[config or role]), *args, stdin=stdin,
                      env={**AWS_ENV, "POSAPP_ORDERS_PASSWORD": POS_PASSWORD,
                           **hook_environment(SEALED_POLICIES[role], where)})

    provisioned = run("admin", "provision")
    assert provisioned.returncode == 0, provisioned.stderr
    assert run("admin", "till", "list").stdout == "No till is registered.\n"  # and the first operator is made
    # Not registered yet: the till holds no signing key nor audit key, and its role may not read the vault's.
    unregistered = cli_sale(lambda *args, **options: run("till", *args, **options))
    assert (unregistered.returncode, unregistered.stdout, unregistered.stderr) == (
        3, "", "posapp: this till holds no copy of the audit journal key, as it is not registered: an "
               "administrator runs 'posapp till register' on it\n")
    registered = run("admin", "till", "register", config="till")  # an administrator, on the till
    assert registered.returncode == 0, registered.stderr
    assert registered.stdout.startswith("Till till-01 registered with key sha256:"), registered.stdout
    doctor = run("till", "doctor")
    assert doctor.returncode == 0, doctor.stdout
    assert all(line.startswith("ok    ") for line in doctor.stdout.splitlines()), doctor.stdout
    assert "this till holds no key that opens it, as sealed materials intend" in doctor.stdout
    number = random_pan("4", 16)
    sold = cli_sale(lambda *args, **options: run("till", *args, **options), number, "--json")
    assert sold.returncode == 0, sold.stderr
    token = json.loads(sold.stdout)["token"]
    refused = run("till", "vault", "verify", "--all")
    assert (refused.returncode, refused.stdout, refused.stderr.count("\n")) == (5, "", 1), refused.stderr
    assert refused.stderr.startswith("posapp: ") and "run this on a back-office workstation" in refused.stderr
    verified = run("backoffice", "vault", "verify", "--all")
    assert (verified.returncode, verified.stdout.splitlines()[0]) == (0, "Checked 1 vault item and 1 order: all "
                                                                         "intact."), verified.stdout + verified.stderr
    shown = run("backoffice", "vault", "verify", token)
    assert shown.returncode == 0, shown.stderr
    for role in ("backoffice", "admin"):  # each opens a key sealed for back office through KMS
        checked = run(role, "doctor")
        assert checked.returncode == 0, checked.stdout
        assert "opened through KMS (sealed materials)" in checked.stdout
    printed = "".join(done.stdout + done.stderr for done in (registered, doctor, sold, refused, verified, shown))
    assert find_leaks([number], [posapp_home, tmp_path], printed) == []
