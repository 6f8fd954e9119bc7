"""tests/iam_policy.py reads the template's policies as IAM would: the refusals the till-policy
tests rely on are only as good as this evaluator."""

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st
from iam_policy import Policy, Stack, request

KEY = "arn:aws:kms:eu-west-1:111122223333:key/0b1c2d3e-aaaa-bbbb-cccc-0123456789ab"
STACK = Stack("shop-vault", KEY)
TILL = Policy(["TillPolicy"], STACK)
AUDIT = {"posapp": "audit journal key", "table": "shop-vault"}


def allowed(policy, service, operation, **params):
    return all(policy.allows(f"{service}:{operation}", resource, context)
               for resource, context in request(policy.stack, service, operation, params))


@given(st.uuids(version=4))
def test_a_till_may_store_and_delete_a_card_but_never_read_or_update_it(token):
    key = {"token": {"S": str(token)}}
    assert allowed(TILL, "dynamodb", "PutItem", TableName="shop-vault", Item={**key, "pan": {"B": b"sealed"}})
    assert allowed(TILL, "dynamodb", "DeleteItem", TableName="shop-vault", Key=key)
    assert not allowed(TILL, "dynamodb", "GetItem", TableName="shop-vault", Key=key)
    assert not allowed(TILL, "dynamodb", "UpdateItem", TableName="shop-vault", Key=key)


BOOKKEEPING = ["posapp:vault-identity", "posapp:audit-key", "posapp:audit-anchors", "posapp:rekey"]


@given(st.text(min_size=1, max_size=40))
def test_a_till_reads_only_posapps_bookkeeping_items_and_stores_only_cards(name):
    key = {"token": {"S": name}}
    assert allowed(TILL, "dynamodb", "GetItem", TableName="shop-vault", Key=key) == name.startswith("posapp:")
    for operation in ("PutItem", "DeleteItem"):
        assert allowed(TILL, "dynamodb", operation, TableName="shop-vault",
                       **({"Item": key} if operation == "PutItem" else {"Key": key})) != name.startswith("posapp:")


@pytest.mark.parametrize("name", BOOKKEEPING)
def test_a_till_updates_only_the_journal_anchors_and_never_writes_bookkeeping(name):
    key = {"token": {"S": name}}
    assert allowed(TILL, "dynamodb", "GetItem", TableName="shop-vault", Key=key)
    assert allowed(TILL, "dynamodb", "UpdateItem", TableName="shop-vault",
                   Key=key) == (name == "posapp:audit-anchors")
    assert not allowed(TILL, "dynamodb", "PutItem", TableName="shop-vault", Item={**key, "vault_id": {"S": "x"}})
    assert not allowed(TILL, "dynamodb", "DeleteItem", TableName="shop-vault", Key=key)


def test_a_till_may_not_scan_batch_read_or_touch_another_table():
    assert not allowed(TILL, "dynamodb", "Scan", TableName="shop-vault")
    assert not allowed(TILL, "dynamodb", "BatchGetItem", RequestItems={"shop-vault": {"Keys": [
        {"token": {"S": "posapp:vault-identity"}}]}})
    assert allowed(TILL, "dynamodb", "DescribeTable", TableName="shop-vault")
    assert not allowed(TILL, "dynamodb", "DescribeTable", TableName="another-vault")
    assert not allowed(TILL, "dynamodb", "PutItem", TableName="shop-vault-meta", Item={"N": {"S": "x"}})


def test_a_till_decrypts_only_the_audit_journal_key():
    assert allowed(TILL, "kms", "GenerateDataKey", KeyId=KEY, EncryptionContext={"*aws-kms-table*": "shop-vault"})
    assert allowed(TILL, "kms", "Decrypt", KeyId=KEY, CiphertextBlob=b"x", EncryptionContext=AUDIT)
    assert allowed(TILL, "kms", "Decrypt", CiphertextBlob=b"x", EncryptionContext=AUDIT)  # the blob names the key
    assert not allowed(TILL, "kms", "Decrypt", KeyId=KEY, CiphertextBlob=b"x")
    assert not allowed(TILL, "kms", "Decrypt", KeyId=KEY, CiphertextBlob=b"x",  # another vault's audit key
                       EncryptionContext={**AUDIT, "table": "another-vault"})
    assert not allowed(TILL, "kms", "Decrypt", KeyId=KEY, CiphertextBlob=b"x",
                       EncryptionContext={"*aws-kms-table*": "shop-vault", "token": str(uuid.uuid4())})
    assert not allowed(TILL, "kms", "GenerateDataKey", KeyId=KEY.replace("111122223333", "444455556666"))


def test_wildcards_and_several_policies():
    admin = Policy(["AdministratorPolicy"], STACK)
    other_key = KEY.replace("0b1c2d3e", "99999999")  # another key of the account: re-keying moves to it
    assert allowed(admin, "kms", "ReEncryptFrom", KeyId=other_key)
    assert not allowed(admin, "kms", "ScheduleKeyDeletion", KeyId=KEY)
    cached = Policy(["TillPolicy", "TillCachedMaterialsPolicy"], STACK)
    assert allowed(cached, "kms", "Decrypt", KeyId=KEY, CiphertextBlob=b"x")
    assert allowed(cached, "dynamodb", "Query", TableName="shop-vault-meta")
    assert not allowed(cached, "dynamodb", "GetItem", TableName="shop-vault", Key={"token": {"S": str(uuid.uuid4())}})


