"""What happens to a sale's money after the sale: refunds, manual captures and voids of an
authorization, each checked against the order before anything is sent to the processor, and
journalled with who did it (and which supervisor approved it).

A refund is counted on the order before it is sent (``SqlPayments.reserve_refund``): two refunds
at once can never give back more than was captured. The processor refusing it gives the amount
back; a lost answer keeps it counted (money may have gone back) and says so.
"""

from __future__ import annotations

import uuid

from posapp.access.roles import Permission, SignedIn, require
from posapp.audit.chain import Event
from posapp.errors import Backend, NotPermitted, Unavailable
from posapp.orders import Order, OrderStore
from posapp.orders.status import AmountRefused, OrderStatus
from posapp.payments import PaymentError, Processor, ProcessorOutcomeUnknown


class PaymentOutcomeUnknown(Unavailable):
    """The processor's answer to a refund or capture was lost: it may or may not have been made (exit 3)."""

    backend = Backend.PROCESSOR
    outcome_unknown = True


def _order(orders: OrderStore, operator: SignedIn, order_id: int, workstation: str, what: str) -> Order:
    order = orders.get(order_id)
    if order.workstation != workstation and not operator.may(Permission.ALL_ORDERS):
        raise NotPermitted(f"operator {operator.login} may not {what} order {order_id}: it was taken at another "
                           f"till ({order.workstation})")
    if order.processor is None or order.payment_reference is None:
        raise AmountRefused(f"order {order_id} charged no card (it is {order.status or 'of unknown status'}): "
                            f"there is no payment to {what}")
    return order


def refund(processor: Processor, orders: OrderStore, operator: SignedIn, order_id: int, amount_minor: int | None,
           *, reason: str | None, workstation: str) -> Order:
    """Give back ``amount_minor`` (None: all that is left) of order ``order_id``; the order as it is now.

    Raises NotPermitted, OrderNotFound, AmountRefused or StatusChanged (nothing sent: exit 2), the
    processor's errors (nothing refunded: the amount is given back), PaymentOutcomeUnknown."""
    require(operator, Permission.REFUND)
    order = _order(orders, operator, order_id, workstation, "refund")
    if order.status not in (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED):
        left = "was refunded in full already" if order.status is OrderStatus.REFUNDED else "took no money"
        raise AmountRefused(f"order {order_id} is {order.status}: it {left}, so there is nothing to refund")
    amount = order.captured_minor - order.refunded_minor if amount_minor is None else amount_minor
    details = {"amount_minor": amount, "reference": order.payment_reference,
               **({"reason": reason} if reason else {}), **operator.approval}
    orders.payments.reserve_refund(order_id, amount, Event("refund", "requested", operator.login, str(order_id),
                                                            details=details))
    try:
        made = processor.refund(order.payment_reference, amount, idempotency_key=str(uuid.uuid4()))
    except ProcessorOutcomeUnknown as error:
        orders.journal.record(Event("refund", "unknown", operator.login, str(order_id), details=details))
        raise PaymentOutcomeUnknown(
            f"the refund of order {order_id} may or may not have been made ({error}); it is counted as refunded. "
            f"Look up payment {order.payment_reference} at the processor before refunding again") from None
    except PaymentError:
        orders.payments.release_refund(order_id, amount, Event("refund", "refused", operator.login, str(order_id),
                                                               details=details))
        raise
    orders.journal.record(Event("refund", "ok", operator.login, str(order_id),
                                details={**details, "refund": made.reference}))
    return orders.get(order_id)


def capture(processor: Processor, orders: OrderStore, operator: SignedIn, order_id: int, amount_minor: int | None,
            *, workstation: str) -> Order:
    """Capture an authorized order: ``amount_minor`` of it (a tab's final amount; None: all of it).

    Raises NotPermitted, OrderNotFound, AmountRefused, StatusChanged, the processor's errors and
    PaymentOutcomeUnknown (the order stays authorized)."""
    require(operator, Permission.SELL)
    order = _order(orders, operator, order_id, workstation, "capture")
    if order.status is not OrderStatus.AUTHORIZED:
        raise AmountRefused(f"order {order_id} is {order.status}, not authorized: there is nothing to capture")
    amount = order.amount.minor if amount_minor is None else amount_minor
    if not 0 < amount <= order.amount.minor:
        raise AmountRefused(f"order {order_id} is for {order.amount}: capture more than zero and at most that")
    try:
        payment = processor.capture(order.payment_reference, amount, idempotency_key=f"{order.idempotency_key}:capture")
    except ProcessorOutcomeUnknown as error:
        raise PaymentOutcomeUnknown(f"the capture of order {order_id} may or may not have been made ({error}); "
                                    f"run the capture again: it is never made twice") from None
    return orders.payments.capture(order_id, payment.captured_minor, Event(
        "capture", "ok", operator.login, str(order_id),
        details={"captured_minor": payment.captured_minor, **operator.approval}))


def void_authorization(processor: Processor, orders: OrderStore, operator: SignedIn, order: Order) -> Order:
    """Cancel ``order``'s authorization at the processor, then mark it voided (``posapp.voids`` checks who may)."""
    try:
        processor.void(order.payment_reference, idempotency_key=f"{order.idempotency_key}:void")
    except ProcessorOutcomeUnknown as error:
        raise PaymentOutcomeUnknown(f"the void of order {order.id} may or may not have been made ({error}); "
                                    f"run it again: it is never made twice") from None
    event = Event("void", "ok", operator.login, str(order.id), details={"reference": order.payment_reference,
                                                                       **operator.approval})
    return orders.payments.change_status(order.id, OrderStatus.AUTHORIZED, OrderStatus.VOIDED, event)
