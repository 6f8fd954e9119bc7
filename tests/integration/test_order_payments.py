"""An order's payment in the order store: settled, captured, voided and refunded, with the money
rules kept by the database whatever tills do at once (SQLite and MariaDB)."""

import threading

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from kit import new_order

from posapp.audit.chain import Event
from posapp.card import Brand
from posapp.money import Money
from posapp.orders.base import OrderNotFound, StatusChanged
from posapp.orders.status import AmountRefused, OrderStatus, PaymentRecord

PAID = PaymentRecord(OrderStatus.PAID, "pi_1", captured_minor=1000, authorization_code="123456",
                     card_brand=Brand.MASTERCARD, card_last4="4444")


def event(action="refund", target="1"):
    return Event(action, "ok", "sam", target)


def pending(store, minor=1000):
    return store.add(new_order(amount=Money(minor, "USD"), status=OrderStatus.PENDING, processor="stripe"),
                     Event("sale", "pending", "sam"))


def test_a_pending_sale_is_settled_once_with_what_the_processor_said(order_store):
    order = pending(order_store)
    paid = order_store.payments.settle(order, PAID, event("sale"))
    assert (paid.status, paid.payment_reference, paid.captured_minor, paid.authorization_code) == (
        OrderStatus.PAID, "pi_1", 1000, "123456")
    assert (paid.card_brand, paid.card_last4) == (Brand.MASTERCARD, "4444")  # as the processor read the card
    assert order_store.get(order.id) == paid
    with pytest.raises(StatusChanged, match=f"order {order.id} is paid, not pending"):
        order_store.payments.settle(order, PaymentRecord(OrderStatus.DECLINED, "pi_1", decline_code="x"),
                                    event("sale"))
    assert order_store.get(order.id) == paid
    assert [entry.action for entry in order_store.journal.chain("till-01")] == ["sale", "sale"]


def test_a_declined_sale_keeps_its_code_and_its_masked_card_but_not_its_token(order_store):
    order = pending(order_store)
    declined = order_store.payments.settle(
        order, PaymentRecord(OrderStatus.DECLINED, "pi_2", decline_code="insufficient_funds"), event("sale"))
    assert (declined.status, declined.decline_code, declined.captured_minor) == (
        OrderStatus.DECLINED, "insufficient_funds", 0)
    assert (declined.card_brand, declined.card_last4) == (order.card_brand, order.card_last4)
    assert declined.token is None and order_store.referenced_tokens([order.token]) == set()


def test_refunds_go_up_to_the_capture_and_no_further(order_store):
    order = pending(order_store)
    order_store.payments.settle(order, PAID, event("sale"))
    part = order_store.payments.reserve_refund(order.id, 400, event())
    assert (part.status, part.refunded_minor) == (OrderStatus.PARTIALLY_REFUNDED, 400)
    with pytest.raises(AmountRefused, match=f"order {order.id} has 6.00 USD left to refund "
                                            r"\(10.00 USD captured, 4.00 USD refunded\)"):
        order_store.payments.reserve_refund(order.id, 601, event())
    assert order_store.get(order.id) == part
    rest = order_store.payments.reserve_refund(order.id, 600, event())
    assert (rest.status, rest.refunded_minor) == (OrderStatus.REFUNDED, 1000)
    with pytest.raises(StatusChanged, match="is refunded, not paid or partially_refunded"):
        order_store.payments.reserve_refund(order.id, 1, event())
    back = order_store.payments.release_refund(order.id, 600, event())
    assert (back.status, back.refunded_minor) == (OrderStatus.PARTIALLY_REFUNDED, 400)
    assert order_store.payments.release_refund(order.id, 400, event()).status == OrderStatus.PAID


@pytest.mark.parametrize("minor", [0, -5])
def test_a_refund_of_nothing_is_refused(order_store, minor):
    order = pending(order_store)
    order_store.payments.settle(order, PAID, event("sale"))
    with pytest.raises(AmountRefused, match="more than zero"):
        order_store.payments.reserve_refund(order.id, minor, event())


def test_only_money_taken_can_be_refunded(order_store):
    recorded = order_store.add(new_order(), Event("sale", "recorded", "sam"))
    with pytest.raises(StatusChanged, match="is recorded, not paid or partially_refunded"):
        order_store.payments.reserve_refund(recorded.id, 100, event())
    with pytest.raises(OrderNotFound):
        order_store.payments.reserve_refund(recorded.id + 99, 100, event())


def test_a_manual_capture_takes_at_most_the_amount(order_store):
    order = pending(order_store)
    order_store.payments.settle(order, PaymentRecord(OrderStatus.AUTHORIZED, "pi_3"), event("sale"))
    with pytest.raises(AmountRefused, match="is for 10.00 USD: no more can be captured"):
        order_store.payments.capture(order.id, 1001, event("capture"))
    paid = order_store.payments.capture(order.id, 800, event("capture"))
    assert (paid.status, paid.captured_minor) == (OrderStatus.PAID, 800)
    assert order_store.payments.reserve_refund(order.id, 800, event()).status == OrderStatus.REFUNDED


def test_the_pending_orders_are_listed_oldest_first(order_store):
    first, second = pending(order_store), pending(order_store)
    order_store.payments.settle(first, PAID, event("sale"))
    third = pending(order_store)
    assert [order.id for order in order_store.payments.pending()] == [second.id, third.id]


def test_tills_refunding_one_order_at_once_never_refund_more_than_was_captured(order_store):
    order = pending(order_store)
    order_store.payments.settle(order, PAID, event("sale"))
    barrier, granted, refused = threading.Barrier(8), [], []

    def refund():
        barrier.wait()
        try:
            order_store.payments.reserve_refund(order.id, 300, event())
            granted.append(300)
        except AmountRefused:
            refused.append(300)

    threads = [threading.Thread(target=refund) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert (len(granted), len(refused)) == (3, 5)
    assert order_store.get(order.id).refunded_minor == 900


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.booleans(), st.integers(min_value=-50, max_value=1200)), max_size=8))
@example(steps=[(False, 901), (True, -50), (True, -50)])  # found by CI: a negative give-back counted more refunded
def test_any_refunds_and_refusals_keep_captured_at_least_refunded(order_store, steps):
    order = pending(order_store)
    order_store.payments.settle(order, PAID, event("sale"))
    refunded = 0
    for give_back, minor in steps:
        try:
            if give_back:
                order_store.payments.release_refund(order.id, minor, event())
                refunded -= minor
            else:
                order_store.payments.reserve_refund(order.id, minor, event())
                refunded += minor
        except (AmountRefused, StatusChanged):
            pass
        now = order_store.get(order.id)
        assert now.refunded_minor == refunded and 0 <= refunded <= now.captured_minor
        assert now.status == (OrderStatus.PAID if refunded == 0 else OrderStatus.REFUNDED if refunded == 1000
                              else OrderStatus.PARTIALLY_REFUNDED)
