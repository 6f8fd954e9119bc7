"""The composition root: the one place that turns settings into services."""

from __future__ import annotations

from dataclasses import dataclass

from posapp.checkout import CheckoutService
from posapp.config import Settings
from posapp.orders import OrderStore
from posapp.orders.sql import SqlOrderStore
from posapp.vault import Vault
from posapp.vault.local import LocalVault


@dataclass(frozen=True)
class Services:
    settings: Settings
    vault: Vault
    orders: OrderStore
    checkout: CheckoutService

    @property
    def backends_text(self) -> str:
        """Where cards and orders go, for status lines (no secrets)."""
        return f"cards: {self.settings.vault.backend.value} vault · orders: {self.orders.display_url}"


def build(settings: Settings) -> Services:
    """Build the object graph; no I/O happens until a service is used."""
    data = settings.paths.data_dir
    vault = LocalVault(data / "vault.db", data / "keys" / "local-vault.key", workstation=settings.workstation.id)
    orders = SqlOrderStore(settings.orders.url or f"sqlite:///{data / 'orders.db'}")
    checkout = CheckoutService(vault, orders, workstation=settings.workstation.id)
    return Services(settings, vault, orders, checkout)
