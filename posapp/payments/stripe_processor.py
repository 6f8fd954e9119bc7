"""The Stripe adapter of the :class:`~posapp.payments.base.Processor` port, through the official
``stripe`` library (a ``StripeClient`` with bounded timeouts and the library's own retries).

A sale is a PaymentMethod made from the card, then a PaymentIntent confirmed at once
(``capture_method`` "automatic" or "manual") whose metadata ``posapp_order`` names the order;
each with an idempotency key derived from the sale's (``KEY:pm``, ``KEY:pi``), so that the
library's retries, and a caller's, never charge twice. Amounts are minor units, as Stripe's are.

Errors (see :mod:`posapp.payments.base`): 401/403 → ProcessorLoginRefused; 400/404 →
PaymentRefused; no connection or 429, or a 5xx on a read → ProcessorUnavailable; a change whose
answer was lost (read timeout, connection reset, 5xx after the retries) → ProcessorOutcomeUnknown.
Making the PaymentMethod moves no money: a lost answer there is ProcessorUnavailable.
They are raised without the library's exception attached: its request holds the card. A decline
(``stripe.CardError``, or a PaymentIntent that needs 3-D Secure) is a returned DECLINED Payment.

localstripe, which the tests use, returns ``latest_charge`` expanded, no ``amount_received`` and
no ``authorization_code``; list order oldest first, where Stripe's is newest first: :meth:`find`
is correct on both.
"""

from __future__ import annotations

import datetime
import logging
import math
from collections.abc import Callable, Collection
from typing import Any, TypeVar

import stripe

from posapp.card import Card
from posapp.clock import require_aware
from posapp.money import Money
from posapp.pan_detect import redact
from posapp.payments import declines
from posapp.payments.base import (
    KEY_SOURCES,
    Payment,
    PaymentError,
    PaymentRefused,
    PaymentState,
    Processor,
    ProcessorLoginRefused,
    ProcessorOutcomeUnknown,
    ProcessorUnavailable,
    Refund,
)
from posapp.payments.stripe_http import SendingClient, guard_stripe_logging, why
from posapp.payments.stripe_objects import ORDER_KEY, ListOrder, better, card_of, order_id_of, payment_of, took_money

log = logging.getLogger(__name__)

_EXPAND = ["payment_method", "latest_charge"]
T = TypeVar("T")


