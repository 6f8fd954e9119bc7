"""Voiding a recorded sale: it stays in the order history, marked voided, and counts in no takings.

A supervisor's job (or a cashier's with a supervisor's approval, journalled with both names);
only the till that took the sale may void it, unless the operator sees every till's orders.
"""

from __future__ import annotations

from posapp.access.roles import Permission, SignedIn, require
from posapp.audit.chain import Event
from posapp.errors import NotPermitted
from posapp.orders import Order, OrderStore
from posapp.orders.status import OrderStatus


def void(orders: OrderStore, operator: SignedIn, order_id: int, *, workstation: str) -> Order:
    """Void order ``order_id`` as ``operator`` at ``workstation``; the order as it is now.

    Raises NotPermitted (exit 5), OrderNotFound, StatusChanged (voided already: nothing changed)
    and the store's OrderStoreUnavailable."""
    require(operator, Permission.VOID)
    order = orders.get(order_id)
    if order.workstation != workstation and not operator.may(Permission.ALL_ORDERS):
        raise NotPermitted(f"operator {operator.login} may not void order {order_id}: it was taken at another till "
                           f"({order.workstation})")
    event = Event("void", "ok", operator.login, str(order_id), details=operator.approval)
    return orders.payments.change_status(order_id, OrderStatus.RECORDED, OrderStatus.VOIDED, event)
