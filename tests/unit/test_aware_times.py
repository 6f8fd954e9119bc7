"""Every time posapp's order store takes in or hands out is timezone-aware.

A naive datetime could mean local time or UTC; taking it as either would shift orders and
reconciliation's notes by hours without a word. The store refuses one (ValueError: a
programming error) where it converts, and every time it returns carries UTC.
"""

import datetime
import logging
import uuid

import pytest
import sqlalchemy as sa
from cardgen import random_pan
from kit import CASHIER

from posapp import logs
from posapp.card import Brand, Card, Expiry, Pan
from posapp.checkout import CheckoutService, Sale
from posapp.errors import InvalidInput
from posapp.money import Money
from posapp.orders import NewOrder, Order, OrderFilter
from posapp.orders.schema import aware_utc, naive_utc, order_history, orphans
from posapp.orders.sql import SqlOrderStore
from posapp.reconcile import reconcile
from posapp.vault import item_format
from posapp.vault.base import VaultEntry

UTC = datetime.timezone.utc
PARIS_WINTER = datetime.timezone(datetime.timedelta(hours=1))


class NoOffset(datetime.tzinfo):
    """A tzinfo that knows no offset: the datetime is naive all the same."""

    def utcoffset(self, moment):
        return None


NAIVE = datetime.datetime(2026, 11, 29, 12, 0)
AWARE = datetime.datetime(2026, 11, 29, 13, 0, tzinfo=PARIS_WINTER)  # 12:00 UTC


def new_order(created_at):
    return NewOrder(name="Coffee", description=None, amount=Money(350, "USD"), token=str(uuid.uuid4()),
                    card_brand=Brand.VISA, card_last4="0000", workstation="till-01",
                    created_at=created_at, idempotency_key=str(uuid.uuid4()))


@pytest.fixture
def store(tmp_path):
    store = SqlOrderStore(f"sqlite:///{tmp_path}/orders.db")
    store.provision()
    return store


def stored_times(store, table, column):
    with sa.create_engine(store.url).connect() as connection:
        return connection.execute(sa.select(table.c[column])).scalars().all()


def test_naive_utc_refuses_a_naive_datetime():
    with pytest.raises(ValueError, match="naive"):
        naive_utc(NAIVE)


def test_naive_utc_converts_an_aware_datetime_to_utc():
    assert naive_utc(AWARE) == NAIVE


def test_a_stored_value_comes_back_utc_aware():
    assert aware_utc(NAIVE) == NAIVE.replace(tzinfo=UTC)
    assert aware_utc("2026-11-29 12:00:00").tzinfo is UTC
    assert aware_utc(AWARE).tzinfo is UTC and aware_utc(AWARE) == AWARE
    assert aware_utc(None) is None


def test_an_order_with_a_naive_time_is_refused_and_not_written(store):
    with pytest.raises(ValueError, match="naive"):
        store.add(new_order(NAIVE))
    assert store.newest_order_id() == 0


def test_a_filter_with_a_naive_bound_is_refused(store):
    with pytest.raises(ValueError, match="naive"):
        store.page(where=OrderFilter(since=NAIVE))
    with pytest.raises(ValueError, match="naive"):
        store.page(where=OrderFilter(until=NAIVE))


def test_an_orphan_note_with_a_naive_time_is_refused(store):
    with pytest.raises(ValueError, match="naive"):
        store.note_orphans(["a-token"], NAIVE)
    with pytest.raises(ValueError, match="naive"):
        store.note_orphans([], NAIVE)  # refused even when there is nothing to write
    assert stored_times(store, orphans, "first_seen") == []


def test_orders_are_stored_in_utc_and_come_back_aware(store):
    added = store.add(new_order(AWARE))
    assert stored_times(store, order_history, "created_at") == [NAIVE]  # the row holds UTC
    for order in (added, store.get(added.id), store.find_sale(added.idempotency_key),
                  *store.page().orders):
        assert order.created_at == AWARE and order.created_at.utcoffset() == datetime.timedelta(0)


def test_an_aware_filter_compares_in_utc(store):
    store.add(new_order(AWARE))
    just_after = datetime.datetime(2026, 11, 29, 12, 0, 1, tzinfo=UTC)
    assert len(store.page(where=OrderFilter(since=AWARE)).orders) == 1
    assert store.page(where=OrderFilter(since=just_after.astimezone(PARIS_WINTER))).orders == []


