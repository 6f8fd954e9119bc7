"""A recorded sale's payment: the order is written ``pending`` first, then the processor is asked,
then its answer is written. Whatever stops in between leaves a pending order that
``posapp payments recover`` settles by asking the processor, never by charging again.

- paid (or authorized, with manual capture): the order keeps the processor's reference, approval
  code, and the brand and last 4 as the processor read the card;
- declined: the order keeps the decline code; the card is removed from the vault (no card is
  kept for a sale that did not happen) unless another order uses it (a stored card billed
  again); SaleDeclined (exit 6) carries the cashier's sentence;
- no answer, or an answer that could not be written: PaymentPending (exit 3), the card stays.

The card verification code goes to the processor in that one request and is kept nowhere.
"""

from __future__ import annotations

import logging

from posapp.access.roles import SignedIn
from posapp.audit.chain import Event
from posapp.card import Brand, Card
from posapp.cvc import Cvc
from posapp.errors import Backend, Declined, PosappError, Unavailable
from posapp.orders import Order, OrderStore
from posapp.orders.base import StatusChanged
from posapp.orders.status import OrderStatus, PaymentRecord
from posapp.payments import (Payment, PaymentRefused, PaymentState, Processor, ProcessorLoginRefused,
                             ProcessorOutcomeUnknown, ProcessorUnavailable)
from posapp.vault import Vault

log = logging.getLogger(__name__)

_SETTLED = {PaymentState.CAPTURED: OrderStatus.PAID, PaymentState.AUTHORIZED: OrderStatus.AUTHORIZED,
            PaymentState.DECLINED: OrderStatus.DECLINED}


class SaleDeclined(Declined):
    """The processor declined the sale's card (exit 6); ``order`` is the declined order."""

    def __init__(self, order: Order, sentence: str):
        self.order = order
        super().__init__(sentence)

    def sentence(self) -> str:
        """The cashier's sentence, naming the declined order."""
        return f"{self} (order {self.order.id} declined)"


class PaymentPending(Unavailable):
    """Nobody knows yet whether order ``order_id`` was charged: it stays pending and keeps its card (exit 3)."""

    def __init__(self, order_id: int, why: str):
        self.order_id = order_id
        super().__init__(f"order {order_id} is pending: {why}. Do not charge it again: 'posapp payments recover' "
                         f"asks the processor what happened and records it")

    backend = Backend.PROCESSOR

    def advice(self) -> str:
        """The cashier's sentence: which order, and not to charge it again; no server's text."""
        return (f"order {self.order_id} is pending: whether the card was charged is not known yet. Do not charge it "
                "again; posapp asks the card processor at the next sign-in, or call your administrator.")


def record_of(payment: Payment) -> PaymentRecord:
    """What an order keeps of ``payment`` (CAPTURED, AUTHORIZED or DECLINED); ValueError for VOIDED."""
    status = _SETTLED.get(payment.state)
    if status is None:
        raise ValueError(f"a payment {payment.state.value} does not settle a pending order")
    brand = Brand.__members__.get(payment.brand or "")
    return PaymentRecord(status, payment.reference or None, captured_minor=payment.captured_minor,
                         authorization_code=payment.authorization_code, decline_code=payment.decline_code,
                         card_brand=brand, card_last4=payment.last4 if brand else None)


def never_charged(order: Order, code: str, reference: str | None = None) -> Payment:
    """The declined payment of a pending ``order`` that the processor never charged (``code`` says why)."""
    return Payment(reference=reference or "", state=PaymentState.DECLINED, amount=order.amount, captured_minor=0,
                   order_id=order.id, decline_code=code,
                   decline_sentence="Not charged: the processor did not take this payment")


def settle(orders: OrderStore, vault: Vault, order: Order, payment: Payment, operator: SignedIn) -> Order:
    """Write ``payment`` on the pending ``order`` and journal it; remove a declined order's card.

    Raises SaleDeclined for a decline, StatusChanged when the order is no longer pending, and the
    store's errors."""
    record = record_of(payment)
    details = {"reference": payment.reference, "captured_minor": payment.captured_minor,
               **({"decline_code": payment.decline_code} if payment.decline_code else {}), **operator.approval}
    settled = orders.payments.settle(order, record, Event("payment", record.status.value, operator.login,
                                                             str(order.id), details=details))
    if record.status is OrderStatus.DECLINED:
        _discard(vault, orders, order.token)
        raise SaleDeclined(settled, payment.decline_sentence or "Declined — ask for another card")
    return settled


def charge(processor: Processor, orders: OrderStore, vault: Vault, order: Order, card: Card, cvc: Cvc | None,
           *, capture: bool, operator: SignedIn) -> Order:
    """Ask ``processor`` to take ``order``'s amount (pending, just written) from ``card``; the order settled.

    Raises SaleDeclined (exit 6), PaymentPending (exit 3) and the processor's PaymentRefused or
    ProcessorLoginRefused (exit 2: a request the processor refused; the order is kept as declined,
    ``processor_refused``, and nothing was charged)."""
    try:
        payment = processor.authorize(card=card, cvc=cvc.reveal() if cvc else None, amount=order.amount,
                                      order_id=order.id, idempotency_key=order.idempotency_key, capture=capture)
    except ProcessorUnavailable as error:
        # The error's own advice ("try again later") is not for a sale: retrying it is recovery's job.
        log.info("order %s: the processor gave no answer (%s); the order stays pending", order.id, error)
        why = ("the processor's answer was lost" if isinstance(error, ProcessorOutcomeUnknown)
               else "the card processor could not be reached")
        raise PaymentPending(order.id, why) from None
    except (PaymentRefused, ProcessorLoginRefused) as error:
        # Refused as a request: nothing was charged, so the sale did not happen.
        try:
            settle(orders, vault, order, never_charged(order, "processor_refused"), operator)
        except SaleDeclined:
            pass
        raise type(error)(f"{error}; nothing was charged, and order {order.id} is kept as declined "
                          f"(processor_refused)") from None
    try:
        return settle(orders, vault, order, payment, operator)
    except StatusChanged:
        # Recovery (another till's, or this window's at start) asked the processor first and
        # settled the order already: the same answer, recorded once.
        return _as_settled(orders.get(order.id))
    except (SaleDeclined, ValueError):
        raise
    except PosappError as error:
        # The money moved (or was refused) but the order history could not say so: recovery will.
        # Logged, not printed: the one sentence of PaymentPending says it on stderr.
        log.info("order %s: payment %s (%s) could not be recorded: %s", order.id, payment.reference,
                    payment.state.value, error)
        raise PaymentPending(order.id, f"the processor answered {payment.state.value}, but the order history "
                                       f"could not record it ({error})") from None


def _as_settled(order: Order) -> Order:
    if order.status is OrderStatus.DECLINED:
        raise SaleDeclined(order, "Declined — ask for another card")
    if order.status is OrderStatus.PENDING:  # changed back by hand: say so rather than guess
        raise PaymentPending(order.id, "its order changed while the processor answered")
    return order


def _discard(vault: Vault, orders: OrderStore, token: str | None) -> None:
    if token is None:
        return
    try:
        if orders.referenced_tokens([token]):
            return  # a stored card another order was paid with (a declined card-on-file charge)
        vault.delete(token)
        log.info("vault item %s was removed: its sale was declined", token)
    except Exception:
        log.exception("vault item %s of a declined sale could not be removed; vault reconciliation will "
                      "remove it", token)
