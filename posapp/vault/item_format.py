"""The vault item format shared by every vault adapter: attributes, encryption (dynamodb-encryption-sdk), JSON.

One item per token. ``pan`` is encrypted and signed; the token and the metadata are
signed, so a changed attribute, an added attribute, a flipped bit or an item copied under
another token all fail as one :class:`TamperedItem`.
"""

from __future__ import annotations

import base64
import copy
import datetime
import enum
import json
import struct
import uuid
from typing import TypeVar

import botocore.exceptions
from dynamodb_encryption_sdk.encrypted import CryptoConfig
from dynamodb_encryption_sdk.encrypted.item import decrypt_dynamodb_item, encrypt_dynamodb_item
from dynamodb_encryption_sdk.exceptions import DynamodbEncryptionSdkError
from dynamodb_encryption_sdk.identifiers import CryptoAction
from dynamodb_encryption_sdk.material_providers import CryptographicMaterialsProvider
from dynamodb_encryption_sdk.structures import AttributeActions, EncryptionContext

from posapp.card import Card, Expiry, InvalidCard, Pan
from posapp.vault.base import CannotOpenItems, TamperedItem, VaultEntry
from posapp.vault.sealing import NoOpeningKey, UntrustedSigner
from posapp.clock import require_aware

PARTITION_KEY = "token"
DEFAULT_TABLE = "posapp-pan-vault"

Item = dict[str, dict[str, object]]  # DynamoDB-JSON attribute map
E = TypeVar("E", bound=BaseException)
# Which key protects the item (SIGN_ONLY, like the other metadata): the KMS key ARN (direct
# materials), "TABLE#N" (cached: the meta store's material and version), "local-N" (local keys).
KEY_VERSION = "key_version"


class Origin(enum.Enum):
    """Why a card is in the vault; only a sale's card belongs to an order."""

    SALE = "sale"
    IMPORT = "import"  # migrated by 'posapp vault import': no order refers to it, reconcile keeps it


def attribute_actions() -> AttributeActions:
    """What the SDK does to each attribute: ``pan`` encrypted and signed, the rest signed only."""
    actions = AttributeActions(
        default_action=CryptoAction.SIGN_ONLY,  # metadata, and anything added later, is signed
        # expires_at is the table's TTL attribute: signed, so a forged expiry (DynamoDB would
        # delete the card) fails verification; not encrypted, so TTL can still read it.
        attribute_actions={"pan": CryptoAction.ENCRYPT_AND_SIGN, "expires_at": CryptoAction.SIGN_ONLY},
    )
    actions.set_index_keys(PARTITION_KEY)
    return actions


def crypto_config(materials: CryptographicMaterialsProvider, table_name: str) -> CryptoConfig:
    """The SDK configuration for items of ``table_name`` (bound into every signature) with ``materials``."""
    return CryptoConfig(
        materials_provider=materials,
        encryption_context=EncryptionContext(table_name=table_name, partition_key_name=PARTITION_KEY),
        attribute_actions=attribute_actions(),
    )


def plaintext_item(token: str, card: Card, *, workstation: str, created_at: datetime.datetime,
                   origin: Origin = Origin.SALE, import_id: str | None = None,
                   orders_seen: int | None = None, expires_at: datetime.datetime | None = None,
                   key_version: str | None = None) -> Item:
    """The item to encrypt for ``card`` under ``token``, holding the card number in clear.
    ``created_at`` (timezone-aware, else ValueError) is stored in UTC; ``import_id``,
    ``orders_seen``, ``expires_at`` (timezone-aware, kept as whole epoch seconds) and
    ``key_version`` (see :data:`KEY_VERSION`) only when given."""
    require_aware("a vault item's created_at", created_at)  # astimezone would take it for local time
    require_aware("a vault item's expires_at", expires_at)
    item: Item = {
        PARTITION_KEY: {"S": token},
        "pan": {"S": card.pan.reveal()},
        "brand": {"S": card.pan.brand.value},
        "last4": {"S": card.pan.last4},
        "created_at": {"S": created_at.astimezone(datetime.timezone.utc).isoformat()},
        "workstation": {"S": workstation},
        "origin": {"S": origin.value},
    }
    if card.expiry is not None:
        item["exp_month"] = {"N": str(card.expiry.month)}
        item["exp_year"] = {"N": str(card.expiry.year)}
    if import_id is not None:
        item["import_id"] = {"S": import_id}  # which run of 'posapp vault import' stored it
    if orders_seen is not None:
        # The newest order id the selling till knew of: an order history that does not reach
        # it is older than this card (reconciliation keeps the card, and says so).
        item["orders_seen"] = {"N": str(orders_seen)}
    if expires_at is not None:
        # Retention (PCI DSS 3.2.1): DynamoDB's TTL removes the item then, posapp vault purge locally.
        item["expires_at"] = {"N": str(int(expires_at.timestamp()))}
    if key_version is not None:
        item[KEY_VERSION] = {"S": key_version}
    return item


