"""One sale: validate, tokenize the card in the vault, record the order. All or nothing.

A sale writes to two systems, the vault first. Whatever fails, the merchant never ends
with an order whose card cannot be found or with two orders for one sale:

- refused input is refused before anything is written;
- a sale carries an idempotency key made by the client before anything is written; a
  retry with the same key (a double Enter, a retry after a timeout whose first attempt did
  succeed) returns the first order and keeps nothing new;
- if the order is known not to be written, the new vault item is deleted again
  (compensation);
- if that is impossible, or if nobody can tell whether the order was written (the
  connection dropped mid-write, a COMMIT outlived the client's timeout, an unexpected
  error), the item stays: an order may still commit later, and an order without its card
  is a lost card, while an item without an order is harmless: ``posapp vault reconcile``
  removes it once it is sure no order came. The orphan's token (never the card) is logged.
"""

from __future__ import annotations

import datetime
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from posapp.access.roles import Permission, SignedIn, require
from posapp.audit.chain import Event
from posapp.card import Card
from posapp.charging import PaymentPending, SaleDeclined, charge
from posapp.cvc import Cvc
from posapp.errors import InvalidInput, PosappError
from posapp.money import Money
from posapp.orders import DuplicateSale, NewOrder, Order, OrderOutcomeUnknown, OrderStore, OrderStoreError
from posapp.orders.base import checked_text
from posapp.orders.status import OrderStatus
from posapp.payments import Processor
from posapp.payments.none import NoProcessor
from posapp.retention import expires_at
from posapp.vault import Vault
from posapp.clock import require_aware, utc_now

log = logging.getLogger(__name__)

# Seconds a till trusts the newest order id it read (or got from its own last sale): one
# query per sale would cost a busy till a tenth of its sale time.
ORDERS_SEEN_FRESH = 10.0


def new_idempotency_key() -> str:
    """A fresh random UUID4 string, as a new Sale's idempotency key."""
    return str(uuid.uuid4())


# The name of a sale the cashier did not name: every reader of the order (receipt, history, CLI,
# export, search) shows a name, so an unnamed sale is recorded with one rather than with none.
UNNAMED_SALE = "Sale"


def _order_name(typed: str) -> str:
    """The order name to record for ``typed``: the checked text, or UNNAMED_SALE when blank."""
    return checked_text("order name", typed, required=False) or UNNAMED_SALE


@dataclass(frozen=True)
class Sale:
    """What the cashier entered for one sale: order ``name`` (blank: recorded as :data:`UNNAMED_SALE`)
    and optional ``description`` (checked again at checkout), the amount, the parsed card. Raises
    InvalidInput for an idempotency key that is not 1 to 64 printable ASCII characters without spaces."""

    name: str
    description: str | None
    amount: Money
    card: Card
    # Made once per sale by the client; a retry of the same sale reuses the same Sale.
    idempotency_key: str = field(default_factory=new_idempotency_key)
    cvc: Cvc | None = None  # keyed cards: sent to the processor once, kept nowhere

    def __post_init__(self) -> None:
        key = self.idempotency_key
        if not (1 <= len(key) <= 64 and key.isascii() and key.isprintable() and " " not in key):
            raise InvalidInput("the idempotency key must be 1 to 64 printable ASCII characters without spaces")


class SaleOutcomeUnknown(OrderOutcomeUnknown):
    """Nobody can tell yet whether the sale was recorded; its card is kept (exit 3)."""

    def __init__(self, idempotency_key: str):
        self.idempotency_key = idempotency_key
        super().__init__(
            f"the order history failed while sale {idempotency_key} was being recorded: it may or may not be "
            f"recorded, and its card is kept. Check the order list before selling again; a retry with the "
            f"same idempotency key ({idempotency_key}) records the sale at most once")


