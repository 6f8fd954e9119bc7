"""Decrypting a stored item: a mangled item is TamperedItem, a programming error stays one."""

import copy
import datetime

import pytest
from cardgen import random_pan
from dynamodb_encryption_sdk.material_providers import CryptographicMaterialsProvider

from posapp.card import Card, Expiry, Pan
from posapp.errors import ExitCode, describe
from posapp.vault import TamperedItem
from posapp.vault import item_format
from posapp.vault.local_keys import LocalKeys

TOKEN = "0b5e0c9e-3f4a-4c1e-9a57-2d3c8c1f6f10"
CREATED = datetime.datetime(2026, 11, 29, 12, 0, tzinfo=datetime.timezone.utc)


@pytest.fixture(scope="module")
def config():
    return item_format.crypto_config(LocalKeys.generate().materials_provider(), item_format.DEFAULT_TABLE)


@pytest.fixture(scope="module")
def stored(config):
    card = Card(Pan.parse(random_pan("4", 16)), Expiry(12, 2099))
    plain = item_format.plaintext_item(TOKEN, card, workstation="till-01", created_at=CREATED)
    return item_format.encrypt(plain, config)


def mangled(stored, name, value):
    item = copy.deepcopy(stored)
    item[name] = value
    return item


def test_an_intact_item_decrypts(stored, config):
    assert item_format.decrypt(TOKEN, stored, config).pan.last4 == stored["last4"]["S"]


# Each shape makes the SDK fail in another way: its own errors, KeyError, TypeError,
# struct.error, UnicodeDecodeError, NotImplementedError. All are the item's fault.
@pytest.mark.parametrize("name, value", [
    ("*amzn-ddb-map-sig*", {"S": "x"}),
    ("*amzn-ddb-map-desc*", {"B": b"\xff" * 40}),
    ("*amzn-ddb-map-desc*", {"B": b""}),
    ("pan", {"S": None}),
    ("brand", {"S": ["VISA"]}),
    ("exp_month", {"N": ["12"]}),
    ("token", {"X": 1}),
    ("pan", {}),
], ids=["signature of another type", "garbage description", "empty description", "null pan", "list brand",
        "list month", "unknown type", "no type"])
def test_a_malformed_item_is_tampered(stored, config, name, value):
    with pytest.raises(TamperedItem) as error:
        item_format.decrypt(TOKEN, mangled(stored, name, value), config)
    assert describe(error.value)[1] is ExitCode.INTEGRITY


def test_an_unknown_algorithm_in_the_description_is_tampered(stored, config):
    from dynamodb_encryption_sdk.internal.formatting.material_description import deserialize, serialize

    description = deserialize(stored["*amzn-ddb-map-desc*"])
    description["amzn-ddb-env-alg"] = "HmacSHA256/256"  # the SDK raises NotImplementedError
    with pytest.raises(TamperedItem):
        item_format.decrypt(TOKEN, mangled(stored, "*amzn-ddb-map-desc*", serialize(description)), config)


@pytest.mark.parametrize("not_a_config", [None, object(), "a config"], ids=["None", "object", "str"])
def test_a_config_that_is_not_one_is_a_programming_error_not_tampering(stored, not_a_config):
    with pytest.raises(TypeError) as error:
        item_format.decrypt(TOKEN, stored, not_a_config)
    assert describe(error.value)[1] is ExitCode.INTERNAL


class BrokenMaterials(CryptographicMaterialsProvider):
    """A materials provider with a bug: the kind of error that must reach the log as a bug."""

    def decryption_materials(self, encryption_context):
        return encryption_context.no_such_attribute

    def encryption_materials(self, encryption_context):
        raise NotImplementedError

    def refresh(self):
        pass


def test_a_broken_materials_provider_is_a_programming_error_not_tampering(stored):
    with pytest.raises(AttributeError) as error:
        item_format.decrypt(TOKEN, stored, item_format.crypto_config(BrokenMaterials(), item_format.DEFAULT_TABLE))
    assert not isinstance(error.value, TamperedItem)
    assert describe(error.value)[1] is ExitCode.INTERNAL
