"""Reading Stripe's objects (as dicts) into the port's shapes: a PaymentIntent into a
:class:`~posapp.payments.base.Payment`, and the order a listing runs in.

Pure: it imports no processor library. Amounts are minor units, as Stripe's are.
"""

from __future__ import annotations

from posapp.iin import Brand
from posapp.money import Money
from posapp.payments import declines
from posapp.payments.base import Payment, PaymentState

ORDER_KEY = "posapp_order"  # the PaymentIntent metadata key that names posapp's order
AUTHENTICATION = "authentication_required"
_BRANDS = {"visa": Brand.VISA, "mastercard": Brand.MASTERCARD, "amex": Brand.AMEX, "american_express": Brand.AMEX,
           "discover": Brand.DISCOVER, "jcb": Brand.JCB, "diners": Brand.DINERS, "diners_club": Brand.DINERS,
           "unionpay": Brand.UNIONPAY, "maestro": Brand.MAESTRO}
# Which of an order's payments counts: the one that took money first.
_RANK = {PaymentState.CAPTURED: 3, PaymentState.AUTHORIZED: 2, PaymentState.VOIDED: 1, PaymentState.DECLINED: 0}


class ListOrder:
    """Whether a listing is seen to run newest first: some item older than the one before it, and none newer."""

    def __init__(self) -> None:
        self.previous: int | None = None
        self.descending = self.ascending = False

    def see(self, created: int) -> None:
        """Note the next item's creation time (epoch seconds)."""
        if self.previous is not None:
            self.descending |= created < self.previous
            self.ascending |= created > self.previous
        self.previous = created

    @property
    def newest_first(self) -> bool:
        """True once the items seen run newest first (Stripe's order); False while unknown or oldest first."""
        return self.descending and not self.ascending


def took_money(payment: Payment) -> bool:
    """Whether ``payment`` is CAPTURED or AUTHORIZED: the one an order keeps, whatever else was tried."""
    return _RANK[payment.state] >= _RANK[PaymentState.AUTHORIZED]


def better(payment: Payment, created: int, kept: Payment, kept_created: int) -> bool:
    """Whether ``payment`` (created at epoch second ``created``) matters more than ``kept``: it took
    more money (captured, then authorized, then voided, then declined), or as much and is newer."""
    return (_RANK[payment.state], created) > (_RANK[kept.state], kept_created)


def order_id_of(intent: dict) -> int | None:
    """The posapp order a PaymentIntent's metadata names; None when it names none (or not a number)."""
    text = (intent.get("metadata") or {}).get(ORDER_KEY)
    return int(text) if isinstance(text, str) and text.isascii() and text.isdigit() else None


def card_of(method: dict | None, charge: dict | None) -> tuple[str | None, str | None]:
    """(posapp brand name or None, last 4) from a PaymentMethod, else from a charge's details."""
    card = (method or {}).get("card") or ((charge or {}).get("payment_method_details") or {}).get("card") or {}
    brand = _BRANDS.get(str(card.get("brand") or "").lower())
    return (brand.value if brand else None), card.get("last4")


def payment_of(intent: dict, captured_hint: int | None = None) -> Payment | None:
    """The Payment a PaymentIntent stands for; None while Stripe is still processing it.

    ``intent`` is the object as a dict, ``payment_method`` and ``latest_charge`` expanded where the
    server did. Captured minor units are ``amount_received``, else the charge's ``amount_captured``,
    else ``captured_hint`` (what was asked to capture), else the charge's amount: localstripe has
    neither field. A canceled intent without a charge never reached the card issuer: posapp
    cancels it when the card asks for 3-D Secure, so it is DECLINED with ``authentication_required``.
    """
    status = intent.get("status")
    charge = intent.get("latest_charge") if isinstance(intent.get("latest_charge"), dict) else None
    method = intent.get("payment_method") if isinstance(intent.get("payment_method"), dict) else None
    error = intent.get("last_payment_error") or {}
    details = ((charge or {}).get("payment_method_details") or {}).get("card") or {}
    captured, code = 0, None
    if status == "succeeded":
        state = PaymentState.CAPTURED
        captured = next(value for value in (intent.get("amount_received"), (charge or {}).get("amount_captured"),
                                            captured_hint, (charge or {}).get("amount"), intent["amount"])
                        if value is not None)
    elif status == "requires_capture":
        state = PaymentState.AUTHORIZED
    elif status == "canceled" and charge is not None and charge.get("status") != "failed":
        state = PaymentState.VOIDED
    elif status in ("requires_payment_method", "canceled", "requires_action"):
        state = PaymentState.DECLINED
        code = error.get("decline_code") or error.get("code") or (None if charge else AUTHENTICATION)
    else:  # processing, requires_confirmation
        return None
    declined = state is PaymentState.DECLINED
    return Payment(intent["id"], state, Money(intent["amount"], intent["currency"].upper()), captured,
                   order_id_of(intent), *card_of(method, charge), details.get("authorization_code"),
                   code if declined else None, declines.sentence(code) if declined else None)
