"""The PAN vault: card numbers encrypted and signed in process, stored under random tokens."""

from posapp.vault.base import (
    TamperedItem,
    TokenNotFound,
    Vault,
    VaultEntry,
    VaultError,
    VaultOutcomeUnknown,
    VaultUnavailable,
)

__all__ = ["TamperedItem", "TokenNotFound", "Vault", "VaultEntry", "VaultError", "VaultOutcomeUnknown",
           "VaultUnavailable"]
