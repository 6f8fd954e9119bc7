"""Sealed materials in packaging/aws/posapp-backend.yaml, read as IAM would (tests/iam_policy.py): a
sealed till stores cards and reads the back office's public key, and decrypts with no key at all;
back office and administrators open sealed items with the RSA key."""

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st
from iam_policy import Policy, Stack, request

KEY = "arn:aws:kms:eu-west-1:111122223333:key/0b1c2d3e-aaaa-bbbb-cccc-0123456789ab"
RSA_KEY = "arn:aws:kms:eu-west-1:111122223333:key/5ea1ed00-aaaa-bbbb-cccc-0123456789ab"
STACK = Stack("shop-vault", KEY, RSA_KEY)
SEALED = Policy(["TillSealedMaterialsPolicy"], STACK)
TILL = Policy(["TillPolicy"], STACK)
BACK_OFFICE = Policy(["BackOfficePolicy"], STACK)
ADMIN = Policy(["AdministratorPolicy"], STACK)
AUDIT = {"posapp": "audit journal key", "table": "shop-vault"}
OAEP = {"EncryptionAlgorithm": "RSAES_OAEP_SHA_256"}


def allowed(policy, service, operation, **params):
    return all(policy.allows(f"{service}:{operation}", resource, context)
               for resource, context in request(policy.stack, service, operation, params))


@given(st.uuids(version=4))
def test_a_sealed_till_stores_and_deletes_cards_but_never_reads_one(token):
    key = {"token": {"S": str(token)}}
    assert allowed(SEALED, "dynamodb", "PutItem", TableName="shop-vault", Item={**key, "pan": {"B": b"sealed"}})
    assert allowed(SEALED, "dynamodb", "DeleteItem", TableName="shop-vault", Key=key)
    for operation in ("GetItem", "UpdateItem"):
        assert not allowed(SEALED, "dynamodb", operation, TableName="shop-vault", Key=key)
    assert not allowed(SEALED, "dynamodb", "Scan", TableName="shop-vault")
    assert not allowed(SEALED, "dynamodb", "BatchGetItem", RequestItems={"shop-vault": {"Keys": [key]}})


def test_a_sealed_till_reads_the_back_office_public_key_and_decrypts_with_no_key():
    for operation in ("GetPublicKey", "DescribeKey"):
        assert allowed(SEALED, "kms", operation, KeyId=RSA_KEY)
        assert not allowed(SEALED, "kms", operation, KeyId=KEY)  # the vault key is none of its business
    for key in (KEY, RSA_KEY):
        assert not allowed(SEALED, "kms", "Decrypt", KeyId=key, CiphertextBlob=b"x", **OAEP)
        assert not allowed(SEALED, "kms", "Decrypt", KeyId=key, CiphertextBlob=b"x", EncryptionContext=AUDIT)
        for operation in ("GenerateDataKey", "Encrypt", "ReEncryptFrom", "GetKeyRotationStatus"):
            assert not allowed(SEALED, "kms", operation, KeyId=key)
    assert not allowed(SEALED, "kms", "Decrypt", CiphertextBlob=b"x", EncryptionContext=AUDIT)  # the blob's key


def test_a_sealed_till_has_the_till_policys_table_rights_word_for_word():
    def table_statements(policy):
        return [each for each in policy.statements if "dynamodb:" in str(each["Action"])]

    assert table_statements(SEALED) == table_statements(TILL) and len(table_statements(TILL)) == 4


@pytest.mark.parametrize("policy", [TILL, SEALED], ids=["direct", "sealed"])
def test_no_till_writes_the_till_registry_or_other_bookkeeping(policy):
    for name in ("posapp:till:till-01", "posapp:vault-identity", "posapp:audit-key", "posapp:rekey"):
        key = {"token": {"S": name}}
        assert allowed(policy, "dynamodb", "GetItem", TableName="shop-vault", Key=key)
        assert not allowed(policy, "dynamodb", "PutItem", TableName="shop-vault", Item={**key, "till_id": {"S": "x"}})
        assert not allowed(policy, "dynamodb", "UpdateItem", TableName="shop-vault", Key=key)
        assert not allowed(policy, "dynamodb", "DeleteItem", TableName="shop-vault", Key=key)
    assert allowed(policy, "dynamodb", "UpdateItem", TableName="shop-vault",
                   Key={"token": {"S": "posapp:audit-anchors"}})


def test_back_office_and_administrators_open_sealed_items_with_the_rsa_key():
    for policy in (BACK_OFFICE, ADMIN):
        assert allowed(policy, "kms", "Decrypt", KeyId=RSA_KEY, CiphertextBlob=b"x", **OAEP)
        assert allowed(policy, "kms", "GetPublicKey", KeyId=RSA_KEY)
        assert allowed(policy, "kms", "DescribeKey", KeyId=RSA_KEY)
        assert allowed(policy, "dynamodb", "GetItem", TableName="shop-vault",
                       Key={"token": {"S": "posapp:till:till-01"}})  # the till registry
    assert not allowed(BACK_OFFICE, "kms", "GenerateDataKey", KeyId=RSA_KEY)
    assert not allowed(BACK_OFFICE, "kms", "GetPublicKey", KeyId=KEY)


def test_without_sealed_tills_there_is_no_rsa_key_to_allow():
    direct = Stack("shop-vault", KEY)
    with pytest.raises(ValueError, match="HasSealedMaterialsTills"):
        Policy(["TillSealedMaterialsPolicy"], direct)
    back_office = Policy(["BackOfficePolicy"], direct)
    assert [each["Sid"] for each in back_office.statements] == [
        each["Sid"] for each in BACK_OFFICE.statements if each["Sid"] != "OpenSealedItems"]
    assert not allowed(back_office, "kms", "Decrypt", KeyId=RSA_KEY, CiphertextBlob=b"x", **OAEP)
    assert allowed(back_office, "kms", "Decrypt", KeyId=KEY, CiphertextBlob=b"x",
                   EncryptionContext={"*aws-kms-table*": "shop-vault", "token": str(uuid.uuid4())})
