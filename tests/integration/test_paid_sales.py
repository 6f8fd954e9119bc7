"""Sales charged through a processor (localstripe): paid, declined, lost answers and recovery.

The order is written pending before the processor is asked, so whatever stops a sale leaves
something ``payments recover`` settles as the processor has it, and nothing is charged twice.
"""

import datetime
import logging
import re
from unittest import mock

import pytest
from kit import BACKOFFICE, CASHIER, journal_setup, local_vault, sale
from leakscan import find_leaks, sqlite_rows
from localstripetest import API_KEY, adds_cvc_client

from posapp import pairing
from posapp.card import Brand
from posapp.charging import PaymentPending, SaleDeclined
from posapp.checkout import CheckoutService
from posapp.cvc import Cvc
from posapp.errors import NotPermitted
from posapp.money import Money
from posapp.orders.sql import SqlOrderStore
from posapp.orders.status import OrderStatus
from posapp.payment_recovery import GRACE, recover
from posapp.payments import PaymentRefused, ProcessorLoginRefused, ProcessorOutcomeUnknown, ProcessorUnavailable
from posapp.payments.stripe_processor import StripeProcessor
from posapp.stored_cards import charge_stored_card

VISA = "4242424242424242"
DECLINING = "4000000000000341"  # localstripe declines this one on confirm


def later():
    """A time when every sale made so far is past recovery's grace."""
    return datetime.datetime.now(datetime.timezone.utc) + GRACE * 2


@pytest.fixture
def till(tmp_path, stripe_processor):
    vault = local_vault(tmp_path)
    orders = SqlOrderStore(f"sqlite:///{tmp_path}/orders.db", journal=journal_setup(vault))
    vault.provision()
    pairing.provision(vault, orders)
    checkout = CheckoutService(vault, orders, workstation="till-01", operator=CASHIER, processor=stripe_processor)
    return checkout, vault, orders, stripe_processor


def tokens(vault):
    return [entry.token for entry in vault.entries()]


def paid_sale(number=VISA, **changes):
    return sale(number=number, **{"cvc": Cvc.parse("123", Brand.VISA), **changes})


def test_a_paid_sale_keeps_the_processors_reference(till, localstripe):
    checkout, vault, orders, _ = till
    order = checkout.checkout(paid_sale())
    assert order.status is OrderStatus.PAID and order.processor == "stripe"
    assert order.payment_reference.startswith("pi_") and order.captured_minor == order.amount.minor
    assert (order.card_brand, order.card_last4) == (Brand.VISA, "4242")
    assert orders.get(order.id) == order and vault.present([order.token]) == {order.token}
    intents = localstripe.payment_intents()
    assert [(intent["id"], intent["metadata"], intent["status"]) for intent in intents] == [
        (order.payment_reference, {"posapp_order": str(order.id)}, "succeeded")]
    assert [entry.outcome for entry in orders.journal.chain("till-01")] == ["pending", "paid"]


def test_a_declined_sale_is_recorded_declined_and_its_card_is_not_kept(till, localstripe):
    checkout, vault, orders, _ = till
    with pytest.raises(SaleDeclined) as declined:
        checkout.checkout(paid_sale(DECLINING))
    order = declined.value.order
    assert declined.value.exit_code == 6 and "another card" in declined.value.sentence()
    assert (order.status, order.token, order.captured_minor) == (OrderStatus.DECLINED, None, 0)
    assert order.decline_code and orders.get(order.id) == order
    assert tokens(vault) == []
    assert [entry.outcome for entry in orders.journal.chain("till-01")] == ["pending", "declined"]


def test_a_retried_sale_is_never_charged_twice(till, localstripe):
    checkout, _, orders, _ = till
    same = paid_sale()
    first = checkout.checkout(same)
    assert checkout.checkout(same) == first
    assert len(localstripe.payment_intents()) == 1