def key_version(item: Item) -> str | None:
    """The key version the item names, as written (unverified: enough to pick the items a rekey
    must do); None for items stored before key versions were recorded."""
    try:
        return str(item[KEY_VERSION]["S"])
    except (KeyError, TypeError):
        return None


def orders_seen(item: Item) -> int | None:
    """The newest order id known when the item was stored, as written; None for older items."""
    try:
        return int(item["orders_seen"]["N"])
    except (KeyError, TypeError, ValueError):
        return None


def import_id(item: Item) -> str | None:
    """The import run that stored the item, as written; None for a sale's card."""
    try:
        return str(item["import_id"]["S"])
    except (KeyError, TypeError):
        return None


def created_at(item: Item) -> datetime.datetime | None:
    """The item's creation time as written (unverified: good enough to judge an item's age),
    timezone-aware; None where it is missing, unreadable or without an offset."""
    try:
        moment = datetime.datetime.fromisoformat(item["created_at"]["S"])
    except (KeyError, TypeError, ValueError):
        return None
    return moment if moment.utcoffset() is not None else None  # naive: which zone is unknown


def expires_at(item: Item) -> datetime.datetime | None:
    """When retention removes the item (its ``expires_at``, epoch seconds), in UTC; None where
    it has none or it is unreadable."""
    try:
        return datetime.datetime.fromtimestamp(int(item["expires_at"]["N"]), datetime.timezone.utc)
    except (KeyError, TypeError, ValueError, OverflowError, OSError):
        return None


def origin(item: Item) -> Origin:
    """The item's origin as written; items from before origins were recorded came from sales."""
    try:
        return Origin(item["origin"]["S"])
    except (KeyError, TypeError, ValueError):
        return Origin.SALE


def entry(token: str, item: Item) -> VaultEntry:
    """What bulk work may know of a stored item, as written (unverified): never the card."""
    return VaultEntry(token, created_at(item), origin(item) is Origin.IMPORT, import_id(item), orders_seen(item),
                      expires_at(item), key_version(item))


def encrypt(item: Item, config: CryptoConfig) -> Item:
    """Encrypt and sign; the item's token is bound into the key material's context."""
    try:
        return encrypt_dynamodb_item(item, config.with_item(item))
    except DynamodbEncryptionSdkError as error:
        cause = backend_cause(error)
        if cause is not None:
            raise cause from None  # the adapter turns a backend's refusal into its sentence
        raise


# Besides its own errors, the SDK raises these for a stored item of the wrong shape: it parses
# the material description, the signature and the attributes before checking them (found by
# mangling every attribute of items from each kind of materials). A bare Exception comes from
# its meta store (cached materials) for a description without a readable version.
_MALFORMED = (KeyError, IndexError, TypeError, ValueError, struct.error, NotImplementedError)


def decrypt(token: str, stored: Item, config: CryptoConfig) -> Card:
    """Check and decrypt a stored item: the card, with its expiry where one was stored; every
    integrity failure is the same TamperedItem.

    A backend's refusal is raised as its botocore error (see :func:`backend_cause`); an error
    not caused by the item, such as a ``config`` that is not a CryptoConfig, propagates as is.
    """
    return card_of(token, open_item(token, stored, config))


