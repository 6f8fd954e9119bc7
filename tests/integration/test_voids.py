"""Voiding a sale: who may, which till's orders, and what the journal keeps."""

import pytest
from kit import ADMIN, CASHIER, SUPERVISOR, journal_setup, local_vault, sell

from posapp import pairing
from posapp.checkout import CheckoutService
from posapp.errors import InvalidInput, NotPermitted
from posapp.orders.base import OrderNotFound, StatusChanged
from posapp.orders.status import OrderStatus
from posapp.orders.journal import JournalFilter
from posapp.orders.sql import SqlOrderStore
from posapp.voids import void


@pytest.fixture
def till(tmp_path):
    vault = local_vault(tmp_path)
    orders = SqlOrderStore(f"sqlite:///{tmp_path}/orders.db", journal=journal_setup(vault))
    vault.provision()
    pairing.provision(vault, orders)
    return vault, orders


def sold(till, workstation="till-01"):
    vault, orders = till
    return sell(CheckoutService(vault, orders, workstation=workstation, operator=CASHIER))


def voids(orders):
    return [(each.operator, each.target, each.outcome, each.details_dict())
            for each in orders.journal.page(JournalFilter(action="void"))]


def test_a_supervisor_voids_a_recorded_order_once(till):
    _, orders = till
    order = sold(till)
    assert order.status == OrderStatus.RECORDED
    assert void(orders, SUPERVISOR, order.id, workstation="till-01").status == OrderStatus.VOIDED
    assert orders.get(order.id).status == OrderStatus.VOIDED  # kept in the history, marked
    with pytest.raises(StatusChanged, match=f"order {order.id} is voided: only an order recorded as card on file"):
        void(orders, SUPERVISOR, order.id, workstation="till-01")
    assert voids(orders) == [(SUPERVISOR.login, str(order.id), "ok", {})]


def test_a_cashier_may_not_void_without_a_supervisors_approval(till):
    _, orders = till
    order = sold(till)
    with pytest.raises(NotPermitted, match=r"operator cashier-1 \(cashier\) may not void orders"):
        void(orders, CASHIER, order.id, workstation="till-01")
    assert orders.get(order.id).status == OrderStatus.RECORDED
    approved = CASHIER.approved(SUPERVISOR)
    assert void(orders, approved, order.id, workstation="till-01").status == OrderStatus.VOIDED
    assert voids(orders) == [(CASHIER.login, str(order.id), "ok", {"approved_by": SUPERVISOR.login})]


def test_another_tills_order_is_refused_unless_one_sees_every_till(till):
    _, orders = till
    theirs = sold(till, workstation="till-02")
    with pytest.raises(NotPermitted, match=f"may not void order {theirs.id}: it was taken at another till "
                                           r"\(till-02\)"):
        void(orders, SUPERVISOR, theirs.id, workstation="till-01")
    assert orders.get(theirs.id).status == OrderStatus.RECORDED and voids(orders) == []
    assert void(orders, ADMIN, theirs.id, workstation="till-01").status == OrderStatus.VOIDED


def test_an_unknown_order_is_not_found(till):
    _, orders = till
    with pytest.raises(OrderNotFound):
        void(orders, SUPERVISOR, 999, workstation="till-01")
    assert isinstance(StatusChanged("x"), InvalidInput)
