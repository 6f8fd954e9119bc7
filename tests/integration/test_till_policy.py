"""A till holding only the till policy of packaging/aws/posapp-backend.yaml, in process against moto.

moto enforces no IAM policy: tests/iam_policy.py refuses, before it is sent, every call the
policy does not allow, as AWS would. The vault is provisioned first with every right, as an
administrator provisions it.
"""

import datetime

import botocore.exceptions
import pytest
from awstest import aws_client
from cardgen import random_pan
from iam_policy import Policy, Refusals, Stack
from kit import CASHIER, DynamoDbPlace, card, dynamodb_vault, lose_first_answer, order_store, sale

from posapp import pairing
from posapp.audit.chain import KEY_BYTES, Anchor
from posapp.card import Pan
from posapp.checkout import CheckoutService
from posapp.errors import ExitCode, describe
from posapp.vault import VaultNotPermitted, VaultOutcomeUnknown, item_format

EVERY_EXCESS = ["dynamodb:Scan", "dynamodb:GetItem on cards", "kms:Decrypt beyond the audit key"]


class PolicyTill:
    """A provisioned vault and order history; ``vault`` is the till's view (role till), whose
    clients refuse what ``policies`` do not allow once ``restrict`` is called."""

    def __init__(self, key_arn, database, *, materials="direct"):
        self.place = DynamoDbPlace(key_arn, materials)
        admin_vault, self.clients = dynamodb_vault(self.place)
        pairing.provision(admin_vault, order_store(database.url, vault=admin_vault))
        self.vault = self.place.vault(self.clients, workstation="till-01", till=True)
        self.orders = order_store(database.url, vault=self.vault)
        self.checkout = CheckoutService(self.vault, self.orders, workstation="till-01", operator=CASHIER)

    def restrict(self, *policies):
        self.refusals = Refusals(Policy(list(policies), Stack(self.place.table, self.place.key_arn)))
        self.refusals.install(self.clients.dynamodb, self.clients.kms, self.clients.dynamodb_resource.meta.client)
        return self.refusals

    def raw_tokens(self):
        items = aws_client("dynamodb").scan(TableName=self.place.table)["Items"]  # a client with every right
        return {item["token"]["S"] for item in items if not item["token"]["S"].startswith("posapp:")}


@pytest.fixture
def till(key_arn, mysql_db):
    return PolicyTill(key_arn, mysql_db)


def test_a_till_with_only_the_till_policy_sells_and_passes_its_checks(till):
    refusals = till.restrict("TillPolicy")
    order = till.checkout.checkout(sale(number=random_pan("4", 16)))
    assert order.token and till.orders.page(limit=10).orders[0].token == order.token
    results = {name: check() for name, check in till.vault.checks()}  # each raises if it fails
    assert results["encryption round trip"].endswith("reading it back was refused, as the till role intends")
    assert results["KMS key rotation"] == "automatic rotation on"
    assert refusals.refused == ["kms:Decrypt"]  # the round trip's read-back, and nothing else


def test_a_till_cannot_read_a_card_back_and_is_told_where_to(till):
    token = till.checkout.checkout(sale()).token
    till.restrict("TillPolicy")
    for read in (lambda: till.vault.card(token), lambda: list(till.vault.entries())):
        with pytest.raises(VaultNotPermitted) as refused:
            read()
        message, code = describe(refused.value)
        assert code is ExitCode.NOT_PERMITTED
        assert message.startswith("this till's AWS role may not read cards (dynamodb:")
        assert message.endswith("is refused): run this on a back-office workstation")


def test_the_till_policy_leaves_no_excess_permission(till):
    assert till.vault.excess_permissions() == EVERY_EXCESS  # moto alone allows everything
    till.restrict("TillPolicy")
    assert till.vault.excess_permissions() == []


def test_the_back_office_policy_reads_and_verifies_cards(till):
    number = random_pan("51", 16)
    token = till.checkout.checkout(sale(number=number)).token
    till.restrict("BackOfficePolicy")
    assert till.vault.detokenize(token) == Pan.parse(number)
    assert [entry.token for entry in till.vault.entries()] == [token]


