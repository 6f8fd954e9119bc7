"""The DynamoDB vault's materials: direct (a KMS data key per item), cached (versions kept in
the meta table) or sealed (posapp.vault.sealing), and reading every item whichever materials
wrote it.

A vault's items may come from every kind of materials: tills with cached or sealed materials
beside a back office with direct ones, or items from before a change of ``materials``. Each
item's signed material description says which kind wrote it; reading it with another kind fails
as if it were forged. So writing uses the configured materials, and reading picks by the item.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from dynamodb_encryption_sdk.material_providers import CryptographicMaterialsProvider
from dynamodb_encryption_sdk.material_providers.aws_kms import AwsKmsCryptographicMaterialsProvider
from dynamodb_encryption_sdk.material_providers.most_recent import CachingMostRecentProvider
from dynamodb_encryption_sdk.material_providers.store.meta import MetaStore

from posapp.vault.aws import AwsClients
from posapp.vault.dynamodb_sealing import SealedMaterials, kms_unseal
from posapp.vault.pinned import META_ID
from posapp.vault.sealing import BackOfficeMaterials, is_sealed, load_back_office_key, till_materials
from posapp.vault.till_registry import TillRegistry, TrustedTillKeys, require_trusted
from posapp.vault.till_secrets import registered


DEFAULT_VERSION_TTL = 300.0  # seconds; what [vault] version_ttl defaults to


def meta_table_of(table: str) -> str:
    """The meta table of cached materials beside the vault table ``table``, as posapp names it."""
    return f"{table}-meta"


@dataclass(frozen=True)
class CachedMaterials:
    """Item keys kept in ``meta_table``, wrapped by KMS, each version used for ``version_ttl`` seconds."""

    meta_table: str
    version_ttl: float


class _OnFirstUse:
    """A provider built by ``make`` on first need (once, whichever thread asks first)."""

    def __init__(self, make: Callable[[], CryptographicMaterialsProvider]):
        self._make = make
        self._built: CryptographicMaterialsProvider | None = None
        self._lock = threading.Lock()

    def __call__(self) -> CryptographicMaterialsProvider:
        with self._lock:
            if self._built is None:
                self._built = self._make()
            return self._built


class EitherMaterials(CryptographicMaterialsProvider):
    """Encrypts with ``writing()``; decrypts an item of cached materials (its description names a
    meta store version) with ``cached()``, one of sealed materials (it names a till) with
    ``sealed()``, and any other with ``direct``. Each callable builds its provider on first need."""

    def __init__(self, writing: Callable[[], CryptographicMaterialsProvider], direct: CryptographicMaterialsProvider,
                 cached: Callable[[], CryptographicMaterialsProvider],
                 sealed: Callable[[], CryptographicMaterialsProvider]):
        self._writing = _OnFirstUse(writing)
        self._direct = direct
        self._cached = _OnFirstUse(cached)
        self._sealed = _OnFirstUse(sealed)

    def writing(self) -> CryptographicMaterialsProvider:
        """The configured materials alone, which new items are written with."""
        return self._writing()

    def encryption_materials(self, encryption_context):
        """The configured materials' keys for a new item."""
        return self._writing().encryption_materials(encryption_context)

    def decryption_materials(self, encryption_context):
        """The keys of the materials that wrote the item ``encryption_context`` describes."""
        description = encryption_context.material_description
        if is_sealed(description):
            return self._sealed().decryption_materials(encryption_context)
        if META_ID in description:
            return self._cached().decryption_materials(encryption_context)
        return self._direct.decryption_materials(encryption_context)

    def refresh(self) -> None:
        """Forget the configured materials' cached keys (the SDK's provider interface)."""
        self._writing().refresh()


def materials_provider(clients: AwsClients, table: str, key_id: str, cached: CachedMaterials | None,
                       sealed: SealedMaterials | None, tills: Callable[[], TillRegistry], *,
                       till: bool = False) -> EitherMaterials:
    """Materials that write items of ``table`` with KMS key ``key_id`` directly, through the cached
    materials ``cached``, or sealed for ``key_id`` by this till (``sealed``), and read items of
    every kind (sealed ones verified against the registry ``tills()``). A sealed ``till`` opens no
    sealed item (CannotOpenItems), whatever its credentials allow. Builds no client and reads no
    keyring; the meta table is described, and the till's key loaded, when first needed."""
    kms = AwsKmsCryptographicMaterialsProvider(key_id=key_id, regional_clients={clients.kms_region: clients.kms})
    reading = cached or CachedMaterials(meta_table_of(table), DEFAULT_VERSION_TTL)
    cached_materials = _OnFirstUse(lambda: CachingMostRecentProvider(
        provider_store=MetaStore(table=clients.dynamodb_resource.Table(reading.meta_table), materials_provider=kms),
        material_name=table, version_ttl=float(reading.version_ttl)))

    def sealed_reading() -> CryptographicMaterialsProvider:
        if sealed is not None and till:  # its own materials: they hold no key that opens an item
            return writing()
        return BackOfficeMaterials(TrustedTillKeys(tills()), kms_unseal(clients.kms))

    def writing() -> CryptographicMaterialsProvider:
        if cached is not None:
            return cached_materials()
        if sealed is not None:
            # Once per process: a till whose key was revoked or never registered takes no card.
            till = require_trusted(tills(), registered(sealed.till()))
            return till_materials(till.till_id, till.signing_key, load_back_office_key(sealed.back_office_key), key_id)
        return kms

    return EitherMaterials(writing, kms, cached_materials, sealed_reading)