@pytest.mark.parametrize("lost", [ProcessorUnavailable("refused"), ProcessorOutcomeUnknown("timed out")])
def test_a_lost_answer_leaves_the_order_pending_until_recovery_asks(till, localstripe, lost):
    checkout, vault, orders, processor = till
    real = processor.authorize
    charged = isinstance(lost, ProcessorOutcomeUnknown)

    def answer_lost(**request):
        if charged:
            real(**request)  # the payment went through; only its answer was lost
        raise lost

    with mock.patch.object(processor, "authorize", side_effect=answer_lost):
        with pytest.raises(PaymentPending, match="is pending: .*payments recover") as pending:
            checkout.checkout(paid_sale())
    assert pending.value.exit_code == 3
    order = orders.get(pending.value.order_id)
    assert order.status is OrderStatus.PENDING and tokens(vault) == [order.token]
    if not charged:  # nothing at the processor yet: the request may still be on its way
        too_soon = recover(processor, orders, vault, CASHIER, workstation="till-01", now=order.created_at)
        assert too_soon.settled == [] and [o.id for o, _ in too_soon.left_pending] == [order.id]
    done = recover(processor, orders, vault, CASHIER, workstation="till-01", now=later())
    settled = orders.get(order.id)
    assert done.settled == [settled] and done.left_pending == []
    assert settled.status is (OrderStatus.PAID if charged else OrderStatus.DECLINED)
    assert len(localstripe.payment_intents()) == (1 if charged else 0)  # recovery charged nothing
    assert tokens(vault) == ([order.token] if charged else [])
    again = recover(processor, orders, vault, CASHIER, workstation="till-01", now=later())
    assert (again.settled, again.left_pending) == ([], [])


class PowerCut(BaseException):
    """The till stops dead: nothing after this point of the sale runs."""


# Where a sale can stop: after each numbered step of the sale (see posapp.charging).
STEPS = {
    "tokenized": lambda checkout, vault, orders, processor: (vault, "tokenize"),
    "pending written": lambda checkout, vault, orders, processor: (orders, "add"),
    "processor answered": lambda checkout, vault, orders, processor: (processor, "authorize"),
    "order settled": lambda checkout, vault, orders, processor: (orders.payments, "settle"),
}


@pytest.mark.parametrize("number", [VISA, DECLINING], ids=["approved", "declined"])
@pytest.mark.parametrize("step", list(STEPS))
def test_a_sale_stopped_after_any_step_is_settled_by_recovery_exactly_as_the_processor_has_it(
        till, localstripe, step, number, caplog, tmp_path):
    caplog.set_level(logging.DEBUG)  # posapp's and the stripe library's records, at DEBUG
    checkout, vault, orders, processor = till
    target, name = STEPS[step](checkout, vault, orders, processor)
    real = getattr(target, name)

    def then_stop(*args, **kwargs):
        real(*args, **kwargs)
        raise PowerCut

    with mock.patch.object(target, name, side_effect=then_stop):
        with pytest.raises(PowerCut):
            checkout.checkout(paid_sale(number))
    checkout.checkout(paid_sale())  # the till comes back and sells on
    recover(processor, orders, vault, CASHIER, workstation="till-01", now=later())
    intents = {int(intent["metadata"]["posapp_order"]): intent for intent in localstripe.payment_intents()}
    every = orders.page().orders
    assert all(order.status in (OrderStatus.PAID, OrderStatus.DECLINED) for order in every)
    assert len(intents) == len(localstripe.payment_intents())  # no order charged twice
    for order in every:
        intent = intents.get(order.id)
        if order.status is OrderStatus.PAID:
            assert (intent["id"], intent["status"], intent["amount"]) == (
                order.payment_reference, "succeeded", order.captured_minor)
        else:
            assert intent is None or intent["status"] != "succeeded"
    assert set(intents) <= {order.id for order in every}  # no payment without its order
    # Cards are kept for paid orders only; anything else goes at reconciliation.
    kept = set(tokens(vault)) - {order.token for order in every if order.status is OrderStatus.PAID}
    assert orders.referenced_tokens(kept) == set()
    logged = "\n".join(record.getMessage() for record in caplog.records)
    # The rows, not the raw files: a WAL's pages reduced to their digits can hold the declining
    # card's "4" and eleven zeros by chance.
    assert find_leaks([number, VISA], [], logged, sqlite_rows(tmp_path / "orders.db")) == []
    assert re.findall(r"(?<![0-9A-Za-z])123(?![0-9A-Za-z])", logged) == []  # the CVC


