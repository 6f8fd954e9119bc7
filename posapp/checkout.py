"""One sale: validate, tokenize the card in the vault, record the order.

A sale is either fully recorded or visibly not recorded: if the order cannot be written,
the vault item just created is deleted again (compensation); if even that fails, the
orphan token (never the card) is logged for the vault's reconciliation.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass

from posapp.card import Card
from posapp.money import Money
from posapp.orders import NewOrder, Order, OrderStore
from posapp.orders.base import clean_text
from posapp.vault import Vault

log = logging.getLogger(__name__)


def utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


@dataclass(frozen=True)
class Sale:
    name: str
    description: str | None
    amount: Money
    card: Card


class CheckoutService:
    def __init__(self, vault: Vault, orders: OrderStore, *, workstation: str, operator: str | None = None,
                 clock: Callable[[], datetime.datetime] = utc_now):
        self._vault = vault
        self._orders = orders
        self._workstation = workstation
        self._operator = operator
        self._clock = clock

    def checkout(self, sale: Sale) -> Order:
        """Record the sale; on any error nothing stays stored and the error is raised."""
        now = self._clock()
        # Everything that can be refused is refused before the card is stored.
        name = clean_text("order name", sale.name, required=True)
        description = clean_text("description", sale.description, required=False)
        sale.card.check_not_expired(now.date())
        token = self._vault.tokenize(sale.card)
        try:
            order = self._orders.add(NewOrder(
                name=name, description=description, amount=sale.amount, token=token,
                card_brand=sale.card.pan.brand, card_last4=sale.card.pan.last4,
                workstation=self._workstation, created_at=now, operator=self._operator))
        except BaseException:
            self._compensate(token)
            raise
        log.info("order %s recorded: %s, %s, token %s", order.id, sale.amount, sale.card.pan, token)
        return order

    def _compensate(self, token: str) -> None:
        try:
            self._vault.delete(token)
            log.warning("the sale was not recorded; its vault item %s was removed", token)
        except Exception:
            log.exception("the sale was not recorded and its vault item %s could not be removed; "
                          "vault reconciliation will remove it", token)
