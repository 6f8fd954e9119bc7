"""A vault and its order history know each other, so no command deletes the wrong cards.

The order history gets an identity when its schema is made (``history_id``); the vault
records, once, the identity of the order history its sales go to. Every command that
writes sales or deletes from the vault first checks that the order history it was given
is the vault's own. An order history that vanished, or was replaced by an empty one, is
reported as an integrity failure: posapp never starts a new, empty one beside a vault
that holds the cards of the old one, where reconciliation would take them for orphans.
"""

from __future__ import annotations

from posapp.errors import IntegrityFailure, InvalidInput
from posapp.orders import NotProvisioned, OrderStore
from posapp.vault import Vault, VaultError


class NotTheVaultsOrderHistory(InvalidInput):
    """The configured order history is another one than the vault's (exit 2: fix the settings)."""


class OrderHistoryMissing(IntegrityFailure):
    """The vault's order history is gone or empty (exit 4: restore it from a backup)."""


class VaultMissing(IntegrityFailure):
    """The order history's vault is gone: a new, empty one stands in its place (exit 4)."""


class VaultNotPaired(InvalidInput):
    """The vault was never paired with an order history: ``posapp provision`` does it."""


def provision(vault: Vault, orders: OrderStore) -> None:
    """Create or upgrade the order history, and pair it with the (provisioned) vault.

    Raises OrderHistoryMissing, before creating anything, when the vault is paired with an
    order history and this one is empty; NotTheVaultsOrderHistory when it is another one.
    """
    identity = vault.identity()
    if identity.history_id is not None and orders.history_id() is None:
        raise _missing(vault, orders, identity.vault_id, identity.history_id)
    orders.provision()
    _pair(vault, orders)


def _pair(vault: Vault, orders: OrderStore) -> None:
    history_id = orders.history_id()
    if history_id is None:
        raise OrderHistoryMissing(f"order history at {orders.display_url} has no posapp schema after provisioning")
    try:
        vault.pair(history_id)
    except VaultError:
        check(vault, orders)  # names both order histories
        raise


def open_local(vault: Vault, orders: OrderStore) -> None:
    """Local mode: the first run makes the order history, the first sale the vault, which is
    then paired with it; later runs find both, or say which one is gone. Never makes the vault."""
    identity = vault.identity()
    if identity.vault_id is None:  # no card was ever stored here
        if orders.history_id() is None:
            orders.provision()
        return
    if identity.history_id is None:  # a new vault, or one from before vaults were paired
        # Imported cards belong to no order; a sale's card does.
        holds_cards = any(not entry.imported for entry in vault.entries())
        if orders.history_id() is None:
            if holds_cards:
                raise _missing(vault, orders, identity.vault_id)  # cards, but no order history for them
            orders.provision()
        elif not holds_cards and orders.page(limit=1).orders:
            raise VaultMissing(f"the card vault is new and empty, but order history at {orders.display_url} "
                               "holds orders whose cards were in another vault: restore the vault (and its "
                               "keys) from a backup")
        _pair(vault, orders)
    check(vault, orders)


def check(vault: Vault, orders: OrderStore) -> None:
    """Refuse an order history that is not the vault's own. Reads one record on each side."""
    identity = vault.identity()
    history_id = orders.history_id()
    if history_id is None:
        if identity.history_id is None:
            raise NotProvisioned(f"order history at {orders.display_url} has no posapp schema: run 'posapp "
                                 "provision' (if it held orders, restore it from a backup instead)")
        raise _missing(vault, orders, identity.vault_id, identity.history_id)
    if identity.vault_id is None:
        raise VaultNotPaired("the card vault has not been provisioned: run 'posapp provision'")
    if identity.history_id is None:
        raise VaultNotPaired(f"card vault {identity.vault_id} is not paired with an order history yet: "
                             "run 'posapp provision'")
    if history_id != identity.history_id:
        raise NotTheVaultsOrderHistory(
            f"order history at {orders.display_url} (id {history_id}) is not the one of card vault "
            f"{identity.vault_id}, whose orders are in order history {identity.history_id}: check [orders] url")


def _missing(vault: Vault, orders: OrderStore, vault_id: str | None, history_id: str | None = None) -> Exception:
    which = f"order history {history_id}" if history_id else "an order history"
    return OrderHistoryMissing(
        f"order history at {orders.display_url} is missing or empty, but card vault {vault_id} keeps the cards "
        f"of {which}: restore it from a backup (posapp will not start an empty one)")
