"""The Stripe adapter where localstripe cannot go: failures and answers injected at the stripe
library's HTTP client (tests/stripefaults.py), with the library's retries and error classes and
posapp's adapter all real. Where a request should still reach a server, it is localstripe.
"""

import datetime
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kit import card
from localstripetest import API_KEY
from stripefaults import (
    SEND,
    LoseAnswer,
    Scripted,
    error_body,
    list_pages,
    payment_intent,
    payment_method,
    read_timeout,
    refused,
    reset,
)

from posapp.money import Money
from posapp.payments import (
    PaymentRefused,
    PaymentState,
    ProcessorLoginRefused,
    ProcessorOutcomeUnknown,
    ProcessorUnavailable,
    declines,
)
from posapp.payments.stripe_processor import StripeProcessor

NOWHERE = "http://127.0.0.1:9"  # never reached: every attempt is answered by the script
AMOUNT = Money(1234, "USD")
LONG_AGO = datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)
VISA_TEST = "4242424242424242"


def processor_with(client: Scripted, api_base: str = NOWHERE, **options) -> StripeProcessor:
    return StripeProcessor(API_KEY, api_base=api_base, http_client=client, **options)


def authorize(processor, *, key="sale-1", number=VISA_TEST, capture=True):
    return processor.authorize(card=card(number), cvc="739", amount=AMOUNT, order_id=12, idempotency_key=key,
                               capture=capture)


def declining(code_fields: dict):
    """A script: the PaymentMethod is made, the PaymentIntent is declined with ``code_fields``."""
    def answer(method, path, query, attempt):
        if path == "/v1/payment_methods":
            return 200, payment_method()
        return 402, error_body("card_error", "Your card was declined.", **code_fields,
                               payment_intent={"id": "pi_declined", "object": "payment_intent",
                                               "status": "requires_payment_method"})
    return answer


codes = st.sampled_from(sorted(declines.SENTENCES)) | st.from_regex(r"[a-z][a-z_]{0,30}", fullmatch=True)


@settings(max_examples=150, deadline=None)
@given(code=codes, as_decline_code=st.booleans())
def test_every_decline_code_gives_its_sentence_and_unknown_codes_the_default(code, as_decline_code):
    # Stripe sends issuer declines as code "card_declined" with a decline_code, and some (expired_card,
    # incorrect_cvc...) as the error's code alone.
    fields = {"code": "card_declined", "decline_code": code} if as_decline_code else {"code": code}
    client = Scripted(declining(fields))
    payment = authorize(processor_with(client))
    assert (payment.state, payment.reference, payment.captured_minor) == (PaymentState.DECLINED, "pi_declined", 0)
    assert payment.decline_code == code
    assert payment.decline_sentence == declines.SENTENCES.get(code, declines.DEFAULT)
    assert (payment.brand, payment.last4, payment.order_id) == ("VISA", "4242", 12)


def test_the_table_has_a_sentence_for_each_code_the_brief_names():
    named = ["insufficient_funds", "generic_decline", "do_not_honor", "expired_card", "incorrect_cvc",
             "incorrect_number", "lost_card", "stolen_card", "pickup_card", "card_velocity_exceeded",
             "processing_error", "authentication_required"]
    assert all(declines.sentence(code) != declines.DEFAULT for code in named)
    assert declines.sentence("insufficient_funds") == "Declined: insufficient funds — ask for another card"
    assert declines.sentence("do_not_honor") == declines.sentence("generic_decline")
    assert "try again" in declines.sentence("processing_error")
    assert all(sentence.startswith("Declined") and "\n" not in sentence for sentence in declines.SENTENCES.values())


def test_a_lost_answer_after_the_charge_was_made_is_an_unknown_outcome_that_find_settles(localstripe):
    localstripe.reset()
    client = Scripted(lambda method, path, query, attempt:
                      LoseAnswer(read_timeout()) if path == "/v1/payment_intents" and method == "post" else SEND)
    processor = processor_with(client, localstripe.url, max_network_retries=0)
    with pytest.raises(ProcessorOutcomeUnknown) as unknown:
        authorize(processor)
    assert "no answer in time" in str(unknown.value) and unknown.value.exit_code == 3
    [intent] = localstripe.payment_intents()  # the charge happened; only its answer was lost
    found = processor.find([12], since=LONG_AGO)[12]
    assert (found.reference, found.state, found.captured_minor) == (intent["id"], PaymentState.CAPTURED, 1234)


