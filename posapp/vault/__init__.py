"""The PAN vault: card numbers encrypted and signed in process, stored under random tokens."""

from posapp.vault.base import TamperedItem, TokenNotFound, Vault, VaultError, VaultUnavailable

__all__ = ["TamperedItem", "TokenNotFound", "Vault", "VaultError", "VaultUnavailable"]
