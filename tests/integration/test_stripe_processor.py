"""The Stripe adapter against localstripe (a real HTTP server speaking Stripe's API, started per
session by tests/localstripetest.py and emptied per test): charges, declines, manual capture,
voids, refunds and finding payments by order, as posapp's recovery does.

What localstripe cannot model (decline codes, lost answers, 5xx, refused keys) is injected at the
stripe library's HTTP client in test_stripe_failures.py.
"""

import datetime
import uuid

import pytest
from cardgen import random_pan
from kit import card
from localstripetest import API_KEY

from posapp.money import Money
from posapp.payments import (
    PaymentRefused,
    PaymentState,
    ProcessorLoginRefused,
    ProcessorUnavailable,
    declines,
)
from posapp.payments.stripe_processor import StripeProcessor

VISA_TEST = "4242424242424242"  # Stripe's test Visa; localstripe approves it
DECLINES_ON_CONFIRM = "4000000000000341"  # the one card localstripe declines when a PaymentIntent is confirmed
NEEDS_3DS = "4000002500003155"  # asks for 3-D Secure: the PaymentIntent comes back requires_action
CVC = "739"
AMOUNT = Money(1234, "USD")
LONG_AGO = datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)


def charge(processor, number=VISA_TEST, *, order_id=1, amount=AMOUNT, capture=True, key=None):
    """One authorize call with a fresh idempotency key (or ``key``)."""
    return processor.authorize(card=card(number), cvc=CVC, amount=amount, order_id=order_id,
                               idempotency_key=key or f"sale-{uuid.uuid4()}", capture=capture)


def test_a_charge_is_captured_with_the_processors_reference_brand_and_last4(stripe_processor, localstripe):
    payment = charge(stripe_processor, order_id=41)
    assert payment.state is PaymentState.CAPTURED
    assert payment.reference.startswith("pi_")
    assert (payment.brand, payment.last4) == ("VISA", "4242")
    assert payment.captured_minor == AMOUNT.minor and payment.amount == AMOUNT
    assert payment.order_id == 41 and payment.decline_code is None and payment.decline_sentence is None
    [intent] = localstripe.payment_intents()  # what the server holds, read without posapp
    assert (intent["id"], intent["status"], intent["metadata"]) == (payment.reference, "succeeded",
                                                                    {"posapp_order": "41"})
    assert (intent["amount"], intent["currency"], intent["capture_method"]) == (1234, "usd", "automatic")
    assert stripe_processor.find([41], since=LONG_AGO) == {41: payment}


def test_a_declined_card_is_a_declined_payment_with_a_code_and_a_sentence(stripe_processor, localstripe):
    payment = charge(stripe_processor, DECLINES_ON_CONFIRM, order_id=7)
    assert payment.state is PaymentState.DECLINED and payment.captured_minor == 0
    assert payment.decline_code == "card_declined"  # localstripe's only code
    assert payment.decline_sentence == declines.sentence("card_declined")
    assert payment.decline_sentence == "Declined by the card issuer — ask for another card"
    [intent] = localstripe.payment_intents()
    assert payment.reference == intent["id"] and intent["status"] == "requires_payment_method"
    found = stripe_processor.find([7], since=LONG_AGO)[7]
    assert (found.reference, found.state, found.decline_code) == (payment.reference, PaymentState.DECLINED,
                                                                  "card_declined")


def test_a_card_that_asks_for_3d_secure_is_declined_and_its_intent_cancelled(stripe_processor, localstripe):
    payment = charge(stripe_processor, NEEDS_3DS, order_id=9)
    assert (payment.state, payment.decline_code) == (PaymentState.DECLINED, "authentication_required")
    assert "authentication" in payment.decline_sentence
    [intent] = localstripe.payment_intents()
    assert (intent["id"], intent["status"]) == (payment.reference, "canceled")  # nothing left open
    found = stripe_processor.find([9], since=LONG_AGO)[9]
    assert (found.state, found.decline_code) == (PaymentState.DECLINED, "authentication_required")


@pytest.mark.parametrize(("amount_minor", "captured"), [(None, 1234), (1000, 1000)], ids=["full", "partial"])
def test_an_authorization_is_captured_later_in_full_or_in_part(stripe_processor, localstripe, amount_minor, captured):
    authorized = charge(stripe_processor, capture=False)
    assert (authorized.state, authorized.captured_minor) == (PaymentState.AUTHORIZED, 0)
    assert localstripe.payment_intents()[0]["status"] == "requires_capture"
    payment = stripe_processor.capture(authorized.reference, amount_minor, idempotency_key=f"cap-{uuid.uuid4()}")
    assert (payment.reference, payment.state, payment.captured_minor) == (authorized.reference,
                                                                          PaymentState.CAPTURED, captured)
    assert (payment.brand, payment.last4) == ("VISA", "4242")
    assert localstripe.payment_intents()[0]["status"] == "succeeded"


def test_an_authorization_is_voided(stripe_processor, localstripe):
    authorized = charge(stripe_processor, capture=False, order_id=3)
    payment = stripe_processor.void(authorized.reference, idempotency_key=f"void-{uuid.uuid4()}")
    assert (payment.reference, payment.state, payment.captured_minor) == (authorized.reference,
                                                                          PaymentState.VOIDED, 0)
    assert localstripe.payment_intents()[0]["status"] == "canceled"
    assert stripe_processor.find([3], since=LONG_AGO)[3].state is PaymentState.VOIDED