@pytest.mark.parametrize("failure", [read_timeout, reset], ids=["read-timeout", "connection-reset"])
def test_every_retry_of_a_lost_answer_carries_the_same_idempotency_key(failure):
    client = Scripted(lambda method, path, query, attempt:
                      (200, payment_method()) if path == "/v1/payment_methods" else failure())
    with pytest.raises(ProcessorOutcomeUnknown):
        authorize(processor_with(client), key="sale-77")
    assert client.attempts("post", "/v1/payment_intents") == ["sale-77:pi"] * 3  # 1 + max_network_retries (2)


def test_a_lost_answer_to_the_payment_method_is_only_unavailable_nothing_was_charged():
    client = Scripted(lambda method, path, query, attempt: read_timeout())
    with pytest.raises(ProcessorUnavailable) as unavailable:
        authorize(processor_with(client), key="sale-3")
    assert type(unavailable.value) is ProcessorUnavailable and "nothing was done" in str(unavailable.value)
    assert client.attempts("post", "/v1/payment_methods") == ["sale-3:pm"] * 3
    assert client.attempts("post", "/v1/payment_intents") == []


def test_a_5xx_on_a_change_is_an_unknown_outcome_after_the_librarys_retries():
    client = Scripted(lambda method, path, query, attempt:
                      (200, payment_method()) if path == "/v1/payment_methods"
                      else (500, error_body("api_error", "Something went wrong on Stripe's end.")))
    with pytest.raises(ProcessorOutcomeUnknown, match=r"HTTP 500"):
        authorize(processor_with(client, max_network_retries=2), key="sale-5")
    assert client.attempts("post", "/v1/payment_methods") == ["sale-5:pm"]
    assert client.attempts("post", "/v1/payment_intents") == ["sale-5:pi"] * 3


def test_a_5xx_on_a_read_is_only_unavailable():
    client = Scripted(lambda method, path, query, attempt: (503, error_body("api_error", "Service unavailable")))
    with pytest.raises(ProcessorUnavailable) as unavailable:
        processor_with(client).find([1], since=LONG_AGO)
    assert type(unavailable.value) is ProcessorUnavailable and len(client.sent) == 3


def test_a_5xx_then_an_answer_is_a_charge(localstripe):
    localstripe.reset()
    client = Scripted(lambda method, path, query, attempt:
                      (503, error_body("api_error", "busy")) if attempt == 1 else SEND)
    payment = authorize(processor_with(client, localstripe.url))
    assert payment.state is PaymentState.CAPTURED and len(localstripe.payment_intents()) == 1


def test_an_attempt_that_may_have_been_sent_keeps_the_outcome_unknown_when_the_retries_are_refused(localstripe):
    localstripe.reset()
    client = Scripted(lambda method, path, query, attempt:
                      SEND if path == "/v1/payment_methods"
                      else LoseAnswer(read_timeout()) if attempt == 1 else refused())
    with pytest.raises(ProcessorOutcomeUnknown):
        authorize(processor_with(client, localstripe.url))
    assert len(localstripe.payment_intents()) == 1  # the first attempt charged


def test_refused_connections_on_every_attempt_are_unavailable_and_nothing_was_charged():
    client = Scripted(lambda method, path, query, attempt: refused())
    with pytest.raises(ProcessorUnavailable) as unavailable:
        authorize(processor_with(client))
    assert type(unavailable.value) is ProcessorUnavailable and len(client.sent) == 3


def test_rate_limiting_is_unavailable_not_unknown():
    client = Scripted(lambda method, path, query, attempt:
                      (429, error_body("invalid_request_error", "Too many requests", code="rate_limit")))
    with pytest.raises(ProcessorUnavailable) as unavailable:
        authorize(processor_with(client))
    assert type(unavailable.value) is ProcessorUnavailable and "too many requests" in str(unavailable.value)


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_key_is_a_login_refusal_without_the_key(status):
    key = f"sk_live_{uuid.uuid4().hex}"
    client = Scripted(lambda method, path, query, attempt:
                      (status, error_body("invalid_request_error", f"Invalid API Key provided: {key}")))
    with pytest.raises(ProcessorLoginRefused) as refused_key:
        authorize(StripeProcessor(key, api_base=NOWHERE, http_client=client))
    assert key not in str(refused_key.value) and key not in repr(refused_key.value)
    assert f"HTTP {status}" in str(refused_key.value) and "POSAPP_STRIPE_KEY" in str(refused_key.value)


def test_a_refused_request_is_payment_refused_in_one_line_without_a_card_number():
    echoed = "Refund amount (2000) is greater than\ncharge amount; card 4242 4242 4242 4242"
    client = Scripted(lambda method, path, query, attempt:
                      (400, error_body("invalid_request_error", echoed, code="amount_too_large")))
    with pytest.raises(PaymentRefused) as refused_request:
        processor_with(client).refund("pi_1", 2000, idempotency_key="refund-1")
    message = str(refused_request.value)
    assert message.startswith("the card processor refused the request: Refund amount (2000) is greater than charge")
    assert "\n" not in message and "4242 4242" not in message and message.endswith("4242")
    assert refused_request.value.exit_code == 2