def open_item(token: str, stored: Item, config: CryptoConfig) -> Item:
    """Check and decrypt a stored item: the whole plaintext item (the card number in clear, for
    re-encryption alone). Raises as :func:`decrypt`."""
    if not isinstance(config, CryptoConfig):
        raise TypeError(f"decrypt needs a CryptoConfig, not {type(config).__name__}")
    item_config = config.with_item(stored)
    try:
        # decrypt_dynamodb_item pops the signature attributes from its input.
        plain = decrypt_dynamodb_item(copy.deepcopy(stored), item_config)
    except Exception as error:
        if not _item_fault(error):
            raise
        cause = backend_cause(error)
        if cause is not None:
            raise cause from None
        if _caused_by(error, NoOpeningKey):
            raise CannotOpenItems() from None
        untrusted = _caused_by(error, UntrustedSigner)
        raise TamperedItem(token, untrusted.reason if untrusted else None) from None
    # A signed item of ours with another token, or no readable card, is as unusable as a forged one.
    if plain.get(PARTITION_KEY) != {"S": token}:
        raise TamperedItem(token)
    return plain


def card_of(token: str, plain: Item) -> Card:
    """The card of a checked plaintext item; TamperedItem where it holds none."""
    try:
        expiry = Expiry.of(int(plain["exp_month"]["N"]), int(plain["exp_year"]["N"])) if "exp_month" in plain else None
        return Card(Pan.parse(plain["pan"]["S"]), expiry)
    except (KeyError, TypeError, ValueError, InvalidCard):
        raise TamperedItem(token) from None


def opens_nothing(error: BaseException) -> bool:
    """Whether ``error`` is materials that hold no key that opens an item (a sealed till's)."""
    return _caused_by(error, NoOpeningKey) is not None


def _caused_by(error: BaseException, kind: type[E] | tuple[type[E], ...]) -> E | None:
    """The first error of ``kind`` in ``error``'s chain of causes, or None."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, kind):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _item_fault(error: Exception) -> bool:
    """Whether the SDK raised ``error`` over the stored item (or a backend behind it)."""
    if isinstance(error, (DynamodbEncryptionSdkError, botocore.exceptions.BotoCoreError,
                          botocore.exceptions.ClientError, *_MALFORMED)):
        return True
    if type(error) is Exception:  # only the SDK's meta store raises bare Exceptions
        return True
    # Cached materials turn "the meta table has no such version" into an AttributeError.
    return isinstance(error, AttributeError) and isinstance(error.__context__, DynamodbEncryptionSdkError)


def round_trip(config: CryptoConfig) -> None:
    """Encrypt, sign and read back a throw-away item that holds no card (a health check)."""
    item: Item = {PARTITION_KEY: {"S": f"posapp-doctor-{uuid.uuid4()}"}, "pan": {"S": "no card: a health check"}}
    encrypted = encrypt(item, config)
    if decrypt_dynamodb_item(copy.deepcopy(encrypted), config.with_item(encrypted)) != item:
        raise TamperedItem(item[PARTITION_KEY]["S"])


def backend_cause(error: BaseException) -> Exception | None:
    """The botocore error behind an item-encryption failure, if a backend caused it.

    The SDK turns a KMS refusal into the same UnwrappingError as a forged item; a refusal is
    the backend's fault and must not be reported as tampering. KMS's own verdict that a
    ciphertext or its encryption context is wrong stays an integrity failure.
    """
    cause = _caused_by(error, (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError))
    if isinstance(cause, botocore.exceptions.ClientError) and \
            cause.response.get("Error", {}).get("Code", "") == "InvalidCiphertextException":
        return None
    return cause


def to_json(item: Item) -> str:
    """DynamoDB-JSON text; binary attribute values as base64, as DynamoDB's own JSON does."""
    return json.dumps({name: {kind: base64.b64encode(value).decode() if kind == "B" else value
                              for kind, value in attribute.items()}
                       for name, attribute in item.items()}, sort_keys=True)


def from_json(text: str) -> Item:
    """An item from DynamoDB-JSON text; an empty item where the text is unreadable."""
    try:
        return {name: {kind: base64.b64decode(value) if kind == "B" else value
                       for kind, value in attribute.items()}
                for name, attribute in json.loads(text).items()}
    except (ValueError, AttributeError, TypeError):  # AttributeError: a JSON value that is not an object
        return {}  # unreadable: decryption then fails as a TamperedItem
