"""Order side of ``posapp vault verify --all``: every order's card must be in the vault.

The vault walk finds tampered items; only this walk finds an order whose item was
deleted. It reads keys only (no decryption, no KMS call), one page of orders at a time.
"""

from __future__ import annotations

from collections.abc import Iterator

from posapp.errors import IntegrityFailure
from posapp.orders import OrderFilter, OrderStore
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

    def __init__(self, vault: Vault, orders: OrderStore, *, workstation: str | None = None):
        """``workstation``: only that till's orders (a till's own local vault holds only its cards)."""
        self._vault = vault
        self._orders = orders
        self._where = OrderFilter(workstation=workstation)
        self.checked = 0

    def missing(self) -> Iterator[CardMissing]:
        """Each order whose card is not in the vault, as a CardMissing to report (not raise).

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
                if order.token not in present:
                    yield CardMissing(order.id, order.token)
            if page.next_before is None:
                return
            before = page.next_before