def test_a_3d_secure_intent_whose_cancel_fails_is_still_a_decline():
    def answer(method, path, query, attempt):
        if path == "/v1/payment_methods":
            return 200, payment_method()
        if path == "/v1/payment_intents":
            return 200, {**payment_intent(1, created=1, order=12, status="requires_action"), "latest_charge": None,
                         "payment_method": "pm_scripted"}
        return 500, error_body("api_error", "down")
    client = Scripted(answer)
    payment = authorize(processor_with(client))
    assert (payment.state, payment.decline_code) == (PaymentState.DECLINED, "authentication_required")
    assert client.attempts("post", "/v1/payment_intents/pi_1/cancel") == ["sale-1:cancel"] * 3


def test_an_error_from_the_processor_carries_no_trace_of_the_librarys_request():
    client = Scripted(lambda method, path, query, attempt:
                      (200, payment_method()) if path == "/v1/payment_methods" else read_timeout())
    with pytest.raises(ProcessorOutcomeUnknown) as unknown:
        authorize(processor_with(client))
    # The library's exception holds the request, card fields included: posapp's error does not chain to it.
    assert unknown.value.__cause__ is None and unknown.value.__context__ is None
    client = Scripted(lambda method, path, query, attempt: read_timeout())
    with pytest.raises(ProcessorUnavailable) as unavailable:  # the PaymentMethod's own request: number and CVC
        authorize(processor_with(client))
    assert unavailable.value.__cause__ is None and unavailable.value.__context__ is None


STRIPE_NOW = 1_800_000_000


def test_find_on_stripes_newest_first_list_stops_at_the_first_payment_older_than_since():
    intents = [payment_intent(n, created=STRIPE_NOW - 60 * n, order=1000 + n) for n in range(350)]
    client = Scripted(list_pages(intents))
    since = datetime.datetime.fromtimestamp(STRIPE_NOW - 60 * 150, datetime.timezone.utc)
    found = processor_with(client).find([1010, 1150, 1151, 1300], since=since)
    assert sorted(found) == [1010, 1150]  # 1151 and 1300 are older than since
    assert found[1010] == found[1010].__class__(
        "pi_10", PaymentState.CAPTURED, Money(500, "EUR"), 500, 1010, "MASTERCARD", "4444", "A00010")
    assert len(client.sent) == 2  # pages 1 and 2 of 4: page 2 holds the first older payment


def test_find_on_stripes_newest_first_list_stops_once_every_order_is_found():
    intents = [payment_intent(n, created=STRIPE_NOW - 60 * n, order=1000 + n) for n in range(350)]
    client = Scripted(list_pages(intents))
    assert sorted(processor_with(client).find([1003, 1042], since=LONG_AGO)) == [1003, 1042]
    assert len(client.sent) == 1


def test_find_on_an_oldest_first_list_reads_on_past_old_payments():
    # localstripe's order: the oldest payments come first, so an old one is no reason to stop.
    intents = [payment_intent(n, created=STRIPE_NOW + 60 * n, order=1000 + n) for n in range(250)]
    client = Scripted(list_pages(intents))
    since = datetime.datetime.fromtimestamp(STRIPE_NOW + 60 * 200, datetime.timezone.utc)
    assert sorted(processor_with(client).find([1005, 1210, 1249], since=since)) == [1210, 1249]
    assert len(client.sent) == 3


def test_find_prefers_the_payment_that_took_the_money_and_waits_for_one_still_processing():
    declined = {**payment_intent(1, created=STRIPE_NOW, order=5, status="requires_payment_method"),
                "last_payment_error": {"code": "card_declined", "decline_code": "insufficient_funds"}}
    captured = payment_intent(2, created=STRIPE_NOW - 60, order=5)
    client = Scripted(list_pages([declined, captured]))
    assert processor_with(client).find([5], since=LONG_AGO)[5].reference == "pi_2"
    only_declined = processor_with(Scripted(list_pages([declined]))).find([5], since=LONG_AGO)[5]
    assert (only_declined.state, only_declined.decline_code) == (PaymentState.DECLINED, "insufficient_funds")
    processing = payment_intent(3, created=STRIPE_NOW, order=6, status="processing")
    with pytest.raises(ProcessorOutcomeUnknown, match="still processing the payment of order 6"):
        processor_with(Scripted(list_pages([processing]))).find([6], since=LONG_AGO)
