"""Health checks of sealed materials on DynamoDB, for ``posapp doctor``: the pinned back-office
key is still the one KMS holds, a till seals items it cannot open, back office opens them."""

from __future__ import annotations

import copy
import secrets
import uuid
from collections.abc import Callable

from dynamodb_encryption_sdk.encrypted import CryptoConfig
from dynamodb_encryption_sdk.encrypted.item import decrypt_dynamodb_item

from posapp.vault import item_format
from posapp.vault.aws import AwsClients
from posapp.vault.base import VaultUnavailable
from posapp.vault.dynamodb_bulk import Errors
from posapp.vault.sealing import OAEP, WRAPPING_ALGORITHM, key_id, load_back_office_key


class SealedHealth:
    """Checks of KMS key ``key_arn`` whose public key this workstation pinned (``pinned``, DER).
    ``writing`` gives a config of this till's own materials alone; ``till``: the credentials hold
    the till role."""

    def __init__(self, clients: AwsClients, key_arn: str, pinned: bytes, *, errors: Errors,
                 writing: Callable[[], CryptoConfig], till: bool):
        self._clients, self._key_arn, self._pinned = clients, key_arn, pinned
        self._errors, self._writing, self._till = errors, writing, till

    def check_pinned_key(self) -> str:
        """The KMS key still answers the public key this workstation pinned."""
        with self._errors():
            answered = self._clients.kms.get_public_key(KeyId=self._key_arn)["PublicKey"]
        fingerprint = key_id(load_back_office_key(self._pinned))
        if answered != self._pinned:
            raise VaultUnavailable(f"KMS key {self._key_arn} answers another public key than the one pinned in "
                                   f"[vault] back_office_key ({fingerprint}): sales must stop until an "
                                   "administrator re-keys the vault and sets this till up again")
        return f"back office public key pinned ({fingerprint})"

    def check_round_trip(self) -> str:
        """A till seals an item and cannot open it with what it holds; back office opens a key
        sealed for it through KMS."""
        if not self._till:
            return self._check_unsealing()
        config = self._writing()
        item = {item_format.PARTITION_KEY: {"S": f"posapp-doctor-{uuid.uuid4()}"}, "pan": {"S": "no card: a check"}}
        sealed = item_format.encrypt(item, config)
        try:
            decrypt_dynamodb_item(copy.deepcopy(sealed), config.with_item(sealed))
        except Exception as error:
            if not item_format.opens_nothing(error):
                raise
            return ("an item was sealed and signed (sealed materials); this till holds no key that opens it, "
                    "as sealed materials intend")
        raise VaultUnavailable("this till opened an item it sealed: its materials are not sealed materials")

    def unseal_probe(self) -> bool:
        """Whether KMS opens a random key sealed here for back office as it was; raises botocore's
        errors (a till's role is refused: ``doctor --pci``'s probe)."""
        secret = secrets.token_bytes(32)
        sealed = load_back_office_key(self._pinned).encrypt(secret, OAEP)
        return self._clients.kms.decrypt(KeyId=self._key_arn, CiphertextBlob=sealed,
                                         EncryptionAlgorithm=WRAPPING_ALGORITHM)["Plaintext"] == secret

    def _check_unsealing(self) -> str:
        with self._errors():
            opened = self.unseal_probe()
        if not opened:
            raise VaultUnavailable(f"KMS key {self._key_arn} opened a sealed key wrongly")
        return "a key sealed for back office was opened through KMS (sealed materials)"