class StripeProcessor(Processor):
    """Charges cards through Stripe (or any server that speaks its API at ``api_base``).

    ``api_key`` is Stripe's secret key (ProcessorLoginRefused when empty); timeouts in seconds;
    ``http_client`` replaces ``stripe.RequestsClient(timeout=(connect_timeout, read_timeout))``.
    Construction sets the ``stripe`` logger to INFO or above (see ``stripe_http``).
    """

    name = "stripe"
    charges = True
    page_size = 100  # PaymentIntents per list page in find()

    def __init__(self, api_key: str, *, api_base: str | None = None, max_network_retries: int = 2,
                 connect_timeout: float = 3.0, read_timeout: float = 15.0,
                 http_client: stripe.HTTPClient | None = None):
        if not api_key:
            raise ProcessorLoginRefused(f"no Stripe API key is set: put it in {KEY_SOURCES}")
        guard_stripe_logging()
        self._http = SendingClient(http_client or stripe.RequestsClient(timeout=(connect_timeout, read_timeout)))
        self._client = stripe.StripeClient(api_key, base_addresses={"api": api_base} if api_base else None,
                                           http_client=self._http, max_network_retries=max_network_retries)

    def __repr__(self) -> str:
        return "<StripeProcessor>"

    def close(self) -> None:
        """Close this thread's connections to Stripe (an addition to the port; the others close when collected)."""
        self._http.close()

    def authorize(self, *, card: Card, cvc: str | None, amount: Money, order_id: int,
                  idempotency_key: str, capture: bool) -> Payment:
        """See :meth:`Processor.authorize`. ProcessorOutcomeUnknown also when Stripe is still processing."""
        if card.expiry is None:
            raise PaymentRefused("the card has no expiry date, which the card processor needs: "
                                 "key the card with its MM/YY, or swipe it")
        fields = {"number": card.pan.reveal(), "exp_month": card.expiry.month, "exp_year": card.expiry.year}
        if cvc:
            fields["cvc"] = cvc
        method = None
        try:
            # A PaymentMethod moves no money: if its answer is lost, nothing was charged yet.
            method = self._send(lambda: self._client.v1.payment_methods.create(
                params={"type": "card", "card": fields}, options={"idempotency_key": f"{idempotency_key}:pm"}),
                changes=False, card_errors=True)
            intent = self._send(lambda: self._client.v1.payment_intents.create(params={
                "amount": amount.minor, "currency": amount.currency.lower(), "payment_method": method.id,
                "payment_method_types": ["card"], "confirm": True,
                "capture_method": "automatic" if capture else "manual",
                "metadata": {ORDER_KEY: str(order_id)}, "expand": ["latest_charge"],
            }, options={"idempotency_key": f"{idempotency_key}:pi"}), changes=True, card_errors=True).to_dict()
        except stripe.CardError as error:
            return self._declined(error, amount, order_id, method, f"{idempotency_key}:pi")
        intent["payment_method"] = method.to_dict()
        if intent.get("status") == "requires_action":  # 3-D Secure: a till cannot show the challenge
            self._cancel_quietly(intent["id"], f"{idempotency_key}:cancel")
        payment = payment_of(intent)
        if payment is None:
            raise ProcessorOutcomeUnknown(f"Stripe is still processing order {order_id}'s payment "
                                          f"({intent.get('status')}); recover the sale later")
        return payment

    def capture(self, reference: str, amount_minor: int | None, *, idempotency_key: str) -> Payment:
        """See :meth:`Processor.capture`."""
        params: dict[str, Any] = {"expand": _EXPAND}
        if amount_minor is not None:
            params["amount_to_capture"] = amount_minor
        intent = self._send(lambda: self._client.v1.payment_intents.capture(
            reference, params=params, options={"idempotency_key": idempotency_key}), changes=True)
        return self._settled(intent.to_dict(), PaymentState.CAPTURED, captured_hint=amount_minor)

    def void(self, reference: str, *, idempotency_key: str) -> Payment:
        """See :meth:`Processor.void`."""
        intent = self._send(lambda: self._client.v1.payment_intents.cancel(
            reference, params={"expand": _EXPAND}, options={"idempotency_key": idempotency_key}), changes=True)
        return self._settled(intent.to_dict(), PaymentState.VOIDED)

    def refund(self, reference: str, amount_minor: int, *, idempotency_key: str) -> Refund:
        """See :meth:`Processor.refund`."""
        refund = self._send(lambda: self._client.v1.refunds.create(
            params={"payment_intent": reference, "amount": amount_minor},
            options={"idempotency_key": idempotency_key}), changes=True)
        return Refund(refund.id, refund.amount)

    def find(self, order_ids: Collection[int], *, since: datetime.datetime) -> dict[int, Payment]:
        """See :meth:`Processor.find`: Stripe's list API (strongly consistent; its search API lags),
        filtered on ``metadata.posapp_order`` here. ProcessorOutcomeUnknown if an asked order's only
        payments are still processing. ValueError for a naive ``since``.

        Paging stops once every asked order has a payment that took money, or, once the list is seen
        to run newest first (Stripe's order; localstripe's is oldest first), at the first payment
        older than ``since`` or once every asked order has a payment.
        """
        require_aware("since", since)
        wanted, oldest = set(order_ids), math.floor(since.timestamp())
        found: dict[int, tuple[Payment, int]] = {}
        processing: set[int] = set()
        order = ListOrder()
        if not wanted:
            return {}
        listing = self._send(lambda: self._client.v1.payment_intents.list(
            params={"limit": self.page_size, "expand": [f"data.{field}" for field in _EXPAND]}), changes=False)
        intents = iter(listing.auto_paging_iter())
        while (intent := self._send(lambda: next(intents, None), changes=False)) is not None:
            created = intent.created
            order.see(created)
            if created < oldest:
                if order.newest_first:
                    break
                continue
            intent = intent.to_dict()
            order_id = order_id_of(intent)
            if order_id not in wanted:
                continue
            payment = payment_of(intent)
            if payment is None:
                processing.add(order_id)
            elif order_id not in found or better(payment, created, *found[order_id]):
                found[order_id] = (payment, created)
            settled = {key for key, (kept, _) in found.items() if took_money(kept)}
            if settled >= wanted or (order.newest_first and set(found) >= wanted):
                break
        still = sorted(processing - {key for key, (kept, _) in found.items() if took_money(kept)})
        if still:
            raise ProcessorOutcomeUnknown(f"Stripe is still processing the payment of order {still[0]}; "
                                          "recover it again later")
        return {key: payment for key, (payment, _) in found.items()}

    def _send(self, call: Callable[[], T], *, changes: bool, card_errors: bool = False) -> T:
        """``call()``'s result; a Stripe error becomes posapp's (CardError passes when ``card_errors``).

        The posapp error is raised outside the handler, so no traceback chains to the library's
        exception, whose request holds the card. ``changes``: the call may change Stripe's state.
        """
        try:
            return call()
        except stripe.CardError:
            if card_errors:
                raise
            failure: PaymentError = PaymentRefused("the card processor refused the request: the card was declined")
        except stripe.StripeError as error:
            failure = self._failure(error, changes)
        raise failure

    def _failure(self, error: stripe.StripeError, changes: bool) -> PaymentError:
        # INFO: the log file's; the command line's one line on stderr is the error's sentence.
        log.info("Stripe answered %s (HTTP %s, request %s)", type(error).__name__, error.http_status or "-",
                    error.request_id or "-")
        if isinstance(error, (stripe.AuthenticationError, stripe.PermissionError)):
            return ProcessorLoginRefused(f"the card processor refused posapp's API key ({why(error)}): "
                                         f"check the key in {KEY_SOURCES}")
        if isinstance(error, (stripe.InvalidRequestError, stripe.IdempotencyError)):
            message = " ".join(redact(str(error.user_message or "the request is invalid")).split())
            return PaymentRefused(f"the card processor refused the request: {message}")
        if changes and self._http.maybe_sent:
            return ProcessorOutcomeUnknown(f"the card processor did not answer ({why(error)}), so whether it "
                                           "took the request is not known; a retry with the same sale is safe, "
                                           "and recovery asks the processor what happened")
        return ProcessorUnavailable(f"the card processor cannot be reached ({why(error)}); nothing was done: "
                                    "try again later")

    def _declined(self, error: stripe.CardError, amount: Money, order_id: int, method: Any,
                  marker: str) -> Payment:
        body = (error.json_body or {}).get("error") or {}
        code = body.get("decline_code") or body.get("code") or error.code
        intent = body.get("payment_intent")
        reference = intent.get("id") if isinstance(intent, dict) else intent
        if not reference and body.get("charge"):  # localstripe names the charge alone
            reference = self._intent_of_charge(body["charge"])
        brand, last4 = card_of(method.to_dict() if method is not None else None, None)
        log.info("Stripe declined order %s's card: %s", order_id, code)
        return Payment(reference or marker, PaymentState.DECLINED, amount, 0, order_id, brand, last4,
                       decline_code=code, decline_sentence=declines.sentence(code))

    def _intent_of_charge(self, charge_id: str) -> str | None:
        try:
            intent = self._client.v1.charges.retrieve(charge_id).to_dict().get("payment_intent")
        except stripe.StripeError as error:
            log.info("the declined charge's PaymentIntent could not be read: %s", type(error).__name__)
            return None
        return intent if isinstance(intent, str) or intent is None else intent.get("id")

    def _cancel_quietly(self, reference: str, idempotency_key: str) -> None:
        try:
            self._client.v1.payment_intents.cancel(reference, options={"idempotency_key": idempotency_key})
        except stripe.StripeError as error:  # nothing was charged: an open intent costs nothing
            log.info("PaymentIntent %s waiting for 3-D Secure could not be cancelled: %s", reference,
                     type(error).__name__)

    def _settled(self, intent: dict, state: PaymentState, captured_hint: int | None = None) -> Payment:
        """The Payment, which must be in ``state``: a server that answers with another (localstripe
        "captures" a voided payment and leaves it voided) refused the change."""
        payment = payment_of(intent, captured_hint)
        if payment is None:
            raise ProcessorOutcomeUnknown(f"Stripe is still processing payment {intent.get('id')}; look again later")
        if payment.state is not state:
            raise PaymentRefused(f"the card processor left payment {payment.reference} {payment.state.value}, "
                                 f"not {state.value}")
        return payment
