"""Vault item encryption shared by every vault adapter (dynamodb-encryption-sdk).

One item per token. ``pan`` is encrypted and signed; the token and the metadata are
signed, so a changed attribute, an added attribute, a flipped bit or an item copied under
another token all fail as one :class:`TamperedItem`.
"""

from __future__ import annotations

import copy
import datetime

from dynamodb_encryption_sdk.encrypted import CryptoConfig
from dynamodb_encryption_sdk.encrypted.item import decrypt_dynamodb_item, encrypt_dynamodb_item
from dynamodb_encryption_sdk.exceptions import DynamodbEncryptionSdkError
from dynamodb_encryption_sdk.identifiers import CryptoAction
from dynamodb_encryption_sdk.material_providers import CryptographicMaterialsProvider
from dynamodb_encryption_sdk.structures import AttributeActions, EncryptionContext

from posapp.card import Card, InvalidCard, Pan
from posapp.vault.base import TamperedItem

PARTITION_KEY = "token"
DEFAULT_TABLE = "posapp-pan-vault"

Item = dict[str, dict[str, object]]  # DynamoDB-JSON attribute map


def attribute_actions() -> AttributeActions:
    actions = AttributeActions(
        default_action=CryptoAction.SIGN_ONLY,  # metadata, and anything added later, is signed
        attribute_actions={"pan": CryptoAction.ENCRYPT_AND_SIGN, "expires_at": CryptoAction.DO_NOTHING},
    )
    actions.set_index_keys(PARTITION_KEY)
    return actions


def crypto_config(materials: CryptographicMaterialsProvider, table_name: str) -> CryptoConfig:
    return CryptoConfig(
        materials_provider=materials,
        encryption_context=EncryptionContext(table_name=table_name, partition_key_name=PARTITION_KEY),
        attribute_actions=attribute_actions(),
    )


def plaintext_item(token: str, card: Card, *, workstation: str, created_at: datetime.datetime) -> Item:
    item: Item = {
        PARTITION_KEY: {"S": token},
        "pan": {"S": card.pan.reveal()},
        "brand": {"S": card.pan.brand.value},
        "last4": {"S": card.pan.last4},
        "created_at": {"S": created_at.astimezone(datetime.timezone.utc).isoformat()},
        "workstation": {"S": workstation},
    }
    if card.expiry is not None:
        item["exp_month"] = {"N": str(card.expiry.month)}
        item["exp_year"] = {"N": str(card.expiry.year)}
    return item


def encrypt(item: Item, config: CryptoConfig) -> Item:
    return encrypt_dynamodb_item(item, config)


def decrypt(token: str, stored: Item, config: CryptoConfig) -> Pan:
    """Check and decrypt a stored item; every failure is the same TamperedItem."""
    try:
        # decrypt_dynamodb_item pops the signature attributes from its input.
        plain = decrypt_dynamodb_item(copy.deepcopy(stored), config)
        if plain[PARTITION_KEY]["S"] != token:
            raise TamperedItem(token)
        return Pan.parse(plain["pan"]["S"])
    except (DynamodbEncryptionSdkError, InvalidCard, KeyError, TypeError):
        raise TamperedItem(token) from None
