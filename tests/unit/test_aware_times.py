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

from posapp import logs
from posapp.card import Brand
from posapp.money import Money
from posapp.orders import NewOrder, OrderFilter
from posapp.orders.schema import aware_utc, naive_utc, order_history, orphans
from posapp.orders.sql import SqlOrderStore
from posapp.reconcile import reconcile

UTC = datetime.timezone.utc
PARIS_WINTER = datetime.timezone(datetime.timedelta(hours=1))
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
