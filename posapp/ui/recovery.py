"""At window start, once an operator has signed in, settle the orders a lost processor answer left
pending (``posapp payments recover``), in the background: the window never waits for it and never
opens a dialog about it; the status bar says how it went."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from posapp.access.roles import Permission, SignedIn
from posapp.app import Services
from posapp.clock import utc_now
from posapp.payment_recovery import Recovery, recover
from posapp.ui.tasks import TaskRunner


class PendingPayments(QObject):
    """Runs the recovery of ``services``' pending orders on ``runner`` once per window, when a
    processor charges; one that failed runs again at the next sign-in.

    ``said(sentence)``: what it did or why it could not; ``settled()``: orders changed status."""

    said = Signal(str)
    settled = Signal()

    def __init__(self, services: Services, runner: TaskRunner, parent: QObject | None = None):
        super().__init__(parent)
        self._services = services
        self._runner = runner
        self._started = False

    def signed_in(self, operator: SignedIn) -> None:
        """Start the recovery as ``operator``, unless it ran or runs already, no processor charges,
        or the operator may not look up this till's orders."""
        services = self._services
        if self._started or not services.charges_cards or not operator.may(Permission.OWN_TILL_ORDERS):
            return
        self._started = True

        def work() -> Recovery:
            services.paired()  # a declined order's card is removed: only from this order history's own vault
            return recover(services.processor, services.orders, services.vault, operator,
                           workstation=services.workstation, now=utc_now())

        self._runner.run(work, self._done, self._failed, owner=self)

    def _done(self, result: Recovery) -> None:
        settled, left = len(result.settled), len(result.left_pending)
        if not settled and not left:
            self.said.emit(self.tr("Payments: no order was left pending."))
            return
        text = (self.tr("Payments: 1 pending order settled with the processor.") if settled == 1 else
                self.tr("Payments: %1 pending orders settled with the processor.").replace("%1", str(settled)))
        if left:
            text += " " + (self.tr("1 still pending: it is settled at the next start, or with 'posapp payments "
                                   "recover'.") if left == 1 else
                           self.tr("%1 still pending: they are settled at the next start, or with 'posapp payments "
                                   "recover'.").replace("%1", str(left)))
        self.said.emit(text)
        if settled:
            self.settled.emit()

    def _failed(self, message: str, _error: Exception) -> None:
        self._started = False  # the next sign-in tries again
        self.said.emit(self.tr("Pending payments could not be settled now: %1").replace("%1", message))
