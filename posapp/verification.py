"""Order side of ``posapp vault verify --all``: every order's card must be in the vault until its
retention ends.

The vault walk finds tampered items; only this walk finds an order whose item was
deleted. It reads keys only (no decryption, no KMS call), one page of orders at a time.
A card removed by retention (DynamoDB's TTL, ``posapp vault purge``) is no integrity failure;
a card missing before its time is.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from posapp.errors import IntegrityFailure
from posapp.orders import Order, OrderFilter, OrderStore
from posapp.orders.base import PAGE_MAX
from posapp.vault import Vault


class CardMissing(IntegrityFailure):
    """Order ``order_id`` references ``token``, which the vault does not hold (exit 4)."""

    def __init__(self, order_id: int, token: str):
        self.order_id = order_id
        self.token = token
        super().__init__(f"order {order_id}: its card (token {token}) is missing from the vault")


class OrderCards:
    """Walks the orders newest first; ``checked`` counts the orders whose card was looked for."""

    def __init__(self, vault: Vault, orders: OrderStore, *, workstation: str | None = None,
                 now: datetime.datetime | None = None, retention_days: int = 0):
        """``workstation``: only that till's orders (a till's own local vault holds only its cards).
        ``now`` (UTC-aware; None: no card is past its retention) and ``retention_days`` tell which
        cards retention may have removed."""
        self._vault = vault
        self._orders = orders
        self._where = OrderFilter(workstation=workstation)
        self._now = now
        self._retained = datetime.timedelta(days=retention_days) if retention_days > 0 else None
        self.checked = 0

    def _past_retention(self, order: Order) -> bool:
        """Whether the order's card may be gone by retention: its ``card_expires_at`` passed, or, for
        an order from before retention (none), its time + retention days (``posapp.purge`` removes
        that card, then marks the order; a crash may come between)."""
        if self._now is None:
            return False
        if order.card_expires_at is not None:
            return order.card_gone(self._now)
        return self._retained is not None and order.created_at is not None \
            and order.created_at + self._retained <= self._now

    def missing(self) -> Iterator[CardMissing]:
        """Each order whose card is not in the vault before its retention ended, as a CardMissing to
        report (not raise).

        Reads a page of orders, then asks the vault for its tokens; VaultError or OrderStoreError stop it."""
        before = None
        while True:
            page = self._orders.page(before=before, limit=PAGE_MAX, where=self._where)
            # Rows adopted from the reference table have no brand ("card unknown"): posapp
            # did not record their card, so there is nothing of ours to look for.
            carded = [order for order in page.orders if order.card_brand is not None and order.token]
            self.checked += len(carded)
            present = self._vault.present({order.token for order in carded})
            for order in carded:
                if order.token not in present and not self._past_retention(order):
                    yield CardMissing(order.id, order.token)
            if page.next_before is None:
                return
            before = page.next_before
