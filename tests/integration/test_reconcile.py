"""Reconciliation removes only what no order of the vault's own order history references.

Local vault and SQLite order history, real item encryption; the reconciling clock is
injected, the selling till's clock is whatever the item says.
"""

import datetime
import uuid

import pytest
from kit import CASHIER, card, journal_setup, local_vault, sale
from hypothesis import given, settings, strategies as st

from posapp import pairing
from posapp import reconcile as reconcile_module
from posapp.card import Brand
from posapp.checkout import CheckoutService
from posapp.errors import InvalidInput
from posapp.money import Money
from posapp.orders import NewOrder
from posapp.orders.sql import SqlOrderStore
from posapp.reconcile import MIN_GRACE, grace_minutes, reconcile

START = datetime.datetime(2026, 11, 29, 12, 0, tzinfo=datetime.timezone.utc)
GRACE = datetime.timedelta(minutes=60)


class Till:
    def __init__(self, folder, *, till_clock=START):
        self.vault = local_vault(folder, clock=lambda: till_clock)
        self.orders = SqlOrderStore(f"sqlite:///{folder / 'orders.db'}", journal=journal_setup(self.vault))
        self.vault.provision()  # as a till's first sale does
        pairing.open_local(self.vault, self.orders)
        self.checkout = CheckoutService(self.vault, self.orders, workstation="till-01", operator=CASHIER,
                                        clock=lambda: START)
        self.now = START

    def reconcile(self, *, after=datetime.timedelta(0), **options):
        self.now += after
        return reconcile(self.vault, self.orders, now=lambda: self.now, **options)

    def orphan(self):
        """A card stored by a sale that died before its order was written."""
        return self.vault.tokenize(card())

    def tokens(self):
        return {entry.token for entry in self.vault.entries()}


@pytest.fixture
def till(tmp_path):
    return Till(tmp_path)


def test_an_orphan_is_noted_first_and_removed_only_a_grace_later(till):
    kept = till.checkout.checkout(sale())
    orphan = till.orphan()
    first = till.reconcile(grace=GRACE)
    assert (first.checked, first.referenced, first.noted, first.removed) == (2, 1, 1, 0)
    assert till.reconcile(after=GRACE - datetime.timedelta(minutes=1), grace=GRACE).waiting == 1
    assert orphan in till.tokens()
    last = till.reconcile(after=datetime.timedelta(minutes=1), grace=GRACE)
    assert (last.removed, last.waiting) == (1, 0)
    assert till.tokens() == {kept.token}
    assert till.orders.orphan_notes([orphan]) == {}  # nothing left over


def test_a_till_clock_far_behind_does_not_make_a_sale_in_flight_look_old(tmp_path):
    behind = Till(tmp_path, till_clock=START - datetime.timedelta(days=30))
    in_flight = behind.orphan()  # its card is stored; its order is about to be written
    assert behind.reconcile(grace=GRACE).removed == 0
    assert behind.reconcile(after=MIN_GRACE / 2, grace=MIN_GRACE).removed == 0
    assert in_flight in behind.tokens()


def test_an_orphan_whose_order_arrives_late_is_kept_and_forgotten(till):
    token = till.orphan()
    till.reconcile(grace=GRACE)
    # The order of that sale lands at last, referencing the card.
    till.orders.add(NewOrder(name="Late", description=None, amount=Money(100, "USD"), token=token, card_brand=Brand.VISA,
                      card_last4="4242", workstation="till-01", created_at=START, idempotency_key=str(uuid.uuid4())))
    report = till.reconcile(after=2 * GRACE, grace=GRACE)
    assert (report.referenced, report.removed) == (1, 0) and token in till.tokens()
    assert till.orders.orphan_notes([token]) == {}


def test_a_dry_run_neither_notes_nor_removes(till):
    till.orphan()
    assert till.reconcile(grace=GRACE, dry_run=True).noted == 1
    assert till.reconcile(after=2 * GRACE, grace=GRACE, dry_run=True).noted == 1  # never noted
    till.reconcile(grace=GRACE)
    dry = till.reconcile(after=2 * GRACE, grace=GRACE, dry_run=True)
    assert dry.removed == 1 and len(till.tokens()) == 1


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=-(10**30), max_value=10**30))
def test_every_grace_is_checked_without_overflow(minutes):
    if 10 <= minutes <= 366 * 24 * 60:
        assert grace_minutes(minutes) == datetime.timedelta(minutes=minutes)
    else:
        with pytest.raises(InvalidInput, match="the grace period must be from 10 minutes to 366 days"):
            grace_minutes(minutes)


def test_reconcile_refuses_an_order_history_that_is_not_the_vaults_own(till, tmp_path):
    till.checkout.checkout(sale())
    stranger = SqlOrderStore(f"sqlite:///{tmp_path / 'elsewhere.db'}")
    stranger.provision()
    with pytest.raises(pairing.NotTheVaultsOrderHistory, match="is not the one of card vault"):
        pairing.check(till.vault, stranger)
    with pytest.raises(pairing.NotTheVaultsOrderHistory):
        pairing.provision(till.vault, stranger)


def test_a_vanished_order_history_is_reported_not_recreated(till, tmp_path):
    till.checkout.checkout(sale())
    till.orders._engine.dispose()  # posapp has ended
    (tmp_path / "orders.db").write_bytes(b"")
    reopened = SqlOrderStore(f"sqlite:///{tmp_path / 'orders.db'}")
    for step in (pairing.open_local, pairing.check, pairing.provision):
        with pytest.raises(pairing.OrderHistoryMissing, match="is missing or empty.*restore it from a backup"):
            step(till.vault, reopened)
    assert reopened.history_id() is None


def test_a_card_newer_than_the_newest_order_waits_for_a_newer_order(till):
    first = till.checkout.checkout(sale())
    orphan = till.vault.tokenize(card(), orders_seen=first.id)
    for _ in range(2):  # however long: its order may still be on its way
        report = till.reconcile(after=2 * GRACE, grace=GRACE)
        assert (report.removed, report.waiting) == (0, 1)
    till.checkout.checkout(sale())  # a newer order: the orphan's own would have come before it
    till.reconcile(after=2 * GRACE, grace=GRACE)
    assert till.reconcile(after=2 * GRACE, grace=GRACE).removed == 1 and orphan not in till.tokens()


def test_an_order_history_older_than_the_vaults_cards_stops_reconcile(till):
    till.checkout.checkout(sale())
    till.checkout.checkout(sale())
    with till.orders._engine.begin() as connection:  # rows deleted: the history went back in time
        connection.exec_driver_sql("DELETE FROM OrderHistory")
    before = till.tokens()
    with pytest.raises(reconcile_module.OrderHistoryBehind, match="holds orders up to 0, but the vault holds a card "
                                                                   "stored after order 1"):
        till.reconcile(grace=GRACE)
    assert till.tokens() == before


def test_a_run_that_died_between_marking_the_history_and_the_vault_is_no_false_alarm(till):
    till.checkout.checkout(sale())
    till.reconcile(grace=GRACE)
    vault_epoch = till.vault.identity().reconcile_epoch
    assert vault_epoch and till.orders.reconcile_epochs()[0] == vault_epoch
    till.orders.set_reconcile_epochs("marked-but-the-vault-never-was", vault_epoch)  # then the power went
    reconcile_module.check_same_history(till.vault, till.orders)
    till.reconcile(grace=GRACE)
    assert till.orders.reconcile_epochs()[0] == till.vault.identity().reconcile_epoch != vault_epoch
