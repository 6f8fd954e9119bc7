"""Sealed materials on DynamoDB (moto in process, KMS RSA-OAEP by tests/kms_rsa.py): a till sells
with no KMS call and cannot open what it stored; back office opens it and catches every item a
registered till did not sign as it stands."""

import base64
import copy
import datetime
import json

import pytest
from awstest import aws_client
from cardgen import random_pan
from cryptography.hazmat.primitives import serialization
from hypothesis import HealthCheck, given, settings, strategies as st
from kit import NOW, DynamoDbPlace

from dynamodb_encryption_sdk.internal.formatting.material_description import deserialize as deserialize_description

from posapp.card import Card, Expiry, Pan
from posapp.errors import describe
from posapp import till_registration
from posapp.vault import sealing, till_secrets
from posapp.vault.base import CannotOpenItems, TamperedItem
from posapp.vault.dynamodb import DynamoDbVault
from posapp.vault.dynamodb_sealing import SealedMaterials, fetch_public_key
from posapp.vault.till_registry import TillNotTrusted
from posapp.vault.till_secrets import TillSecrets


@pytest.fixture(scope="module")
def rsa_arn(key_arn):
    """Back office's RSA_3072 key, in the same moto as the symmetric ``key_arn``."""
    return aws_client("kms").create_key(KeySpec="RSA_3072", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]["Arn"]


class Shop:
    """A vault table with a registered sealed till, its back office and its administrator."""

    def __init__(self, key_arn: str, rsa_arn: str, folder):
        self.folder = folder
        self.place = DynamoDbPlace(key_arn)
        self.clients = self.place.clients()
        self.rsa_arn = rsa_arn
        self.public_der = fetch_public_key(self.clients.kms, rsa_arn)
        self.admin = DynamoDbVault(self.place.table, key_arn, self.clients, workstation="admin",
                                   signer=lambda: self.held("admin"))
        self.admin.provision()
        self.register("admin")
        self.back_office = DynamoDbVault(self.place.table, rsa_arn, self.clients, workstation="office",
                                         sealed=SealedMaterials(self.public_der, lambda: None))

    def register(self, till_id: str, *, publish: bool = True) -> DynamoDbVault:
        """The till ``till_id`` as 'posapp till register' leaves it (``publish`` False: its key is
        kept on the till but never reached the registry)."""
        if publish:
            till_registration.register(self.admin, till_id, self.key_file(till_id), audit_key=self.admin.audit_key,
                                       clock=lambda: NOW)
        else:
            till_secrets.store(TillSecrets(till_id, sealing.new_till_key(), self.admin.audit_key()),
                               self.key_file(till_id))
        return self.till(till_id)

    def key_file(self, till_id: str):
        return self.folder / till_id / "till-signing.key"

    def held(self, till_id: str) -> TillSecrets | None:
        return till_secrets.load(till_id, self.key_file(till_id))

    def till(self, till_id: str) -> DynamoDbVault:
        return DynamoDbVault(self.place.table, self.rsa_arn, self.clients, workstation=till_id, till=True,
                             sealed=SealedMaterials(self.public_der, lambda: self.held(till_id)))

    def raw(self, token: str) -> dict:
        return self.clients.dynamodb.get_item(TableName=self.place.table,
                                              Key={"token": {"S": token}}, ConsistentRead=True)["Item"]

    def put_raw(self, item: dict) -> None:
        self.clients.dynamodb.put_item(TableName=self.place.table, Item=item)


@pytest.fixture
def shop(key_arn, rsa_arn, tmp_path, keyring_counts_as_persistent):
    return Shop(key_arn, rsa_arn, tmp_path)


def card() -> Card:
    return Card(Pan.parse(random_pan("4", 16)), Expiry.of(12, 2039))


def test_a_sealed_till_sells_without_a_kms_call_and_back_office_reads_every_card(shop):
    till = shop.register("till-01")
    calls = []
    shop.clients.kms.meta.events.register("before-call.kms", lambda event_name, **_: calls.append(event_name))
    cards = [card() for _ in range(12)]
    tokens = [till.tokenize(each) for each in cards]
    till.audit_key()  # the journal's key too: the till's own copy
    assert calls == []
    assert [shop.back_office.card(token) for token in tokens] == cards
    assert {shop.back_office.entry(token).key_version for token in tokens} == {shop.rsa_arn}


def test_a_sealed_till_cannot_open_its_own_item_with_anything_it_holds(shop, memory_keyring):
    till = shop.register("till-01")
    number = random_pan("5", 16)
    token = till.tokenize(Card(Pan.parse(number), None))
    with pytest.raises(CannotOpenItems, match="run this on a back-office workstation"):
        till.card(token)  # asks nothing of KMS, whatever the credentials: its materials open nothing
    # Everything the till holds, as bytes: its keyring entries (and each field in them), its
    # signing key, its settings' pinned public key and the audit key copy; only back office's RSA
    # private key opens the item key, and none of them is one.
    held = shop.held("till-01")
    signing_der = held.signing_key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                                 serialization.NoEncryption())
    entries = [json.loads(value) for value in memory_keyring.secrets.values()]
    fields = [base64.b64decode(value) for entry in entries for value in entry.values() if _base64(value)]
    candidates = [signing_der, held.audit_key, shop.public_der, *fields]
    assert entries and signing_der in fields
    wrapped = _wrapped_key(shop.raw(token))
    assert not [candidate for candidate in candidates if _opens(candidate, wrapped)]
    assert shop.back_office.detokenize(token).reveal() == number


def _base64(value: object) -> bool:
    try:
        return isinstance(value, str) and bool(base64.b64decode(value, validate=True))
    except ValueError:
        return False


