"""Void and refund an order from the history, in the background: as the signed-in operator where
the role allows it, else with a supervisor's approval for that one action (a manager override,
``posapp.ui.override``). The services check the permission again and journal who did it, who
approved it, and why."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from posapp.access.roles import Permission, SignedIn
from posapp.app import Services
from posapp.money import Money
from posapp.orders import Order
from posapp.payment_actions import refund
from posapp.ui.override import SupervisorDialog
from posapp.ui.refund_dialog import RefundDialog
from posapp.ui.tasks import TaskRunner
from posapp.voids import void

Work = Callable[[SignedIn], Order]


class OrderActions(QObject):
    """Voids and refunds of ``services``' orders by ``operator()`` (None: nobody signed in: nothing is done).
    Dialogs open over ``window``.

    ``done(order, sentence)``: the order as it is now, and what happened; ``failed(sentence)``."""

    done = Signal(object, str)
    failed = Signal(str)

    def __init__(self, services: Services, runner: TaskRunner, operator: Callable[[], SignedIn | None],
                 window: QWidget):
        super().__init__(window)
        self._services = services
        self._runner = runner
        self._operator = operator
        self._window = window

    def void(self, order: Order) -> None:
        """Void ``order`` (recorded, or an authorization, which the processor cancels first)."""
        services = self._services

        def void_as(operator: SignedIn) -> Order:
            # Only a charged order needs the processor: a card-on-file void works without its key.
            charged = {"processor": services.processor} if order.processor else {}
            return void(services.orders, operator, order.id, workstation=services.workstation, **charged)

        self._act(Permission.VOID, self.tr("Voiding order %1").replace("%1", str(order.id)), void_as,
                  lambda voided: self.tr("Order %1 voided.").replace("%1", str(voided.id)),
                  self.tr("Order %1 was not voided: %2").replace("%1", str(order.id)))

    def refund(self, order: Order) -> None:
        """Ask how much of ``order`` to give back and why, then refund it."""
        if self._operator() is None:
            return
        dialog = RefundDialog(order, self._services.localization, self._window)
        dialog.chosen.connect(lambda minor, reason: self._refund(order, minor, reason))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _refund(self, order: Order, amount_minor: int, reason: str) -> None:
        services = self._services

        def refund_as(operator: SignedIn) -> Order:
            return refund(services.processor, services.orders, operator, order.id, amount_minor, reason=reason,
                          workstation=services.workstation)

        def said(refunded: Order) -> str:
            return (self.tr("Order %1: %2 refunded; it is now %3.").replace("%1", str(refunded.id))
                    .replace("%2", services.localization.amount(Money(amount_minor, refunded.amount.currency)))
                    .replace("%3", refunded.status))

        self._act(Permission.REFUND, self.tr("Refunding order %1").replace("%1", str(order.id)), refund_as, said,
                  self.tr("Order %1 was not refunded: %2").replace("%1", str(order.id)))

    def _act(self, permission: Permission, what: str, work: Work, said: Callable[[Order], str],
             failure: str) -> None:
        """``work`` as the operator, who holds ``permission``, or approved by a supervisor for it."""
        operator, services = self._operator(), self._services
        if operator is None:
            return

        def finished(order: Order) -> None:
            self.done.emit(order, said(order))

        if operator.may(permission):
            self._runner.run(lambda: work(operator), finished,
                             lambda message, _error: self.failed.emit(failure.replace("%2", message)), owner=self)
            return
        dialog = SupervisorDialog(what, lambda login, secret: work(
            services.operators.approve(operator, login, secret, permission)), self._runner, self._window)
        dialog.succeeded.connect(finished)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
