"""The composition root: the one place that turns settings into services."""

from __future__ import annotations

import getpass
from dataclasses import dataclass

from posapp.checkout import CheckoutService
from posapp.config import Settings, VaultBackend, orders_password
from posapp.orders import OrderStore
from posapp.orders.sql import SqlOrderStore, Tls
from posapp.vault import Vault


@dataclass(frozen=True)
class Services:
    settings: Settings
    vault: Vault
    orders: OrderStore
    checkout: CheckoutService

    @property
    def backends_text(self) -> str:
        """Where cards and orders go, for status lines (no secrets)."""
        return f"cards: {self.vault.description} · orders: {self.orders.display_url}"


def build(settings: Settings) -> Services:
    """Build the object graph; no I/O happens until a service is used."""
    vault = build_vault(settings)
    orders = build_orders(settings)
    checkout = CheckoutService(vault, orders, workstation=settings.workstation.id, operator=_login_name())
    return Services(settings, vault, orders, checkout)


def build_orders(settings: Settings) -> SqlOrderStore:
    url = settings.orders.url or f"sqlite:///{settings.paths.data_dir / 'orders.db'}"
    tls = Tls(ca=settings.orders.ssl_ca, cert=settings.orders.ssl_cert, key=settings.orders.ssl_key)
    return SqlOrderStore(url, tls=tls, password=lambda: orders_password(url))


def _login_name() -> str | None:
    """Who is signed in at this till: recorded as the order's operator."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return None


def build_vault(settings: Settings) -> Vault:
    # Each adapter is imported only when chosen: boto3 stays off the local-mode start-up path.
    workstation = settings.workstation.id
    if settings.vault.backend is VaultBackend.DYNAMODB:
        from posapp.vault.aws import AwsClients
        from posapp.vault.dynamodb import DynamoDbVault

        return DynamoDbVault(settings.vault, AwsClients.for_settings(settings.vault), workstation=workstation)
    from posapp.vault.local import LocalVault

    data = settings.paths.data_dir
    return LocalVault(data / "vault.db", data / "keys" / "local-vault.key", workstation=workstation)
