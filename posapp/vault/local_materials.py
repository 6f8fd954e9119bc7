"""The local vault's materials: new items under the local keys, or sealed by this till for the
back office key kept on this workstation; each stored item read by the materials that wrote it.

Each item's signed material description says which kind wrote it (``sealing.is_sealed``), so
a vault that switches ``materials`` keeps reading its older items. Sealed items are verified with
the key the local till registry holds for the till they name, and opened with the back office
key: in local mode this workstation is its own back office, and reads the cards it sealed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from dynamodb_encryption_sdk.material_providers import CryptographicMaterialsProvider

from posapp.vault.local_keys import LocalKeys
from posapp.vault.local_sealing import KEY_VERSION, SEALED_FOR, BackOfficeKey
from posapp.vault.sealing import BackOfficeMaterials, is_sealed, till_materials
from posapp.vault.till_registry import TillRegistry, TrustedTillKeys, require_trusted
from posapp.vault.till_secrets import TillSecrets, registered

# Loads this till's signing key: None where the till was never registered.
TillSigner = Callable[[], TillSecrets | None]


class LocalMaterials(CryptographicMaterialsProvider):
    """Writes with ``keys``, or sealed by the till ``sealed`` loads (None: local keys); reads items
    of ``keys`` and the older keys they keep, and sealed items of the tills in ``tills()``, opened
    with ``back_office``. The till's key, the back office key and the registry are read on first
    need: opening the vault to register a till needs none of them."""

    def __init__(self, keys: LocalKeys, back_office: BackOfficeKey, tills: Callable[[], TillRegistry],
                 sealed: TillSigner | None):
        self._local = keys.materials_provider()
        self._back_office, self._tills, self._sealed = back_office, tills, sealed
        self._sealing: CryptographicMaterialsProvider | None = None
        self._opening: CryptographicMaterialsProvider | None = None
        self._lock = threading.Lock()
        self.key_version = KEY_VERSION if sealed is not None else keys.key_version
        """What new items name as their key version: "sealed:local", or the local keys' ("local-2")."""

    @property
    def sealed(self) -> bool:
        """Whether new items are sealed by this till."""
        return self._sealed is not None

    def till_id(self) -> str:
        """The till that seals new items; VaultUnavailable where it is not registered."""
        return registered(self._sealed()).till_id

    def encryption_materials(self, encryption_context):
        """The keys of a new item: sealed by this till (VaultUnavailable where it holds no signing
        key; local_keys.KeysLost where the back office key is lost), or the local keys'."""
        if self._sealed is None:
            return self._local.encryption_materials(encryption_context)
        with self._lock:
            if self._sealing is None:  # once per process: an untrusted till takes no card
                till = require_trusted(self._tills(), registered(self._sealed()))
                public = self._back_office.made_if_missing().public_key()
                self._sealing = till_materials(till.till_id, till.signing_key, public, SEALED_FOR)
        return self._sealing.encryption_materials(encryption_context)

    def decryption_materials(self, encryption_context):
        """The keys of the materials that wrote the item ``encryption_context`` describes."""
        if not is_sealed(encryption_context.material_description):
            return self._local.decryption_materials(encryption_context)
        with self._lock:
            if self._opening is None:
                self._opening = BackOfficeMaterials(TrustedTillKeys(self._tills()), self._back_office.unseal)
        return self._opening.decryption_materials(encryption_context)

    def refresh(self) -> None:
        """Nothing is cached beyond this object's life (the SDK's provider interface)."""
