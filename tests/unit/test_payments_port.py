"""The payments port without a processor: its error tree and exit codes, the none adapter, the
decline table, and how a Stripe PaymentIntent reads as a Payment."""

import datetime
import doctest

import pytest
from kit import card

from posapp.errors import ConfigError, Declined, ExitCode, InvalidInput, Unavailable, describe
from posapp.money import Money
from posapp.payments import (
    PaymentRefused,
    PaymentState,
    Processor,
    ProcessorLoginRefused,
    ProcessorOutcomeUnknown,
    ProcessorUnavailable,
    declines,
)
from posapp.payments.none import NoProcessor
from posapp.payments.stripe_objects import ListOrder, payment_of


@pytest.mark.parametrize(("error", "parent", "code"), [
    (Declined("Declined: insufficient funds — ask for another card"), None, ExitCode.DECLINED),
    (ProcessorUnavailable("down"), Unavailable, ExitCode.UNAVAILABLE),
    (ProcessorOutcomeUnknown("lost"), ProcessorUnavailable, ExitCode.UNAVAILABLE),
    (PaymentRefused("refused"), InvalidInput, ExitCode.BAD_INPUT),
    (ProcessorLoginRefused("key"), ConfigError, ExitCode.BAD_INPUT),
])
def test_each_payment_error_has_its_place_in_the_tree_and_its_exit_code(error, parent, code):
    assert parent is None or isinstance(error, parent)
    assert describe(error) == (str(error), code)
    assert ExitCode.DECLINED == 6


def test_the_none_processor_charges_nothing_and_says_how_to_choose_one():
    processor = NoProcessor()
    assert isinstance(processor, Processor) and (processor.name, processor.charges) == ("none", False)
    since = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    calls = [lambda: processor.authorize(card=card(), cvc="123", amount=Money(100, "USD"), order_id=1,
                                         idempotency_key="k", capture=True),
             lambda: processor.capture("pi_1", None, idempotency_key="k"),
             lambda: processor.void("pi_1", idempotency_key="k"),
             lambda: processor.refund("pi_1", 100, idempotency_key="k"),
             lambda: processor.find([1], since=since)]
    for call in calls:
        with pytest.raises(PaymentRefused, match=r'card on file.*\[payments\] processor = "stripe"'):
            call()


def test_the_decline_table_doctests_pass():
    failed, attempted = doctest.testmod(declines)
    assert attempted and not failed


def intent(status, **fields):
    return {"id": "pi_1", "status": status, "amount": 900, "currency": "gbp", "metadata": {"posapp_order": "4"},
            **fields}


CHARGE = {"status": "succeeded", "amount": 900, "payment_method_details": {"card": {"brand": "amex", "last4": "0005"}}}


@pytest.mark.parametrize(("fields", "expected"), [
    (intent("succeeded", amount_received=700, latest_charge=CHARGE), (PaymentState.CAPTURED, 700, None)),
    (intent("succeeded", latest_charge={**CHARGE, "amount_captured": 600}), (PaymentState.CAPTURED, 600, None)),
    (intent("succeeded", latest_charge=CHARGE), (PaymentState.CAPTURED, 900, None)),  # localstripe: no field
    (intent("requires_capture", latest_charge=CHARGE), (PaymentState.AUTHORIZED, 0, None)),
    (intent("canceled", latest_charge=CHARGE), (PaymentState.VOIDED, 0, None)),
    (intent("canceled", latest_charge=None), (PaymentState.DECLINED, 0, "authentication_required")),
    (intent("requires_action", latest_charge=None), (PaymentState.DECLINED, 0, "authentication_required")),
    (intent("requires_payment_method", latest_charge={**CHARGE, "status": "failed"},
            last_payment_error={"code": "card_declined", "decline_code": "expired_card"}),
     (PaymentState.DECLINED, 0, "expired_card")),
])
def test_a_payment_intent_reads_as_a_payment(fields, expected):
    payment = payment_of(fields)
    assert (payment.state, payment.captured_minor, payment.decline_code) == expected
    assert (payment.reference, payment.amount, payment.order_id) == ("pi_1", Money(900, "GBP"), 4)
    assert payment.decline_sentence == (declines.sentence(expected[2]) if expected[2] else None)
    if fields.get("latest_charge"):
        assert (payment.brand, payment.last4) == ("AMEX", "0005")


@pytest.mark.parametrize("status", ["processing", "requires_confirmation"])
def test_a_payment_intent_still_in_progress_is_no_payment_yet(status):
    assert payment_of(intent(status)) is None


@pytest.mark.parametrize(("metadata", "order_id"), [({}, None), ({"posapp_order": "x7"}, None),
                                                    ({"posapp_order": "٣"}, None), ({"posapp_order": "12"}, 12)])
def test_only_an_ascii_order_number_in_the_metadata_names_an_order(metadata, order_id):
    assert payment_of({**intent("succeeded"), "metadata": metadata}).order_id == order_id


@pytest.mark.parametrize(("times", "newest_first"), [
    ([5, 4], True), ([5, 5, 3], True), ([3, 5], False), ([5, 3, 4], False), ([5, 5], False), ([7], False), ([], False),
])
def test_a_listing_is_newest_first_only_once_it_is_seen_to_be(times, newest_first):
    order = ListOrder()
    for created in times:
        order.see(created)
    assert order.newest_first is newest_first