def test_orphan_notes_and_the_clock_come_back_aware(store):
    store.note_orphans(["a-token"], AWARE)
    assert stored_times(store, orphans, "first_seen") == [NAIVE]
    assert store.orphan_notes(["a-token"]) == {"a-token": AWARE}
    assert store.orphan_notes(["a-token"])["a-token"].tzinfo is UTC
    now = store.clock()
    assert now.tzinfo is UTC
    assert abs(now - datetime.datetime.now(UTC)) < datetime.timedelta(minutes=1)


def test_reconciliation_refuses_a_naive_clock(store):
    class NeverReconciled:
        def identity(self):
            return type("Identity", (), {"reconcile_epoch": None})()

    with pytest.raises(ValueError, match="naive"):
        reconcile(NeverReconciled(), store, dry_run=True, now=lambda: NAIVE)


def test_the_log_file_writes_utc_times(tmp_path):
    log_file = logs.setup(tmp_path)
    try:
        record = logging.makeLogRecord({"name": "posapp.test", "levelno": logging.INFO, "levelname": "INFO",
                                        "msg": "sale", "created": AWARE.timestamp(), "msecs": 5.0})
        handler = next(h for h in logging.getLogger().handlers if getattr(h, "baseFilename", None) == str(log_file))
        assert handler.format(record).startswith("2026-11-29T12:00:00.005Z INFO posapp.test ")
    finally:
        for handler in [h for h in logging.getLogger().handlers if getattr(h, "posapp_handler", False)]:
            logging.getLogger().removeHandler(handler)
            handler.close()


def refused_as_a_programming_error(make):
    """``make()`` raises ValueError naming a naive time, and not InvalidInput: no user typed it."""
    with pytest.raises(ValueError, match="naive") as raised:
        make()
    assert not isinstance(raised.value, InvalidInput)


@pytest.mark.parametrize("moment", [NAIVE, NAIVE.replace(tzinfo=NoOffset())], ids=["naive", "tzinfo without offset"])
def test_a_new_order_must_have_an_aware_time(moment):
    refused_as_a_programming_error(lambda: new_order(moment))


def test_a_new_order_keeps_its_aware_time():
    assert new_order(AWARE).created_at == AWARE


def test_a_filter_must_have_aware_bounds():
    refused_as_a_programming_error(lambda: OrderFilter(since=NAIVE))
    refused_as_a_programming_error(lambda: OrderFilter(until=NAIVE))
    # Before the range check: comparing a naive bound with an aware one would raise TypeError.
    refused_as_a_programming_error(lambda: OrderFilter(since=AWARE, until=NAIVE))
    assert OrderFilter(since=AWARE, until=AWARE + datetime.timedelta(days=1)).since == AWARE


def test_a_recorded_order_must_have_an_aware_time_or_none():
    fields = dict(id=1, name="Coffee", description=None, amount=Money(350, "USD"), token=None,
                  card_brand=None, card_last4=None, workstation=None)
    refused_as_a_programming_error(lambda: Order(**fields, created_at=NAIVE))
    assert Order(**fields, created_at=None).created_at is None  # adopted rows may lack a time


def test_a_checkout_clock_with_naive_times_is_refused_before_the_card_is_stored():
    class Untouched:
        def __getattr__(self, name):
            raise AssertionError(f"{name} was called before the clock was checked")

    checkout = CheckoutService(Untouched(), Untouched(), workstation="till-01", operator=CASHIER, clock=lambda: NAIVE)
    sale = Sale("Coffee", None, Money(350, "USD"), Card(Pan.parse(random_pan("4", 16)), Expiry(12, 2099)))
    refused_as_a_programming_error(lambda: checkout.checkout(sale))


def test_a_vault_item_must_be_made_with_an_aware_time():
    card = Card(Pan.parse(random_pan("4", 16)), Expiry(12, 2099))
    token = str(uuid.uuid4())
    refused_as_a_programming_error(
        lambda: item_format.plaintext_item(token, card, workstation="till-01", created_at=NAIVE))
    item = item_format.plaintext_item(token, card, workstation="till-01", created_at=AWARE)
    assert item["created_at"] == {"S": "2026-11-29T12:00:00+00:00"}  # stored in UTC
    assert item_format.created_at(item) == AWARE


def test_a_stored_time_without_an_offset_reads_as_unknown():
    # Written by no posapp (each writes an offset): which zone it meant cannot be known.
    assert item_format.created_at({"created_at": {"S": "2026-11-29T12:00:00"}}) is None
    assert item_format.entry(str(uuid.uuid4()), {"created_at": {"S": "2026-11-29T12:00:00"}}).created_at is None


def test_a_vault_entry_must_have_an_aware_time_or_none():
    refused_as_a_programming_error(lambda: VaultEntry(str(uuid.uuid4()), NAIVE))
    assert VaultEntry(str(uuid.uuid4()), None).created_at is None