def test_a_lost_put_on_a_till_is_an_honest_unknown_left_for_reconcile(till):
    """botocore retries a PutItem whose answer was lost; the retry meets the first attempt's item,
    and only reading it back could tell whose it is. The till may not read cards: the sale fails
    visibly, records no order, and the item waits for 'posapp vault reconcile' on the back office."""
    refusals = till.restrict("TillPolicy")
    lose_first_answer(till.clients.dynamodb, "PutItem")
    with pytest.raises(VaultOutcomeUnknown) as unknown:
        till.checkout.checkout(sale())
    assert refusals.refused == ["dynamodb:GetItem"]
    assert describe(unknown.value)[1] is ExitCode.UNAVAILABLE
    assert till.orders.page(limit=10).orders == []
    assert till.raw_tokens() == {unknown.value.token}


def test_cached_materials_need_the_policy_that_also_decrypts_cards(key_arn, mysql_db):
    till = PolicyTill(key_arn, mysql_db, materials="cached")
    checks = dict(till.vault.checks())
    assert checks["encryption round trip"]().startswith("an item was encrypted, signed and read back")  # version 0
    assert "also decrypts every card" in checks["cached materials"]()
    refusals = till.restrict("TillPolicy")
    with pytest.raises(VaultNotPermitted):
        till.place.vault(till.clients, workstation="till-01", till=True).tokenize(card())
    refusals.policy = Policy(["TillPolicy", "TillCachedMaterialsPolicy"], refusals.policy.stack)
    vault = till.place.vault(till.clients, workstation="till-01", till=True)
    number = random_pan("4", 16)
    token = CheckoutService(vault, till.orders, workstation="till-01", operator=CASHIER).checkout(
        sale(number=number)).token
    # DynamoDB still refuses the till its cards, but the materials it holds open any copy of one.
    stored = aws_client("dynamodb").get_item(TableName=till.place.table, Key={"token": {"S": token}})["Item"]
    assert item_format.decrypt(token, stored, vault._crypto()).pan == Pan.parse(number)
    assert refusals.refused == ["dynamodb:DescribeTable"]  # of the meta table, under the till policy alone


BOOKKEEPING_WRITES = {
    "PutItem": lambda db, table, key: db.put_item(TableName=table, Item={**key, "vault_id": {"S": "forged"}}),
    "UpdateItem": lambda db, table, key: db.update_item(TableName=table, Key=key, UpdateExpression="SET forged = :f",
                                                        ExpressionAttributeValues={":f": {"S": "forged"}}),
    "DeleteItem": lambda db, table, key: db.delete_item(TableName=table, Key=key),
}


@pytest.mark.parametrize("operation", sorted(BOOKKEEPING_WRITES))
@pytest.mark.parametrize("name", ["posapp:vault-identity", "posapp:audit-key", "posapp:rekey"])
def test_a_till_may_not_write_posapps_bookkeeping_items(till, operation, name):
    key = {"token": {"S": name}}
    kept = aws_client("dynamodb").get_item(TableName=till.place.table, Key=key).get("Item")
    refusals = till.restrict("TillPolicy")
    with pytest.raises(botocore.exceptions.ClientError, match="AccessDenied"):
        BOOKKEEPING_WRITES[operation](till.clients.dynamodb, till.place.table, key)
    assert refusals.refused == [f"dynamodb:{operation}"]
    assert aws_client("dynamodb").get_item(TableName=till.place.table, Key=key).get("Item") == kept


def test_a_till_moves_its_journal_anchor_and_reads_the_audit_key_provision_made(till):
    till.restrict("TillPolicy")
    anchor = Anchor("till-01", 3, "ab" * 32, datetime.datetime(2026, 12, 7, 12, tzinfo=datetime.timezone.utc))
    till.vault.record_anchor(anchor)
    assert till.vault.anchors() == {"till-01": anchor}
    assert len(till.vault.audit_key()) == KEY_BYTES


def test_a_till_on_a_vault_without_an_audit_key_is_told_to_provision(till):
    aws_client("dynamodb").delete_item(TableName=till.place.table, Key={"token": {"S": "posapp:audit-key"}})
    refusals = till.restrict("TillPolicy")
    with pytest.raises(VaultNotPermitted) as refused:
        till.vault.audit_key()
    assert refusals.refused == ["dynamodb:PutItem"]
    assert describe(refused.value) == (f"vault table {till.place.table} has no audit journal key yet, and this "
                                       "workstation may not make it: run 'posapp provision' as an administrator",
                                       ExitCode.NOT_PERMITTED)