TILL_ITEM = {"token": {"S": "posapp:till:till-01"}}


def test_only_administrators_write_the_till_registry_and_back_office_and_tills_read_it():
    back_office, admin = Policy(["BackOfficePolicy"], STACK), Policy(["AdministratorPolicy"], STACK)
    for policy in (TILL, back_office, admin):
        assert allowed(policy, "dynamodb", "GetItem", TableName="shop-vault", Key=TILL_ITEM)
    for policy, writes in ((TILL, False), (back_office, False), (admin, True)):
        assert allowed(policy, "dynamodb", "PutItem", TableName="shop-vault", Item=TILL_ITEM) == writes
        assert allowed(policy, "dynamodb", "UpdateItem", TableName="shop-vault", Key=TILL_ITEM) == writes
        assert allowed(policy, "dynamodb", "DeleteItem", TableName="shop-vault", Key=TILL_ITEM) == writes
        assert allowed(policy, "dynamodb", "BatchWriteItem", RequestItems={"shop-vault": [
            {"PutRequest": {"Item": TILL_ITEM}}]}) == writes
    # Back office still reconciles and imports cards, and keeps its other bookkeeping items.
    card = {"token": {"S": str(uuid.uuid4())}}
    assert allowed(back_office, "dynamodb", "DeleteItem", TableName="shop-vault", Key=card)
    assert allowed(back_office, "dynamodb", "BatchWriteItem", RequestItems={"shop-vault": [
        {"PutRequest": {"Item": card}}]})
    assert allowed(back_office, "dynamodb", "UpdateItem", TableName="shop-vault",
                   Key={"token": {"S": "posapp:vault-identity"}})


def condition_policy(tmp_path, operator, expected):
    """A one-statement policy allowing dynamodb:GetItem under ``operator`` on dynamodb:LeadingKeys."""
    template = tmp_path / "t.yaml"
    template.write_text("Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n"
                        "      PolicyDocument:\n        Statement:\n          - Effect: Allow\n"
                        "            Action: dynamodb:GetItem\n            Resource: '*'\n"
                        f"            Condition:\n              {operator}:\n"
                        f"                dynamodb:LeadingKeys: {expected!r}\n")
    return Policy(["P"], STACK, template)


@pytest.mark.parametrize(("operator", "expected", "holds_for"), [
    ("StringEquals", "posapp:rekey", ["posapp:rekey"]),
    ("StringLike", "posapp:*", ["posapp:rekey", "posapp:"]),
    ("ForAllValues:StringEquals", "posapp:rekey", ["posapp:rekey"]),
    ("ForAllValues:StringLike", "posapp:*", ["posapp:rekey", "posapp:"]),
    ("ForAllValues:StringNotLike", "posapp:*", ["Posapp:rekey", "c0ffee", "x-posapp:1"]),
])
def test_the_condition_operators_test_each_leading_key(tmp_path, operator, expected, holds_for):
    policy = condition_policy(tmp_path, operator, expected)
    for name in ["posapp:rekey", "posapp:", "Posapp:rekey", "c0ffee", "x-posapp:1"]:
        assert policy.allows("dynamodb:GetItem", "t", {"dynamodb:LeadingKeys": [name]}) == (name in holds_for)
    # Several keys (a batch): ForAllValues needs every one to pass, a plain operator any one.
    mixed = {"dynamodb:LeadingKeys": ["posapp:rekey", "c0ffee"]}
    assert policy.allows("dynamodb:GetItem", "t", mixed) == (not operator.startswith("ForAllValues"))
    # No key at all: "for all values" holds vacuously, as in IAM; a plain operator fails.
    assert policy.allows("dynamodb:GetItem", "t", {}) == operator.startswith("ForAllValues")


def test_an_element_the_evaluator_does_not_know_fails_loudly(tmp_path):
    template = tmp_path / "t.yaml"
    template.write_text("Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n"
                        "      PolicyDocument:\n        Statement:\n          - Effect: Allow\n"
                        "            Action: kms:Decrypt\n            Resource: '*'\n"
                        "            Condition:\n              StringNotEquals:\n                kms:ViaService: x\n")
    policy = Policy(["P"], STACK, template)
    with pytest.raises(ValueError, match="StringNotEquals"):
        allowed(policy, "kms", "Decrypt", KeyId=KEY)
    with pytest.raises(ValueError, match="StringNotLike"):  # a plain negated test: IAM's absent-key rule
        condition_policy(tmp_path, "StringNotLike", "posapp:*").allows("dynamodb:GetItem", "t", {})
    template.write_text(template.read_text().replace("Effect: Allow", "Effect: Deny"))
    with pytest.raises(ValueError, match="only Allow"):
        Policy(["P"], STACK, template)
