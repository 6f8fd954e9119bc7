"""The card processor port: one verb set, one result type, one error tree, whatever processor charges.

Pure: it imports posapp's domain (``card``, ``money``, ``errors``) and no processor library. The
adapters are ``none`` (no processor: orders are card on file) and ``stripe``.

Amounts cross the port as :class:`posapp.money.Money` (what was asked) and plain minor units
(what was captured or refunded: cents, pence; yen for JPY). A decline is a returned
:class:`Payment` in state ``DECLINED``, never an exception: only a request that could not be
made, or whose answer was lost, or that the processor refused as a request, raises.

The card and its verification code go to the processor once, inside :meth:`Processor.authorize`;
no error message, repr or log line of this package holds either.
"""

from __future__ import annotations

import abc
import datetime
import enum
from collections.abc import Collection
from dataclasses import dataclass

from posapp.card import Card
from posapp.errors import Backend, ConfigError, InvalidInput, PosappError, Unavailable
from posapp.money import Money

# Where the Stripe API key is read from, for the sentences that name it (never the key itself).
KEY_SOURCES = "the keyring (service 'posapp', entry 'stripe') or the POSAPP_STRIPE_KEY environment variable"


class PaymentState(enum.Enum):
    """Where a payment stands at the processor; the value is what posapp writes and shows."""

    AUTHORIZED = "authorized"  # approved, not captured (manual capture)
    CAPTURED = "captured"  # money taken (fully or partly captured)
    DECLINED = "declined"  # the issuer or processor refused the card
    VOIDED = "voided"  # an authorization cancelled before capture


@dataclass(frozen=True)
class Payment:
    """One payment as the processor holds it. Never the card number or its verification code."""

    reference: str  # the processor's id (Stripe: the PaymentIntent id "pi_..."), or a marker when it made none
    state: PaymentState
    amount: Money  # what was asked
    captured_minor: int  # minor units captured so far (0 unless CAPTURED)
    order_id: int | None  # from the processor's metadata "posapp_order"
    brand: str | None = None  # a posapp brand name (posapp.iin.Brand's values: VISA, MASTERCARD, AMEX...)
    last4: str | None = None
    authorization_code: str | None = None
    decline_code: str | None = None  # the processor's code, e.g. "insufficient_funds"
    decline_sentence: str | None = None  # what the cashier reads, from posapp.payments.declines


@dataclass(frozen=True)
class Refund:
    """A refund the processor accepted: its id ("re_...") and amount in minor units."""

    reference: str
    amount_minor: int


class PaymentError(PosappError):
    """Base of the payment port's errors."""


class ProcessorUnavailable(PaymentError, Unavailable):
    """The processor cannot be reached, answered 5xx after retries or rate-limited: the request is
    known not to have taken effect (exit 3; retrying later may work)."""

    backend = Backend.PROCESSOR


class ProcessorOutcomeUnknown(ProcessorUnavailable):
    """The request was sent and its answer lost (a read timeout, a connection reset, a 5xx on a
    change): it may or may not have taken effect. Recovery asks the processor (``find``)."""

    outcome_unknown = True


class PaymentRefused(PaymentError, InvalidInput):
    """The processor refused the request itself (refunding more than was captured, capturing a
    voided payment...), or no processor is configured: nothing was done (exit 2)."""


class ProcessorLoginRefused(PaymentError, ConfigError):
    """The processor refused posapp's API key (401/403); the sentence says where the key comes
    from, never the key (exit 2)."""

    def advice(self) -> str:
        """The cashier's sentence: the key is for an administrator to fix."""
        return (f"The {Backend.PROCESSOR.value} refused this till's key. Cards cannot be charged until it is fixed; "
                "call your administrator.")


class Processor(abc.ABC):
    """A card processor: ActiveMerchant's verbs over one :class:`Payment` shape.

    ``idempotency_key`` is the caller's key for one operation: the same key sent again (a retry
    after a lost answer) must never charge, capture or refund twice. Every verb raises
    :class:`ProcessorUnavailable`, :class:`ProcessorOutcomeUnknown`, :class:`PaymentRefused` or
    :class:`ProcessorLoginRefused`; ``authorize`` returns declines.
    """

    name: str  # "none" | "stripe"
    charges: bool  # False for the none adapter: orders are card on file, nothing is charged

    @abc.abstractmethod
    def authorize(self, *, card: Card, cvc: str | None, amount: Money, order_id: int,
                  idempotency_key: str, capture: bool) -> Payment:
        """Charge (``capture=True``) or authorize ``amount`` on ``card`` for order ``order_id``.

        ``cvc`` is sent once and kept nowhere. Returns a Payment in state CAPTURED (capture=True),
        AUTHORIZED or DECLINED (with a decline code and sentence). PaymentRefused, before anything
        is sent, for a card without an expiry date.
        """

    @abc.abstractmethod
    def capture(self, reference: str, amount_minor: int | None, *, idempotency_key: str) -> Payment:
        """Capture an AUTHORIZED payment: ``amount_minor`` of it, or all of it when None. Returns it CAPTURED."""

    @abc.abstractmethod
    def void(self, reference: str, *, idempotency_key: str) -> Payment:
        """Cancel an AUTHORIZED, uncaptured payment. Returns it VOIDED."""

    @abc.abstractmethod
    def refund(self, reference: str, amount_minor: int, *, idempotency_key: str) -> Refund:
        """Give back ``amount_minor`` of a CAPTURED payment.

        The caller enforces captured ≥ refunded: a processor (localstripe) may not.
        """

    @abc.abstractmethod
    def find(self, order_ids: Collection[int], *, since: datetime.datetime) -> dict[int, Payment]:
        """The payments whose metadata names these orders, created at or after ``since`` (UTC aware).

        An order with no payment is absent. Where an order has several (a declined card, then
        another), the one that matters is given: captured, then authorized, then voided, then
        declined, the newest first among equals. Reads strongly consistent data (for recovery).
        """
