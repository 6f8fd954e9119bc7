"""What a rekey reports, and the one step every vault takes per item: check, re-encrypt, check again.

A rekey re-encrypts every card item under a new key with the same token. Each item is
decrypted and verified first; the new item is read back (with the materials that made it,
no KMS call) to the same card before it may replace the old one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from dynamodb_encryption_sdk.encrypted import CryptoConfig

from posapp.vault import item_format
from posapp.vault.base import TamperedItem
from posapp.vault.pinned import pin

MAX_PASSES = 3  # a pass re-keys what sales on the old key added during the one before it


@dataclass
class RekeyReport:
    """A rekey's counts so far (and at its end), in items; never a card."""

    target: str  # the key version items end under
    rekeyed: int = 0  # replaced by an item under the target key
    already: int = 0  # found under the target key: left alone (also on a resumed run)
    gone: int = 0  # deleted (a reconciliation, a declined sale) while being re-keyed: left deleted
    passes: int = 0
    remaining: int = 0  # under another key after the last pass (sales by tills still on the old key)
    tampered: list[str] = field(default_factory=list)  # tokens that failed their check: never replaced
    resumed: bool = False  # carried on from an interrupted run's checkpoint

    @property
    def done(self) -> bool:
        """Whether every readable item is under the target key."""
        return self.remaining == 0


Progress = Callable[[RekeyReport], None]  # told after each batch of items


def reencrypt(token: str, stored: item_format.Item, source: CryptoConfig, target: CryptoConfig,
              key_version: str) -> item_format.Item:
    """The item ``stored`` under ``token`` re-encrypted by ``target`` and naming ``key_version``,
    with every other attribute as it was; checked to hold the same card.

    Raises TamperedItem where the stored item fails its check (nothing is made for it) and the
    backend's botocore errors as ``item_format.decrypt`` does."""
    plain = item_format.open_item(token, stored, source)
    card = item_format.card_of(token, plain)
    plain[item_format.KEY_VERSION] = {"S": key_version}
    pinned, _ = pin(plain, target)
    new = item_format.encrypt(plain, pinned)
    if item_format.decrypt(token, new, pinned) != card:  # cannot happen short of a broken library
        raise TamperedItem(token)
    return new
