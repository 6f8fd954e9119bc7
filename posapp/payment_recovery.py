"""``posapp payments recover``: settle every pending order by asking the processor what became of
it, never by charging again.

A pending order was written before its payment was sent. The processor is asked for the payments
whose metadata names each pending order (``Processor.find``, strongly consistent), and each order
is settled as the processor has it: paid, authorized or declined (a declined order's card is
removed). An order the processor has no payment for was never charged; it is settled as declined
(``not_charged``) once it is older than ``GRACE``, before which its request may still be on its
way. Orders of another processor than the configured one are left pending and reported.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from posapp.access.roles import Permission, SignedIn, require
from posapp.charging import SaleDeclined, never_charged, settle
from posapp.clock import require_aware
from posapp.orders import Order, OrderStore
from posapp.payments import PaymentState, Processor
from posapp.vault import Vault

# How long a request sent with a sale may still be on its way: the processor's read timeout with
# its retries, and then some.
GRACE = datetime.timedelta(minutes=2)
# The processor's clock and the order database's may disagree by this much.
CLOCK_SKEW = datetime.timedelta(minutes=10)
NOT_CHARGED = "not_charged"


@dataclass
class Recovery:
    """What a recovery did: the orders it settled, and those it left pending, each with why."""

    settled: list[Order] = field(default_factory=list)
    left_pending: list[tuple[Order, str]] = field(default_factory=list)


def recover(processor: Processor, orders: OrderStore, vault: Vault, operator: SignedIn, *,
            workstation: str, now: datetime.datetime) -> Recovery:
    """Settle the pending orders of ``workstation`` (every till's where ``operator`` sees them all)
    as ``processor`` has them; ``now`` (UTC aware) decides which are past ``GRACE``.

    Raises NotPermitted, the processor's errors (nothing settled from then on) and the store's."""
    require_aware("now", now)
    require(operator, Permission.OWN_TILL_ORDERS)
    everyone = operator.may(Permission.ALL_ORDERS)
    pending = [order for order in orders.payments.pending() if everyone or order.workstation == workstation]
    result = Recovery()
    mine = [order for order in pending if order.processor == processor.name and processor.charges]
    ours = {order.id for order in mine}
    for order in pending:
        if order.id not in ours:
            result.left_pending.append((order, f"it was sent to {order.processor}, and this till uses "
                                               f"{processor.name}"))
    if not mine:
        return result
    oldest = min(order.created_at or now for order in mine)
    found = processor.find([order.id for order in mine], since=oldest - CLOCK_SKEW)
    for order in mine:
        payment = found.get(order.id)
        if payment is None:
            if order.created_at is not None and now - order.created_at < GRACE:
                result.left_pending.append((order, "its payment may still be on its way; try again in a minute"))
                continue
            payment = never_charged(order, NOT_CHARGED)
        elif payment.state is PaymentState.VOIDED:  # cancelled before any money moved
            payment = never_charged(order, payment.decline_code or "canceled", payment.reference)
        try:
            result.settled.append(settle(orders, vault, order, payment, operator))
        except SaleDeclined as declined:
            result.settled.append(declined.order)
    return result

