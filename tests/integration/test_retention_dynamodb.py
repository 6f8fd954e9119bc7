"""Retention on the DynamoDB vault (moto in process): items carry a signed expires_at that the table's
TTL reads, and ``posapp vault purge`` is the same scan and delete as locally, sparing posapp's own
bookkeeping items."""

import datetime

import pytest
from kit import CASHIER, DynamoDbPlace, dynamodb_vault, journal_setup, sale

from posapp import pairing
from posapp.card import Expiry
from posapp.checkout import CheckoutService
from posapp.errors import ExitCode, describe
from posapp.orders.sql import SqlOrderStore
from posapp.purge import purge
from posapp.vault import TamperedItem
from posapp.verification import OrderCards

UTC = datetime.timezone.utc
START = datetime.datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
DAY = datetime.timedelta(days=1)


class Till:
    def __init__(self, key_arn, folder, materials):
        self.now = START
        self.place = DynamoDbPlace(key_arn, materials)
        self.vault, self.clients = dynamodb_vault(self.place, clock=lambda: self.now)
        self.orders = SqlOrderStore(f"sqlite:///{folder / 'orders.db'}", journal=journal_setup(self.vault))
        pairing.provision(self.vault, self.orders)
        self.checkout = CheckoutService(self.vault, self.orders, workstation="till-01", operator=CASHIER,
                                        clock=lambda: self.now, retention_days=400)

    def raw_items(self):
        return {item["token"]["S"]: item for item in self.clients.dynamodb.scan(TableName=self.place.table)["Items"]}


@pytest.fixture(params=["direct", "cached"])
def till(request, key_arn, tmp_path):
    return Till(key_arn, tmp_path, request.param)


def test_items_carry_the_ttl_attribute_their_orders_agree_with(till):
    order = till.checkout.checkout(sale(expiry=Expiry(1, 2027)))
    stored = till.raw_items()[order.token]
    assert stored["expires_at"] == {"N": str(int(datetime.datetime(2027, 5, 2, tzinfo=UTC).timestamp()))}
    assert till.vault.entry(order.token).expires_at == order.card_expires_at \
        == till.orders.get(order.id).card_expires_at
    ttl = till.clients.dynamodb.describe_time_to_live(TableName=till.place.table)["TimeToLiveDescription"]
    assert (ttl["TimeToLiveStatus"], ttl["AttributeName"]) == ("ENABLED", "expires_at")


def test_a_forged_expiry_fails_verification(till):
    token = till.checkout.checkout(sale()).token
    item = till.raw_items()[token]
    item["expires_at"] = {"N": str(int(START.timestamp()))}  # TTL would remove the card at once
    till.clients.dynamodb.put_item(TableName=till.place.table, Item=item)
    with pytest.raises(TamperedItem) as forged:
        till.vault.verify(token)
    assert describe(forged.value)[1] == ExitCode.INTEGRITY


def test_purge_removes_the_expired_cards_and_never_a_bookkeeping_item(till):
    old = till.checkout.checkout(sale())
    till.now += 100 * DAY
    recent = till.checkout.checkout(sale())
    bookkeeping = {token: item for token, item in till.raw_items().items() if token.startswith("posapp:")}
    assert bookkeeping  # the vault's identity, at least
    till.now = START + 400 * DAY
    dry = purge(till.vault, till.orders, retention_days=400, now=till.now, dry_run=True)
    assert (dry.removed, dry.kept, dry.orders) == (1, 1, 1) and old.token in till.raw_items()
    report = purge(till.vault, till.orders, retention_days=400, now=till.now)
    assert (report.removed, report.kept, report.orders) == (1, 1, 1)
    left = till.raw_items()
    assert set(left) == {recent.token, *bookkeeping}
    assert {token: left[token] for token in bookkeeping} == bookkeeping
    assert list(OrderCards(till.vault, till.orders, now=till.now, retention_days=400).missing()) == []
    assert till.orders.get(old.id).card_gone(till.now) and not till.orders.get(recent.id).card_gone(till.now)
