"""The DynamoDB vault's materials: direct (a KMS data key per item) or cached (versions kept in
the meta table), and reading every item whichever materials wrote it.

A vault's items may come from both kinds of materials: tills with cached materials beside a
back office with direct ones, or items from before a change of ``materials``. Each item's
signed material description says which kind wrote it; reading it with the other kind fails
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
from posapp.vault.pinned import META_ID


DEFAULT_VERSION_TTL = 300.0  # seconds; what [vault] version_ttl defaults to


def meta_table_of(table: str) -> str:
    """The meta table of cached materials beside the vault table ``table``, as posapp names it."""
    return f"{table}-meta"


@dataclass(frozen=True)
class CachedMaterials:
    """Item keys kept in ``meta_table``, wrapped by KMS, each version used for ``version_ttl`` seconds."""

    meta_table: str
    version_ttl: float


class EitherMaterials(CryptographicMaterialsProvider):
    """Encrypts with ``writing``; decrypts an item of cached materials (its description names a
    meta store version) with ``cached()``, built on first need, and any other with ``direct``."""

    def __init__(self, writing: CryptographicMaterialsProvider, direct: CryptographicMaterialsProvider,
                 cached: Callable[[], CryptographicMaterialsProvider]):
        self._writing = writing
        self._direct = direct
        self._make_cached = cached
        self._cached: CryptographicMaterialsProvider | None = None
        self._lock = threading.Lock()

    def encryption_materials(self, encryption_context):
        """The configured materials' keys for a new item."""
        return self._writing.encryption_materials(encryption_context)

    def decryption_materials(self, encryption_context):
        """The keys of the materials that wrote the item ``encryption_context`` describes."""
        if META_ID not in encryption_context.material_description:
            return self._direct.decryption_materials(encryption_context)
        with self._lock:
            if self._cached is None:
                self._cached = self._make_cached()
        return self._cached.decryption_materials(encryption_context)

    def refresh(self) -> None:
        """Forget the configured materials' cached keys (the SDK's provider interface)."""
        self._writing.refresh()


def materials_provider(clients: AwsClients, table: str, key_id: str,
                       cached: CachedMaterials | None) -> EitherMaterials:
    """Materials that write items of ``table`` with KMS key ``key_id`` directly, or through the
    cached materials ``cached``, and read items of either kind. Builds no client; the meta table
    is described when first needed."""
    kms = AwsKmsCryptographicMaterialsProvider(key_id=key_id, regional_clients={clients.kms_region: clients.kms})
    reading = cached or CachedMaterials(meta_table_of(table), DEFAULT_VERSION_TTL)

    def cached_materials() -> CryptographicMaterialsProvider:
        store = MetaStore(table=clients.dynamodb_resource.Table(reading.meta_table), materials_provider=kms)
        return CachingMostRecentProvider(provider_store=store, material_name=table,
                                         version_ttl=float(reading.version_ttl))

    if cached is None:
        return EitherMaterials(kms, kms, cached_materials)
    writing = cached_materials()
    return EitherMaterials(writing, kms, lambda: writing)