def _opens(candidate: bytes, wrapped: bytes) -> bool:
    """Whether ``candidate`` is a private key that unwraps ``wrapped``."""
    try:
        key = serialization.load_der_private_key(candidate, password=None)
        return bool(key.decrypt(wrapped, sealing.OAEP))
    except (ValueError, TypeError, AttributeError):  # not a key; a key that decrypts nothing (ECDSA)
        return False


def _wrapped_key(item: dict) -> bytes:
    """The item key as the item keeps it, wrapped for back office (from its material description)."""
    description = deserialize_description(item["*amzn-ddb-map-desc*"])
    return base64.b64decode(description["amzn-ddb-env-key"])


def test_back_office_refuses_an_item_of_a_till_that_was_never_registered(shop):
    token = shop.register("till-09").tokenize(card())
    # As if it had signed with a key of its own making: the registry has never heard of it.
    shop.clients.dynamodb.delete_item(TableName=shop.place.table, Key={"token": {"S": "posapp:till:till-09"}})
    with pytest.raises(TamperedItem, match=f"{token} .*signed by till till-09, which is not registered"):
        shop.back_office.verify(token)


def test_back_office_refuses_every_item_of_a_revoked_till(shop):
    till = shop.register("till-02")
    tokens = [till.tokenize(card()) for _ in range(2)]
    shop.admin.till_registry().revoke("till-02", NOW + datetime.timedelta(hours=1))
    for token in tokens:
        with pytest.raises(TamperedItem, match="signed by till till-02, whose key was revoked"):
            shop.back_office.verify(token)


# One shop for every example: each example stores and changes an item of its own.
def test_a_till_whose_key_is_revoked_or_unregistered_takes_no_card_and_doctor_says_why(shop):
    shop.register("till-05")
    shop.admin.till_registry().revoke("till-05", NOW + datetime.timedelta(hours=1))
    restarted = shop.till("till-05")  # the next process: the registry is read once, when it first sells
    with pytest.raises(TillNotTrusted, match="till till-05's signing key was revoked .* 'posapp till register' on it for a new key"):
        restarted.tokenize(card())
    round_trip = dict(restarted.checks())["encryption round trip"]
    with pytest.raises(TillNotTrusted, match="revoked"):
        round_trip()
    with pytest.raises(TillNotTrusted, match="till-06's signing key sha256:[0-9a-f]{32} is not registered"):
        shop.register("till-06", publish=False).tokenize(card())
    assert describe(TillNotTrusted("x"))[1] == 2


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(["brand", "last4", "created_at", "workstation", "origin", "exp_month", "key_version",
                             "expires_at", "added"]),
       value=st.integers(min_value=0, max_value=10**6))
def test_back_office_refuses_an_item_whose_signed_attribute_changed(shop, name, value):
    token = shop.till("admin").tokenize(card())
    changed = shop.raw(token)
    changed[name] = {"N": str(value)} if name in ("exp_month", "expires_at") else {"S": f"{value}"}
    shop.put_raw(changed)
    with pytest.raises(TamperedItem, match=token):
        shop.back_office.verify(token)


def test_back_office_refuses_a_signature_copied_from_another_tills_item(shop):
    first, second = shop.register("till-03"), shop.register("till-04")
    mine, theirs = first.tokenize(card()), second.tokenize(card())
    forged = shop.raw(mine)
    forged["*amzn-ddb-map-sig*"] = copy.deepcopy(shop.raw(theirs)["*amzn-ddb-map-sig*"])
    shop.put_raw(forged)
    with pytest.raises(TamperedItem, match="signature is not that of till till-03's key"):
        shop.back_office.verify(mine)
    whole = shop.raw(theirs)  # another till's whole item, under this item's token
    whole["token"] = {"S": mine}
    shop.put_raw(whole)
    with pytest.raises(TamperedItem):
        shop.back_office.verify(mine)
    assert shop.back_office.detokenize(theirs)  # the other till's own item is still fine


def test_rekey_from_direct_to_sealed_and_back_keeps_every_card_readable(shop, key_arn):
    cards = [card() for _ in range(5)]
    tokens = [shop.admin.tokenize(each) for each in cards]
    to_sealed = shop.admin.rekey(shop.rsa_arn, lambda _report: None)
    assert (to_sealed.rekeyed, to_sealed.remaining, to_sealed.tampered) == (5, 0, [])
    assert [shop.back_office.card(token) for token in tokens] == cards
    assert {shop.back_office.entry(token).key_version for token in tokens} == {shop.rsa_arn}
    back = shop.back_office.rekey(key_arn, lambda _report: None)
    assert (back.rekeyed, back.remaining, back.tampered) == (5, 0, [])
    direct = DynamoDbVault(shop.place.table, key_arn, shop.clients, workstation="office")
    assert [direct.card(token) for token in tokens] == cards
    assert direct.audit_key() == shop.back_office.audit_key() == shop.admin.audit_key()


@pytest.mark.parametrize("dashed", [False, True])
def test_setting_sealed_materials_up_never_sends_or_repeats_a_card_number_in_the_key_arn(tmp_path, dashed, rsa_arn):
    from posapp import workstation_setup
    from posapp.errors import ConfigError

    number = random_pan("4", 16)
    written = "-".join(number[at:at + 4] for at in range(0, 16, 4)) if dashed else number
    asked = []
    values = {"vault": {"backend": "dynamodb", "materials": "sealed", "region": "us-east-1",
                        "kms_key_id": f"arn:aws:kms:us-east-1:123456789012:key/{written}"}}
    with pytest.raises(ConfigError, match="looks like a card number") as refused:
        workstation_setup.prepare(tmp_path / "posapp.toml", values, shared=False, password=asked.append)
    assert written not in str(refused.value) and number not in str(refused.value)
    assert asked == [] and not (tmp_path / "posapp.toml").exists()
