"""An order's status and payment as they change: settled, captured, voided, refunded. Each change is one conditional
UPDATE and its journal entry, in one transaction.

The money rules hold in the database, whatever tills do at once: captured ≥ refunded ≥ 0, and
a refund is counted before it is sent to the processor (``reserve_refund``), so two tills
refunding the same order at once can never refund more than was captured together. A refund the
processor refused is given back (``release_refund``); one whose answer was lost stays counted.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import TYPE_CHECKING

import sqlalchemy as sa

from posapp.audit.chain import Event
from posapp.money import Money
from posapp.orders.base import Order, OrderNotFound, StatusChanged
from posapp.orders.schema import order_from_row, order_history, select_orders
from posapp.orders.status import AmountRefused, OrderStatus, PaymentRecord

if TYPE_CHECKING:
    from posapp.orders.sql import SqlOrderStore

_id = order_history.c.UserPaymentAccountID
_status = order_history.c.status
_captured = order_history.c.captured_minor
_refunded = order_history.c.refunded_minor
REFUNDABLE = (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED)


class SqlPayments:
    """The payments of the orders in ``store``. Every method raises OrderNotFound, StatusChanged
    (the order is not in a status the change needs: nothing changed), and the store's errors."""

    def __init__(self, store: SqlOrderStore):
        self._store = store

    def change_status(self, order_id: int, expected: OrderStatus, new: OrderStatus, event: Event) -> Order:
        """Move the order from status ``expected`` to ``new``, and journal ``event``."""
        return self._change(order_id, (expected,), {"status": new.value}, event)

    def settle(self, order: Order, payment: PaymentRecord, event: Event) -> Order:
        """Record the processor's answer on the PENDING ``order`` (as the store returned it), and journal
        ``event``; a declined order lets go of its vault token."""
        values = {"status": payment.status.value, "payment_reference": payment.reference,
                  "authorization_code": payment.authorization_code, "captured_minor": payment.captured_minor,
                  "decline_code": payment.decline_code}
        known = {"status": payment.status, "payment_reference": payment.reference,
                 "authorization_code": payment.authorization_code, "captured_minor": payment.captured_minor,
                 "decline_code": payment.decline_code}
        if payment.card_brand is not None and payment.card_last4 is not None:
            values |= {"card_brand": payment.card_brand.value, "card_last4": payment.card_last4}
            known |= {"card_brand": payment.card_brand, "card_last4": payment.card_last4}
        if payment.status is OrderStatus.DECLINED:
            # No card is kept for a sale that did not happen: once no order names the token,
            # vault reconciliation removes the item if the caller's delete did not.
            values["AWS_PA_Token"], known["token"] = None, None
        # The row is known: reading it back would cost every charged sale a round trip. The statement
        # is built once per set of columns: building it anew costs a charged sale more than its execution.
        params = {"order_id": order.id, **{f"new_{name}": value for name, value in values.items()}}
        return self._run(order.id, (OrderStatus.PENDING,), _settling(tuple(values)), params, event,
                         replace(order, **known))

    def capture(self, order_id: int, captured_minor: int, event: Event) -> Order:
        """Mark an AUTHORIZED order PAID with ``captured_minor`` captured; AmountRefused beyond its amount."""
        return self._change(order_id, (OrderStatus.AUTHORIZED,),
                            {"status": OrderStatus.PAID.value, "captured_minor": captured_minor}, event,
                            order_history.c.amount_minor >= captured_minor)

    def reserve_refund(self, order_id: int, amount_minor: int, event: Event) -> Order:
        """Count ``amount_minor`` as refunded on a PAID or PARTIALLY_REFUNDED order, before it is sent.

        Raises AmountRefused (nothing changed) when it is more than the order has left to refund."""
        if amount_minor <= 0:
            raise AmountRefused("a refund must be more than zero")
        after = _refunded + amount_minor
        # Status first: MySQL evaluates SET from left to right, each on the values set before it.
        values = [(_status, sa.case((after == _captured, OrderStatus.REFUNDED.value),
                                    else_=OrderStatus.PARTIALLY_REFUNDED.value)), (_refunded, after)]
        return self._change(order_id, REFUNDABLE, values, event, after <= _captured)

    def release_refund(self, order_id: int, amount_minor: int, event: Event) -> Order:
        """Give back ``amount_minor`` counted by ``reserve_refund`` for a refund the processor refused.

        Raises AmountRefused (nothing changed) for an amount that is not more than zero: giving back a
        negative amount would count more refunded than was ever captured."""
        if amount_minor <= 0:
            raise AmountRefused("a refund given back must be more than zero")
        after = _refunded - amount_minor
        values = [(_status, sa.case((after == 0, OrderStatus.PAID.value),
                                    else_=OrderStatus.PARTIALLY_REFUNDED.value)), (_refunded, after)]
        statuses = (OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED)
        return self._change(order_id, statuses, values, event, after >= 0)

    def pending(self, limit: int = 500) -> list[Order]:
        """The PENDING orders, oldest first, at most ``limit``."""
        query = select_orders().where(_status == OrderStatus.PENDING.value).order_by(_id).limit(limit)
        with self._store.connection() as connection:
            return [order_from_row(row) for row in connection.execute(query)]

    def _change(self, order_id: int, statuses: tuple[OrderStatus, ...], values: dict | list, event: Event,
                money_rule: sa.ColumnElement[bool] | None = None, *, after: Order | None = None) -> Order:
        update = order_history.update().where(_id == order_id, _status.in_([status.value for status in statuses]))
        if money_rule is not None:
            update = update.where(money_rule)
        update = update.ordered_values(*values) if isinstance(values, list) else update.values(values)
        return self._run(order_id, statuses, update, {}, event, after)

    def _run(self, order_id: int, statuses: tuple[OrderStatus, ...], update: sa.Update, params: dict[str, object],
             event: Event, after: Order | None) -> Order:
        with self._store.transaction() as (connection, journal):
            if not connection.execute(update, params).rowcount:
                row = connection.execute(select_orders().where(_id == order_id)).one_or_none()
                if row is None:
                    raise OrderNotFound(order_id)
                raise _refusal(order_from_row(row), statuses)
            journal(event)
            if after is not None:
                return after
            return order_from_row(connection.execute(select_orders().where(_id == order_id)).one())


@functools.cache
def _settling(columns: tuple[str, ...]) -> sa.Update:
    """UPDATE of ``columns`` (parameters ``new_<column>``) on the PENDING order ``order_id``."""
    return order_history.update().where(_id == sa.bindparam("order_id"), _status == OrderStatus.PENDING.value).values(
        {name: sa.bindparam(f"new_{name}") for name in columns})


def _refusal(order: Order, statuses: tuple[OrderStatus, ...]) -> StatusChanged | AmountRefused:
    if order.status not in statuses:
        wanted = " or ".join(statuses)
        return StatusChanged(f"order {order.id} is {order.status or 'of unknown status'}, not {wanted}")
    if order.status in REFUNDABLE and order.amount is not None:
        left = order.captured_minor - order.refunded_minor
        return AmountRefused(f"order {order.id} has {_money(left, order.amount.currency)} left to refund "
                             f"({_money(order.captured_minor, order.amount.currency)} captured, "
                             f"{_money(order.refunded_minor, order.amount.currency)} refunded)")
    return AmountRefused(f"order {order.id} is for {order.amount}: no more can be captured")


def _money(minor: int, currency: str) -> str:
    return str(Money(minor, currency)) if minor > 0 else f"nothing in {currency}"
