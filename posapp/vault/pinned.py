"""One item's encryption materials, fetched before the item is signed.

Fetching them first tells which key version will protect the item (cached materials pick
their meta store version only when asked), so that the version is written into the signed
item; and an item just encrypted can be read back with the same keys, without asking KMS.
"""

from __future__ import annotations

from dynamodb_encryption_sdk.encrypted import CryptoConfig
from dynamodb_encryption_sdk.exceptions import DynamodbEncryptionSdkError
from dynamodb_encryption_sdk.material_providers import CryptographicMaterialsProvider
from dynamodb_encryption_sdk.materials import EncryptionMaterials
from dynamodb_encryption_sdk.materials.raw import RawDecryptionMaterials

from posapp.vault.item_format import Item, backend_cause

META_ID = "amzn-ddb-meta-id"  # the meta store's "name#version" in cached materials' description


class _Pinned(CryptographicMaterialsProvider):
    """Hands out the same materials for encrypting, and their keys for reading back."""

    def __init__(self, materials: EncryptionMaterials):
        self._materials = materials

    def encryption_materials(self, encryption_context):
        return self._materials

    def decryption_materials(self, encryption_context):
        return RawDecryptionMaterials(verification_key=self._materials.signing_key,
                                      decryption_key=self._materials.encryption_key,
                                      material_description=encryption_context.material_description)


def pin(item: Item, config: CryptoConfig) -> tuple[CryptoConfig, dict[str, str]]:
    """A config that encrypts ``item`` (its token at least: KMS binds it into the data key) with
    materials fetched now, and reads back only what they encrypted; and their description.

    Raises the backend's botocore error where KMS or the meta table refused (see
    ``item_format.backend_cause``), else the SDK's error."""
    try:
        materials = config.with_item(item).encryption_materials()
    except DynamodbEncryptionSdkError as error:
        cause = backend_cause(error)
        if cause is not None:
            raise cause from None
        raise
    pinned = CryptoConfig(materials_provider=_Pinned(materials), encryption_context=config.encryption_context,
                          attribute_actions=config.attribute_actions)
    return pinned, dict(materials.material_description)


def meta_version(description: dict[str, str]) -> int | None:
    """The meta store version cached materials' description names; None for other materials."""
    name, _, version = description.get(META_ID, "").rpartition("#")
    return int(version) if name and version.isdigit() else None
