"""Voiding a sale: it stays in the order history, marked voided, and counts in no takings.

A sale recorded as card on file is voided in the history alone; an authorized payment (manual
capture) is cancelled at the processor first. A paid sale is refunded, not voided. A supervisor's
job (or a cashier's with a supervisor's approval, journalled with both names); only the till that
took the sale may void it, unless the operator sees every till's orders.
"""

from __future__ import annotations

from posapp.access.roles import Permission, SignedIn, require
from posapp.audit.chain import Event
from posapp.errors import NotPermitted
from posapp.orders import Order, OrderStore
from posapp.orders.base import StatusChanged
from posapp.orders.status import OrderStatus
from posapp.payment_actions import void_authorization
from posapp.payments import Processor
from posapp.payments.none import NoProcessor


def void(orders: OrderStore, operator: SignedIn, order_id: int, *, workstation: str,
         processor: Processor = NoProcessor()) -> Order:
    """Void order ``order_id`` as ``operator`` at ``workstation``; the order as it is now.

    Raises NotPermitted (exit 5), OrderNotFound, StatusChanged (voided already, or paid: nothing
    changed), the processor's errors and PaymentOutcomeUnknown for an authorization."""
    require(operator, Permission.VOID)
    order = orders.get(order_id)
    if order.workstation != workstation and not operator.may(Permission.ALL_ORDERS):
        raise NotPermitted(f"operator {operator.login} may not void order {order_id}: it was taken at another till "
                           f"({order.workstation})")
    if order.status is OrderStatus.AUTHORIZED:
        return void_authorization(processor, orders, operator, order)
    if order.status in (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED):
        raise StatusChanged(f"order {order_id} is {order.status}: its money was taken, so it is refunded "
                            f"('posapp order refund {order_id}'), not voided")
    if order.status is not OrderStatus.RECORDED:
        raise StatusChanged(f"order {order_id} is {order.status or 'of unknown status'}: only an order recorded "
                            f"as card on file or an uncaptured authorization can be voided")
    event = Event("void", "ok", operator.login, str(order_id), details=operator.approval)
    return orders.payments.change_status(order_id, OrderStatus.RECORDED, OrderStatus.VOIDED, event)
