"""Retention in local mode (PCI DSS 3.2.1): each new card carries expires_at, its order the same time;
``posapp vault purge`` with an injected clock removes exactly the cards past it, their orders then
say "card no longer stored", and verification, receipts and the order list still work.

Local vault and SQLite order history, real item encryption; every clock is injected.
"""

import datetime
import json
import sqlite3
import tempfile
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from localstripetest import API_KEY, adds_cvc_client
from kit import ADMIN, BACKOFFICE, CASHIER, SUPERVISOR, journal_setup, local_vault, sale

from posapp import pairing, purge as purge_module, retention
from posapp.card import Brand, Expiry
from posapp.card_import import import_cards
from posapp.checkout import CheckoutService
from posapp.cvc import Cvc
from posapp.errors import ExitCode, describe
from posapp.localization import Localization
from posapp.money import Money
from posapp.orders import OrderStoreUnavailable, presentation
from posapp.orders.status import OrderStatus
from posapp.payment_actions import refund
from posapp.orders.sql import SqlOrderStore
from posapp.payments.stripe_processor import StripeProcessor
from posapp.purge import purge
from posapp.reports.merchant import Merchant
from posapp.reports.receipts import ReceiptFormat, Receipts
from posapp.stored_cards import CardNoLongerStored, charge_stored_card
from posapp.vault import TamperedItem, TokenNotFound
from posapp.verification import OrderCards

UTC = datetime.timezone.utc
START = datetime.datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
DAYS = 400
DAY = datetime.timedelta(days=1)
VISA = "4242424242424242"  # a card localstripe charges
SOON = Expiry(1, 2027)  # good through January 2027: it may go on 2 May 2027, before 400 days


class Till:
    """A local-mode till whose clock the test moves; ``retention_days`` as [vault] says."""

    def __init__(self, folder: Path, retention_days: int = DAYS):
        self.now = START
        self.vault = local_vault(folder, clock=lambda: self.now)
        self.orders = SqlOrderStore(f"sqlite:///{folder / 'orders.db'}", journal=journal_setup(self.vault))
        self.vault.provision()
        pairing.open_local(self.vault, self.orders)
        self.retention_days = retention_days

    def sell(self, expiry: Expiry | None = Expiry(12, 2099), *, retention_days: int | None = None, **charged):
        days = self.retention_days if retention_days is None else retention_days
        checkout = CheckoutService(self.vault, self.orders, workstation="till-01", operator=CASHIER,
                                   clock=lambda: self.now, retention_days=days, **charged)
        return checkout.checkout(sale(expiry=expiry, **({"number": VISA, "cvc": Cvc.parse("123", Brand.VISA)}
                                                          if charged else {})))

    def purge(self, **options):
        return purge(self.vault, self.orders, retention_days=self.retention_days, now=self.now, **options)

    def missing(self):
        cards = OrderCards(self.vault, self.orders, now=self.now, retention_days=self.retention_days)
        return [missing.order_id for missing in cards.missing()]

    def tokens(self):
        return {entry.token for entry in self.vault.entries()}

    def raw_item(self, token):
        with sqlite3.connect(self.vault.db_path) as db:
            return json.loads(db.execute("SELECT item FROM vault_items WHERE token = ?", (token,)).fetchone()[0])

    def store_raw(self, token, item):
        with sqlite3.connect(self.vault.db_path) as db:
            db.execute("UPDATE vault_items SET item = ? WHERE token = ?", (json.dumps(item), token))


@pytest.fixture
def till(tmp_path):
    return Till(tmp_path)


def test_a_sale_gives_its_item_and_its_order_the_same_expiry(till):
    order = till.sell()
    expected = datetime.datetime(2028, 1, 3, 12, 0, tzinfo=UTC)  # 400 days after the sale
    assert order.card_expires_at == expected
    assert till.orders.get(order.id).card_expires_at == expected
    assert till.vault.entry(order.token).expires_at == expected
    assert till.raw_item(order.token)["expires_at"] == {"N": str(int(expected.timestamp()))}  # TTL's form
    soon = till.sell(SOON)
    assert till.vault.entry(soon.token).expires_at == till.orders.get(soon.id).card_expires_at \
        == datetime.datetime(2027, 5, 2, tzinfo=UTC)


def test_with_retention_0_nothing_expires(tmp_path):
    till = Till(tmp_path, retention_days=0)
    order = till.sell(SOON)
    assert order.card_expires_at is None and till.vault.entry(order.token).expires_at is None
    assert "expires_at" not in till.raw_item(order.token)
    till.now += 4000 * DAY
    assert till.purge().removed == 0 and till.tokens() == {order.token}


def test_imported_cards_carry_their_expiry(till):
    lines = ["4242424242424242,12/99\n", "5555555555554444,01/27\n", "4000056655665556\n"]
    results = list(import_cards(till.vault, lines, today=START.date(), import_id="import-test",
                                retention_days=DAYS, clock=lambda: till.now))
    expiries = [till.vault.entry(result.token).expires_at for result in results]
    assert expiries == [START + DAYS * DAY, datetime.datetime(2027, 5, 2, tzinfo=UTC), START + DAYS * DAY]


