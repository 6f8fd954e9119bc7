"""How an order reads, for every front end: time, amount and card as text, the JSON object
of ``--json``, and the labelled fields of one order's details. Pure: no I/O, no Qt.

Text is for people: times in the merchant's zone and amounts as the merchant's locale writes
them (``loc``, a Localization). JSON is for programs: UTC ISO 8601 times and decimal amounts.
A field an order lacks (rows adopted from older systems may have no amount, card or time)
reads as "" in text and as null in JSON. Cards are only ever masked. An order whose card is
past its retention (``Order.card_gone``, by the clock of ``posapp.clock``) says "card no longer stored".
"""

from __future__ import annotations

import datetime

from posapp import clock
from posapp.localization import Localization
from posapp.money import InvalidAmount, Money
from posapp.orders.base import Order
from posapp.orders.status import OrderStatus

# The outcomes a sale usually has, which a list does not mark: card on file, or paid.
_USUAL = (None, OrderStatus.RECORDED, OrderStatus.PAID)

# The fields of one order's details, keyed, in the order they are listed, with English labels.
# The GUI shows the same keys under its own translated labels.
DETAIL_LABELS: dict[str, str] = {
    "id": "Order",
    "name": "Name",
    "description": "Description",
    "amount": "Amount",
    "card": "Card",
    "token": "Token",
    "created": "Time",
    "workstation": "Workstation",
    "operator": "Operator",
    "status": "Status",
    "payment": "Payment",
    "refunded": "Refunded",
}


def list_time(order: Order, loc: Localization) -> str:
    """When the order was recorded, to the minute, in the merchant's zone: "2026-11-29 15:05"."""
    return loc.time(order.created_at) if order.created_at else ""


def detail_time(order: Order, loc: Localization) -> str:
    """When the order was recorded, to the second, in the merchant's zone, with the zone's
    abbreviation: "2026-11-29 15:05:09 CET"."""
    if not order.created_at:
        return ""
    return f"{loc.time(order.created_at, seconds=True)} {loc.local(order.created_at).tzname()}"


def amount_text(order: Order, loc: Localization) -> str:
    """The amount with its currency as the locale writes it ("10,50 €"), or ""."""
    return loc.amount(order.amount) if order.amount else ""


def total_text(minor: int, currency: str, loc: Localization) -> str:
    """A sum of amounts (minor units of ``currency``) as the locale writes it ("1.234,50 €"); for a
    code ISO 4217 does not know (another program stored it), "1234 XYZ (minor units)"."""
    try:
        return loc.total(minor, currency)
    except InvalidAmount:
        return f"{minor} {currency} (minor units)"


CARD_GONE = "card no longer stored"


def card_text(order: Order, now: datetime.datetime | None = None) -> str:
    """The masked card ("BRAND •••• last 4"), or "card unknown"; "VISA •••• 4242, card no longer
    stored" once its retention ended at ``now`` (UTC-aware; None: the clock's now)."""
    if order.card_gone(now or clock.utc_now()):
        return f"{order.card_masked}, {CARD_GONE}"
    return order.card_masked


def list_fields(order: Order, loc: Localization, now: datetime.datetime | None = None) -> dict[str, str]:
    """One row of an order list, keyed: id, created (minutes), name, amount, card (as :func:`card_text`
    at ``now``), workstation, and status, empty for a sale recorded or paid (the usual cases) and for
    rows without one."""
    return {"id": str(order.id), "created": list_time(order, loc), "name": order.name or "",
            "amount": amount_text(order, loc), "card": card_text(order, now), "workstation": order.workstation or "",
            "status": "" if order.status in _USUAL else order.status}


def payment_text(order: Order, loc: Localization) -> str:
    """The processor, its reference and the approval code ("stripe pi_3Nx…, approval 123456"), or the
    decline code of a declined order; "" where no processor was asked."""
    if order.processor is None:
        return ""
    pending = order.status is OrderStatus.PENDING
    text = f"{order.processor} {order.payment_reference or ('(no reference yet)' if pending else '(no payment)')}"
    if order.amount and order.captured_minor and order.captured_minor != order.amount.minor:
        text += f", captured {loc.amount(Money(order.captured_minor, order.amount.currency))}"
    if order.authorization_code:
        text += f", approval {order.authorization_code}"
    if order.decline_code:
        text += f", declined: {order.decline_code}"
    return text


def detail_fields(order: Order, loc: Localization, now: datetime.datetime | None = None) -> dict[str, str]:
    """Every field of ``DETAIL_LABELS`` as text, in that order; the time to the second, the card as
    :func:`card_text` at ``now``."""
    refunded = loc.amount(Money(order.refunded_minor, order.amount.currency)) if order.refunded_minor else ""
    values = {"id": str(order.id), "name": order.name, "description": order.description,
              "amount": amount_text(order, loc), "card": card_text(order, now), "token": order.token,
              "created": detail_time(order, loc), "workstation": order.workstation,
              "operator": order.operator, "status": order.status, "payment": payment_text(order, loc),
              "refunded": refunded}
    return {key: values[key] or "" for key in DETAIL_LABELS}


def as_json(order: Order, now: datetime.datetime | None = None) -> dict[str, object]:
    """The order as ``--json`` prints it: amount as decimal text and in minor units, card as
    brand and last 4 (``card_stored`` false once its retention ended at ``now``; None: the clock's
    now), ``created_at`` and ``card_expires_at`` as ISO 8601 UTC with "Z"; missing fields are None."""
    card = None if order.card_brand is None else {"brand": order.card_brand.value, "last4": order.card_last4}
    expires = order.card_expires_at
    return {
        "order_id": order.id,
        "name": order.name,
        "description": order.description,
        "amount": order.amount.amount_text if order.amount else None,
        "amount_minor": order.amount.minor if order.amount else None,
        "currency": order.amount.currency if order.amount else None,
        "card": card,
        # False once the card's retention ended ("card no longer stored"); None for an order without a card.
        "card_stored": None if card is None else not order.card_gone(now or clock.utc_now()),
        "card_expires_at": expires.isoformat().replace("+00:00", "Z") if expires else None,
        "token": order.token,
        "created_at": order.created_at.isoformat().replace("+00:00", "Z") if order.created_at else None,
        "workstation": order.workstation,
        "operator": order.operator,
        "status": order.status,
        "idempotency_key": order.idempotency_key,
        "payment": None if order.processor is None else {
            "processor": order.processor, "reference": order.payment_reference,
            "authorization_code": order.authorization_code, "captured_minor": order.captured_minor,
            "refunded_minor": order.refunded_minor, "decline_code": order.decline_code},
    }