def test_a_capture_is_refunded_in_part_then_the_rest(stripe_processor, localstripe):
    payment = charge(stripe_processor)
    first = stripe_processor.refund(payment.reference, 234, idempotency_key=f"refund-{uuid.uuid4()}")
    rest = stripe_processor.refund(payment.reference, 1000, idempotency_key=f"refund-{uuid.uuid4()}")
    assert first.reference.startswith("re_") and rest.reference.startswith("re_") and first != rest
    assert (first.amount_minor, rest.amount_minor) == (234, 1000)
    status, body = localstripe.request("GET", f"/v1/refunds?payment_intent={payment.reference}")
    assert status == 200 and b'"amount": 234' in body and b'"amount": 1000' in body


def test_find_gives_each_orders_payment_and_leaves_out_orders_without_one(stripe_processor):
    paid = charge(stripe_processor, random_pan("4", 16), order_id=1)
    authorized = charge(stripe_processor, order_id=2, capture=False)
    declined = charge(stripe_processor, DECLINES_ON_CONFIRM, order_id=4)
    charge(stripe_processor, DECLINES_ON_CONFIRM, order_id=5)  # a decline, then another card for the same sale
    retried = charge(stripe_processor, order_id=5)
    charge(stripe_processor, order_id=99)  # an order nobody asks about
    stripe_processor.page_size = 2  # several pages: localstripe lists oldest first, Stripe newest first
    found = stripe_processor.find([1, 2, 3, 4, 5], since=LONG_AGO)
    assert found == {1: paid, 2: authorized, 4: declined, 5: retried}
    assert stripe_processor.find([], since=LONG_AGO) == {}


def test_find_leaves_out_payments_made_before_since(stripe_processor):
    charge(stripe_processor, order_id=1)
    later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)
    assert stripe_processor.find([1], since=later) == {}
    with pytest.raises(ValueError, match="naive"):
        stripe_processor.find([1], since=datetime.datetime(2020, 1, 1))


def test_a_card_without_expiry_is_refused_before_anything_is_sent(stripe_processor, localstripe):
    with pytest.raises(PaymentRefused, match="no expiry date"):
        stripe_processor.authorize(card=card(VISA_TEST, None), cvc=CVC, amount=AMOUNT, order_id=1,
                                   idempotency_key="sale-1", capture=True)
    assert localstripe.payment_intents() == []


def test_capturing_a_voided_payment_is_refused(stripe_processor, localstripe):
    reference = charge(stripe_processor, capture=False).reference
    stripe_processor.void(reference, idempotency_key="void-1")
    # Stripe answers 400; localstripe answers 200 and leaves the payment voided: refused either way.
    with pytest.raises(PaymentRefused, match=f"left payment {reference} voided, not captured"):
        stripe_processor.capture(reference, None, idempotency_key="cap-1")
    assert localstripe.payment_intents()[0]["status"] == "canceled"


@pytest.mark.parametrize("action", ["over-capture", "void a capture"])
def test_a_request_the_processor_refuses_is_payment_refused(stripe_processor, action):
    if action == "over-capture":
        reference = charge(stripe_processor, capture=False).reference
        attempt = lambda: stripe_processor.capture(reference, 5000, idempotency_key="cap-1")  # noqa: E731
    else:
        reference = charge(stripe_processor).reference
        attempt = lambda: stripe_processor.void(reference, idempotency_key="void-1")  # noqa: E731
    with pytest.raises(PaymentRefused, match="^the card processor refused the request: Bad request$"):
        attempt()


def test_a_key_the_server_refuses_is_a_login_refusal_that_names_where_keys_come_from(localstripe):
    key = f"rk_test_{uuid.uuid4().hex}"  # localstripe answers 401 to anything but "sk_..."
    processor = StripeProcessor(key, api_base=localstripe.url)
    with pytest.raises(ProcessorLoginRefused) as refused:
        charge(processor)
    message = str(refused.value)
    assert key not in message and key[8:] not in message and key not in repr(refused.value)
    assert "keyring (service 'posapp', entry 'stripe')" in message and "POSAPP_STRIPE_KEY" in message
    assert refused.value.exit_code == 2


def test_no_key_at_all_is_refused_at_once():
    with pytest.raises(ProcessorLoginRefused, match="no Stripe API key"):
        StripeProcessor("")


def test_a_server_that_refuses_connections_is_unavailable_and_nothing_was_sent():
    from awstest import free_port

    processor = StripeProcessor(API_KEY, api_base=f"http://127.0.0.1:{free_port()}", max_network_retries=0)
    with pytest.raises(ProcessorUnavailable) as unavailable:
        charge(processor)
    assert type(unavailable.value) is ProcessorUnavailable  # not ProcessorOutcomeUnknown: it was never sent
    assert "no connection" in str(unavailable.value) and unavailable.value.exit_code == 3
    with pytest.raises(ProcessorUnavailable):
        processor.find([1], since=LONG_AGO)