def test_imported_cards_go_by_the_same_rule_and_an_import_record_stays(till):
    from posapp.vault import ImportRecord

    record = ImportRecord("import-test", "till-01", "host", 1, "boot", START.isoformat(), "tokens.csv")
    till.vault.begin_import(record)
    [imported] = import_cards(till.vault, ["4242424242424242\n"], today=START.date(), import_id="import-test",
                              retention_days=DAYS, clock=lambda: till.now)
    till.now += DAYS * DAY - datetime.timedelta(seconds=1)
    assert till.purge().removed == 0
    till.now += datetime.timedelta(seconds=1)
    assert (till.purge().removed, till.tokens()) == (1, set())
    assert till.vault.pending_imports() == [record]  # posapp's own bookkeeping, not a card


def test_a_forged_expiry_fails_verification_with_exit_4(till):
    token = till.sell().token
    item = till.raw_item(token)
    item["expires_at"] = {"N": str(int(START.timestamp()))}  # an earlier removal, as an attacker would set
    till.store_raw(token, item)
    with pytest.raises(TamperedItem) as forged:
        till.vault.verify(token)
    assert describe(forged.value)[1] == ExitCode.INTEGRITY


def test_a_card_removed_on_a_forged_expiry_is_missing_to_verify(till):
    order = till.sell()
    item = till.raw_item(order.token)
    item["expires_at"] = {"N": str(int(START.timestamp()))}
    till.store_raw(order.token, item)
    till.now += DAY
    assert till.purge().removed == 1  # as DynamoDB's TTL would: the attribute is what both read
    assert till.missing() == [order.id]  # its order knows the card's own time: exit 4 for verify --all
    assert not till.orders.get(order.id).card_gone(till.now)


def test_purge_removes_expired_cards_and_their_orders_say_so(till):
    old = till.sell()  # expires 400 days on
    soon = till.sell(SOON)  # expires on 2 May 2027
    legacy = till.sell(retention_days=0)  # sold before retention existed: no expires_at
    till.now += 200 * DAY
    recent = till.sell()
    bookkeeping = (till.vault.identity(), till.vault.audit_key())

    till.now = datetime.datetime(2027, 5, 2, tzinfo=UTC) - datetime.timedelta(seconds=1)
    assert till.purge().removed == 0  # never a moment early
    till.now += datetime.timedelta(seconds=1)
    first = till.purge()
    assert (first.removed, first.kept, first.orders) == (1, 3, 1)
    assert till.tokens() == {old.token, legacy.token, recent.token}

    till.now = START + DAYS * DAY
    second = till.purge()
    assert (second.removed, second.kept, second.orders, second.marked) == (2, 1, 2, 1)
    assert till.tokens() == {recent.token}
    assert (till.vault.identity(), till.vault.audit_key()) == bookkeeping  # bookkeeping is no card
    assert till.orders.get(legacy.id).card_expires_at == legacy.created_at + DAYS * DAY  # marked by the purge

    loc = Localization.named("en_US", "UTC")
    for order in (old, soon, legacy):
        shown = till.orders.get(order.id)
        assert presentation.card_text(shown, till.now) == f"VISA •••• {order.card_last4}, card no longer stored"
        assert presentation.detail_fields(shown, loc, till.now)["card"].endswith("card no longer stored")
        assert presentation.as_json(shown, till.now)["card_stored"] is False
        assert presentation.as_json(shown, till.now)["card"] == {"brand": "VISA", "last4": order.card_last4}
    kept = till.orders.get(recent.id)
    assert presentation.list_fields(kept, loc, till.now)["card"] == f"VISA •••• {recent.card_last4}"
    assert presentation.as_json(kept, till.now)["card_stored"] is True

    assert till.missing() == []  # removed by retention: no integrity failure
    assert [order.id for order in till.orders.page().orders] == [recent.id, legacy.id, soon.id, old.id]
    receipts = Receipts(till.orders, merchant=Merchant("Shop", (), None, None, "till-01"), localization=loc,
                        clock=lambda: till.now)
    printer = _Kept()
    receipts.issue(CASHIER, legacy.id, ReceiptFormat.TEXT, printer)
    assert f"VISA •••• {legacy.card_last4}" in printer.delivered[0].data.decode()


def test_a_card_missing_before_its_time_is_still_an_integrity_failure(till):
    order, legacy = till.sell(), till.sell(retention_days=0)
    till.now += (DAYS - 1) * DAY
    till.vault.delete(order.token)
    till.vault.delete(legacy.token)
    assert till.missing() == [legacy.id, order.id]
    till.now += DAY
    assert till.missing() == []


