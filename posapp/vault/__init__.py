"""The PAN vault: card numbers encrypted and signed in process, stored under random tokens."""

from posapp.vault.base import (
    ImportRecord,
    TamperedItem,
    TokenNotFound,
    Vault,
    VaultEntry,
    VaultError,
    VaultNotPermitted,
    VaultOutcomeUnknown,
    VaultUnavailable,
)

__all__ = ["ImportRecord", "TamperedItem", "TokenNotFound", "Vault", "VaultEntry", "VaultError", "VaultNotPermitted",
           "VaultOutcomeUnknown", "VaultUnavailable"]
