"""The statuses of an order and the money rules that every change of status keeps."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from posapp.card import Brand
from posapp.errors import InvalidInput


class OrderStatus(enum.StrEnum):
    """Where an order's money stands; stored as its value. An order only moves forward:
    pending → paid | authorized | declined; authorized → paid | voided; recorded → voided;
    paid → partially_refunded → refunded."""

    RECORDED = "recorded"  # card on file: no processor was asked, nothing was charged
    PENDING = "pending"  # written before the processor was asked; ``payments recover`` settles it
    AUTHORIZED = "authorized"  # approved by the issuer, waiting for a manual capture
    PAID = "paid"  # captured
    DECLINED = "declined"  # refused by the processor or the issuer; its card was not kept
    VOIDED = "voided"  # cancelled before money moved: kept in the history, counted in no takings
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"


def status_of(text: str | None) -> OrderStatus | None:
    """The status stored as ``text``; None for none, or one posapp does not know (a row another
    program wrote)."""
    try:
        return OrderStatus(text)
    except ValueError:
        return None


class AmountRefused(InvalidInput):
    """A refund beyond what the order has left to refund, or a capture beyond its amount; nothing changed."""


@dataclass(frozen=True)
class PaymentRecord:
    """What a processor answered about an order's payment, as the order keeps it: ``status``
    PAID, AUTHORIZED or DECLINED; ``captured_minor`` in minor units of the order's currency; the
    card's brand and last 4 as the processor reported them (None: keep the order's)."""

    status: OrderStatus
    reference: str | None
    captured_minor: int = 0
    authorization_code: str | None = None
    decline_code: str | None = None
    card_brand: Brand | None = None
    card_last4: str | None = None

    def __post_init__(self) -> None:
        if self.status not in (OrderStatus.PAID, OrderStatus.AUTHORIZED, OrderStatus.DECLINED):
            raise ValueError(f"a payment settles an order as paid, authorized or declined, not {self.status}")
        if self.captured_minor < 0 or (self.captured_minor > 0) != (self.status is OrderStatus.PAID):
            raise ValueError("only a paid order has money captured")