class CheckoutService:
    """The sales of ``operator`` at ``workstation``; thread-safe: GUI workers and many tills may
    call it at once. ``orders`` must journal (a sale's order and its journal entry are one
    transaction). ``clock`` returns the sale's time, timezone-aware; a naive one raises ValueError
    before anything is stored. ``processor`` charges the sale (``posapp.charging``), capturing at once
    unless ``capture`` is False; the ``none`` processor records it as card on file. The card is kept
    ``retention_days`` after the sale (``posapp.retention``; 0: kept)."""

    def __init__(self, vault: Vault, orders: OrderStore, *, workstation: str, operator: SignedIn,
                 clock: Callable[[], datetime.datetime] = utc_now, processor: Processor = NoProcessor(),
                 capture: bool = True, retention_days: int = 0):
        self._vault = vault
        self._orders = orders
        self._processor = processor
        self._capture = capture
        self._workstation = workstation
        self._operator = operator
        self._clock = clock
        self._retention_days = retention_days
        self._orders_seen, self._orders_seen_at = 0, -ORDERS_SEEN_FRESH  # read on the first sale

    def checkout(self, sale: Sale) -> Order:
        """Record the sale once, and charge it once where a processor charges; or raise and leave no
        order and (as far as can be known) no card.

        Raises NotPermitted (exit 5) before anything is read when the operator may not sell,
        SaleDeclined (exit 6) and PaymentPending (exit 3)."""
        require(self._operator, Permission.SELL)
        now = self._clock()
        require_aware("the checkout clock's time", now)  # before the card is stored, not after
        # Everything that can be refused is refused before the card is stored.
        name = _order_name(sale.name)
        description = checked_text("description", sale.description, required=False)
        sale.card.check_not_expired(now.date())
        if self._processor.charges and sale.card.expiry is None:
            raise InvalidInput("the card processor needs the card's expiry date: type MM/YY after the number, "
                               "or swipe the card")
        # No look-up before the card is stored: the idempotency key's unique index decides,
        # and a retry's extra vault item is removed again (a retry is rare, every sale is not).
        # One value for the vault item's expires_at and the order's card_expires_at: they agree.
        card_expires_at = expires_at(now, self._retention_days, sale.card.expiry)
        try:
            token = self._vault.tokenize(sale.card, orders_seen=self._newest_order_seen(),
                                         expires_at=card_expires_at)
        except PosappError as error:
            self._journal_failure(sale, "refused", {"by": "vault", "reason": type(error).__name__})
            raise
        order = NewOrder(name=name, description=description, amount=sale.amount, token=token,
                         card_brand=sale.card.pan.brand, card_last4=sale.card.pan.last4,
                         workstation=self._workstation, created_at=now, operator=self._operator.login,
                         idempotency_key=sale.idempotency_key, card_expires_at=card_expires_at,
                         **self._payment_columns())
        details = {"amount_minor": sale.amount.minor, "currency": sale.amount.currency,
                   "brand": sale.card.pan.brand.value, "last4": sale.card.pan.last4, "token": token,
                   "idempotency_key": sale.idempotency_key, **self._operator.approval}
        try:
            recorded = self._orders.add(order, Event("sale", order.status.value, self._operator.login,
                                                     details=details))
        except DuplicateSale:
            # The same sale, submitted concurrently, won the race: keep its order and card.
            self._discard(token)
            return self._as_it_stands(self._same_sale(self._orders.find_sale(sale.idempotency_key), sale))
        except OrderOutcomeUnknown:
            recorded = self._settle_unknown_outcome(sale, token)
        except OrderStoreError as error:  # the store's word that the order was not written
            self._discard(token)
            self._journal_failure(sale, "compensated", {"by": "order history", "reason": type(error).__name__,
                                                        "token": token})
            raise
        except BaseException:
            log.warning("sale %s failed unexpectedly after its card was stored; vault item %s is kept for "
                        "reconciliation", sale.idempotency_key, token)
            raise
        self._orders_seen = max(self._orders_seen, recorded.id)  # ids are shared: other tills' orders count
        log.info("order %s %s: %s, %s, token %s", recorded.id, recorded.status, sale.amount, sale.card.pan, token)
        if recorded.status is not OrderStatus.PENDING or recorded.token != token:
            return self._as_it_stands(recorded)  # card on file, or an earlier attempt's order
        return charge(self._processor, self._orders, self._vault, recorded, sale.card, sale.cvc,
                      capture=self._capture, operator=self._operator)

    def _payment_columns(self) -> dict[str, object]:
        if not self._processor.charges:
            return {"status": OrderStatus.RECORDED}
        return {"status": OrderStatus.PENDING, "processor": self._processor.name}

    @staticmethod
    def _as_it_stands(order: Order) -> Order:
        """An earlier attempt's order, as a retry of its sale meets it: never charged again."""
        if order.status is OrderStatus.PENDING:
            raise PaymentPending(order.id, "an earlier attempt of this sale is waiting for the processor's answer")
        if order.status is OrderStatus.DECLINED:
            raise SaleDeclined(order, f"order {order.id} was declined already ({order.decline_code}): "
                                      f"ask for another card")
        return order

    def _newest_order_seen(self) -> int:
        """The newest order id known here, kept with the card so that reconciliation can tell
        an order history older than the card (a restored backup) from one where its sale died.
        Read again when older than ORDERS_SEEN_FRESH: other tills sell too."""
        if time.monotonic() - self._orders_seen_at > ORDERS_SEEN_FRESH:
            self._orders_seen = max(self._orders_seen, self._orders.newest_order_id())
            self._orders_seen_at = time.monotonic()
        return self._orders_seen

    def _settle_unknown_outcome(self, sale: Sale, token: str) -> Order:
        """The order if it can be seen now; else OrderOutcomeUnknown, and the card stays.

        Not seeing the order from another connection is no proof: its COMMIT may still be on
        its way to the server.
        """
        try:
            recorded = self._orders.find_sale(sale.idempotency_key)
        except OrderStoreError:
            recorded = None
        if recorded is None:
            log.warning("cannot tell whether sale %s was recorded; its vault item %s is kept for "
                        "reconciliation", sale.idempotency_key, token)
            raise SaleOutcomeUnknown(sale.idempotency_key)
        if recorded.token != token:
            # An earlier attempt of this sale holds the idempotency key: this attempt's INSERT can
            # never commit (the key's unique index), so its card belongs to nothing.
            self._discard(token)
            return self._same_sale(recorded, sale)
        return recorded

    def _same_sale(self, recorded: Order | None, sale: Sale) -> Order:
        if recorded is None:  # the winning order vanished between two reads: never silently succeed
            raise OrderOutcomeUnknown(f"sale {sale.idempotency_key} could not be read back; try again")
        same = (recorded.amount == sale.amount and recorded.card_last4 == sale.card.pan.last4
                and recorded.card_brand is sale.card.pan.brand and recorded.name == _order_name(sale.name))
        if not same:
            raise InvalidInput(f"idempotency key {sale.idempotency_key} was already used for another sale "
                               f"(order {recorded.id})")
        log.info("sale %s was recorded already as order %s; nothing new was written",
                 sale.idempotency_key, recorded.id)
        return recorded

    def _journal_failure(self, sale: Sale, outcome: str, details: dict[str, object]) -> None:
        """Journal a sale that was not recorded; an order history that cannot take it is logged."""
        event = Event("sale", outcome, self._operator.login, details={**details,
                                                                      "idempotency_key": sale.idempotency_key, **self._operator.approval})
        try:
            self._orders.journal.record(event)
        except PosappError as error:
            log.warning("sale %s (%s) could not be journalled: %s", sale.idempotency_key, outcome, error)

    def _discard(self, token: str) -> None:
        try:
            self._vault.delete(token)
            log.info("vault item %s was removed again: no order references it", token)
        except Exception:
            log.exception("the sale was not recorded and its vault item %s could not be removed; "
                          "vault reconciliation will remove it", token)