def test_a_dry_run_counts_and_changes_nothing(till):
    orders = [till.sell(), till.sell(retention_days=0)]
    till.now += DAYS * DAY
    dry = till.purge(dry_run=True)
    assert (dry.removed, dry.kept, dry.orders, dry.dry_run) == (2, 0, 2, True)
    assert till.tokens() == {order.token for order in orders}
    assert till.orders.get(orders[1].id).card_expires_at is None


def test_a_crash_after_removing_shows_no_stored_card_as_gone_and_verify_passes_and_a_rerun_finishes(till):
    legacy = till.sell(retention_days=0)
    till.now += DAYS * DAY
    with mock.patch.object(purge_module, "mark_orders", side_effect=OrderStoreUnavailable("the disk is gone")):
        with pytest.raises(OrderStoreUnavailable):
            till.purge()
    assert till.tokens() == set()
    assert till.missing() == []
    rerun = till.purge()
    assert (rerun.removed, rerun.marked) == (0, 1)
    assert presentation.card_text(till.orders.get(legacy.id), till.now).endswith("card no longer stored")


def test_a_removed_card_is_never_billed_again(till):
    order = till.sell()
    processor = StripeProcessor("sk_test_never_asked", api_base="http://127.0.0.1:9")  # refused before it is asked

    def charge():
        return charge_stored_card(processor, till.orders, till.vault, BACKOFFICE, token=order.token,
                                  amount=Money(100, "USD"), name="Late fee", reason=None, workstation="till-01",
                                  now=till.now, retention_days=DAYS)

    till.now += DAYS * DAY
    with pytest.raises(CardNoLongerStored, match="^card no longer stored: the retention of the card under token "
                                                 f"{order.token} ended on 2028-01-03") as past:
        charge()  # past its time, not purged yet
    assert describe(past.value)[1] == ExitCode.BAD_INPUT
    till.purge()
    with pytest.raises(CardNoLongerStored) as removed:
        charge()
    assert describe(removed.value) == describe(past.value)
    with pytest.raises(TokenNotFound):  # a token no order knows stays what it was
        charge_stored_card(processor, till.orders, till.vault, ADMIN, token="0f8fad5b-d9cb-469f-a165-70867728950e",
                           amount=Money(100, "USD"), name="Fee", reason=None, workstation="till-01", now=till.now)


def test_a_stored_card_billed_again_keeps_its_expiry_and_refunds_work_after_it_is_gone(till, stripe_processor,
                                                                                      localstripe):
    sold = till.sell(processor=stripe_processor)
    till.now += 10 * DAY
    billing = StripeProcessor(API_KEY, api_base=localstripe.url, http_client=adds_cvc_client())
    again = charge_stored_card(billing, till.orders, till.vault, BACKOFFICE, token=sold.token,
                               amount=Money(100, "USD"), name="Instalment", reason=None, workstation="till-01",
                               now=till.now, retention_days=DAYS)
    assert again.status is OrderStatus.PAID and again.card_expires_at == sold.card_expires_at == START + DAYS * DAY
    till.now = START + DAYS * DAY
    assert (till.purge().orders, till.tokens()) == (2, set())
    refunded = refund(stripe_processor, till.orders, SUPERVISOR, sold.id, None, reason=None, workstation="till-01")
    assert refunded.status is OrderStatus.REFUNDED  # the processor's reference is all a refund needs


class _Kept:
    name = "kept"

    def __init__(self):
        self.delivered = []

    def check(self):
        pass

    def deliver(self, rendered):
        self.delivered.append(rendered)


# (days before the purge that the card was sold, months from the sale to its expiry month, whether it
# was sold before retention existed)
ITEMS = st.lists(st.tuples(st.integers(0, 800), st.integers(0, 40), st.booleans()), min_size=1, max_size=8)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(items=ITEMS, days=st.sampled_from([1, 30, 400, 1000]))
def test_purge_removes_exactly_the_cards_past_their_time(items, days):
    purge_at = datetime.datetime(2028, 6, 15, 9, 30, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as folder:
        till = Till(Path(folder), retention_days=days)
        expected = set()
        for age, months, legacy in sorted(items, reverse=True):  # oldest first, as sales come
            till.now = purge_at - age * DAY
            month = till.now.year * 12 + till.now.month - 1 + months
            order = till.sell(Expiry(month % 12 + 1, month // 12), retention_days=0 if legacy else days)
            stored = till.vault.entry(order.token)
            due = retention.due(stored.expires_at, stored.created_at, days, purge_at)
            if legacy:
                assert stored.expires_at is None
            else:
                assert stored.expires_at == retention.expires_at(till.now, days, Expiry(month % 12 + 1, month // 12))
            if due is None:
                expected.add(order.token)
        till.now = purge_at
        report = till.purge()
        assert till.tokens() == expected
        assert (report.removed, report.kept) == (len(items) - len(expected), len(expected))
        assert till.missing() == []
        for order in till.orders.page().orders:
            assert order.card_gone(purge_at) is (order.token not in expected)