@pytest.fixture
def billing(till, localstripe):
    checkout, vault, orders, _ = till
    processor = StripeProcessor(API_KEY, api_base=localstripe.url, http_client=adds_cvc_client())
    return checkout, vault, orders, processor


def test_back_office_bills_a_stored_card_and_the_journal_says_who_and_why(billing, localstripe):
    checkout, vault, orders, processor = billing
    first = checkout.checkout(paid_sale())
    fee = charge_stored_card(processor, orders, vault, BACKOFFICE, token=first.token, amount=Money(2500, "USD"),
                             name="No-show fee", reason="table 4 did not come", workstation="office",
                             now=datetime.datetime.now(datetime.timezone.utc))
    assert (fee.status, fee.token, fee.captured_minor, fee.operator) == (OrderStatus.PAID, first.token, 2500, "bo")
    assert (fee.card_brand, fee.card_last4) == (Brand.VISA, "4242")
    assert {intent["metadata"]["posapp_order"] for intent in localstripe.payment_intents()} == {
        str(first.id), str(fee.id)}
    entries = [(entry.action, entry.outcome, entry.operator) for entry in orders.journal.chain("till-01")]
    assert entries[-2:] == [("charge", "pending", "bo"), ("payment", "paid", "bo")]
    assert list(orders.journal.chain("till-01"))[-2].details_dict()["reason"] == "table 4 did not come"


def test_a_cashier_may_not_bill_a_stored_card(billing, localstripe):
    checkout, vault, orders, processor = billing
    first = checkout.checkout(paid_sale())
    with pytest.raises(NotPermitted, match="may not charge stored cards"):
        charge_stored_card(processor, orders, vault, CASHIER, token=first.token, amount=Money(100, "USD"),
                           name="Fee", reason=None, workstation="till-01",
                           now=datetime.datetime.now(datetime.timezone.utc))
    assert len(localstripe.payment_intents()) == 1 and len(orders.page().orders) == 1


def test_a_declined_stored_card_is_kept_for_the_orders_that_use_it(billing, localstripe):
    checkout, vault, orders, _ = billing
    recorded = CheckoutService(vault, orders, workstation="till-01", operator=CASHIER).checkout(
        paid_sale(DECLINING))  # no processor: card on file
    processor = billing[3]
    with pytest.raises(SaleDeclined) as declined:
        charge_stored_card(processor, orders, vault, BACKOFFICE, token=recorded.token, amount=Money(900, "USD"),
                           name="Instalment 2", reason=None, workstation="office",
                           now=datetime.datetime.now(datetime.timezone.utc))
    assert declined.value.order.status is OrderStatus.DECLINED
    assert tokens(vault) == [recorded.token]  # the card-on-file order still has its card


def test_a_sale_whose_order_recovery_settled_first_is_paid_once(till, localstripe):
    checkout, vault, orders, processor = till
    real = processor.authorize

    def answered_then_recovered(**request):
        payment = real(**request)
        recover(processor, orders, vault, CASHIER, workstation="till-01", now=later())  # the window, at start
        return payment

    with mock.patch.object(processor, "authorize", side_effect=answered_then_recovered):
        order = checkout.checkout(paid_sale())
    assert order.status is OrderStatus.PAID and orders.get(order.id) == order
    assert len(localstripe.payment_intents()) == 1
    assert [entry.outcome for entry in orders.journal.chain("till-01")] == ["pending", "paid"]


@pytest.mark.parametrize("refusal", [PaymentRefused("the card processor refused the request: Bad request"),
                                     ProcessorLoginRefused("the card processor refused posapp's API key (HTTP 401)")])
def test_a_request_the_processor_refuses_charges_nothing_and_keeps_no_card(till, localstripe, refusal):
    checkout, vault, orders, processor = till
    with mock.patch.object(processor, "authorize", side_effect=refusal):
        with pytest.raises(type(refusal), match=r"nothing was charged, and order \d+ is kept as declined "
                                                r"\(processor_refused\)") as refused:
            checkout.checkout(paid_sale())
    assert refused.value.exit_code == 2
    [order] = orders.page().orders
    assert (order.status, order.decline_code, order.token) == (OrderStatus.DECLINED, "processor_refused", None)
    assert tokens(vault) == [] and localstripe.payment_intents() == []
