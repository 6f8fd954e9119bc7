"""The local vault's materials across key versions: new items under the newest keys, each stored
item read with the keys its material description names.

Items of a vault's first keys name none (they were written before versions were); items of
later keys name theirs under ``posapp-local-key``, which the SDK keeps beside the wrapped item key.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dynamodb_encryption_sdk.delegated_keys.jce import JceNameLocalDelegatedKey
from dynamodb_encryption_sdk.exceptions import UnwrappingError
from dynamodb_encryption_sdk.identifiers import EncryptionKeyType, KeyEncodingType
from dynamodb_encryption_sdk.material_providers import CryptographicMaterialsProvider
from dynamodb_encryption_sdk.material_providers.wrapped import WrappedCryptographicMaterialsProvider

if TYPE_CHECKING:
    from posapp.vault.local_keys import LocalKeys

VERSION_FIELD = "posapp-local-key"


class _Generations(CryptographicMaterialsProvider):
    def __init__(self, current: int, providers: dict[int, WrappedCryptographicMaterialsProvider]):
        self._current = providers[current]
        self._providers = providers

    def encryption_materials(self, encryption_context):
        return self._current.encryption_materials(encryption_context)

    def decryption_materials(self, encryption_context):
        named = encryption_context.material_description.get(VERSION_FIELD, "1")
        provider = self._providers.get(int(named)) if named.isdigit() else None
        if provider is None:  # keys this process does not hold (removed, or newer than it loaded)
            raise UnwrappingError(f"no local vault keys of version {named}")
        return provider.decryption_materials(encryption_context)


def provider(keys: LocalKeys) -> CryptographicMaterialsProvider:
    """Materials that encrypt with ``keys`` and read items of them and of the older keys they keep."""
    return _Generations(keys.version, {one.version: _wrapped(one) for one in (keys, *keys.previous)})


def _wrapped(keys: LocalKeys) -> WrappedCryptographicMaterialsProvider:
    wrapping = JceNameLocalDelegatedKey(key=keys.wrapping, algorithm="AES", key_type=EncryptionKeyType.SYMMETRIC,
                                        key_encoding=KeyEncodingType.RAW)
    signing = JceNameLocalDelegatedKey(key=keys.signing, algorithm="HmacSHA256", key_type=EncryptionKeyType.SYMMETRIC,
                                       key_encoding=KeyEncodingType.RAW)
    # The first keys' items name no version, as they always did.
    description = {} if keys.version == 1 else {VERSION_FIELD: str(keys.version)}
    return WrappedCryptographicMaterialsProvider(wrapping_key=wrapping, unwrapping_key=wrapping, signing_key=signing,
                                                 material_description=description)
