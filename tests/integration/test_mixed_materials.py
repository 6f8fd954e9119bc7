"""A DynamoDB vault whose items come from both kinds of materials (moto in process): tills on cached
materials beside a back office on direct ones, or a vault whose ``materials`` setting changed."""

import pytest
from awstest import create_kms_key
from kit import DynamoDbPlace, card, dynamodb_vault

from posapp.vault import TamperedItem


@pytest.fixture
def both(key_arn):
    """(cached vault, direct vault, place) on one table; the cached place provisions its meta table."""
    place = DynamoDbPlace(key_arn, "cached")
    cached, clients = dynamodb_vault(place, workstation="till-01")
    direct = DynamoDbPlace(key_arn, "direct", table=place.table).vault(clients, workstation="backoffice")
    return cached, direct, clients, place


def test_every_workstation_reads_and_verifies_the_cards_of_the_other_materials(both):
    cached, direct, _, _ = both
    cards = {"cached": card(), "direct": card()}
    tokens = {"cached": cached.tokenize(cards["cached"]), "direct": direct.tokenize(cards["direct"])}
    for reader in (cached, direct):
        for kind, token in tokens.items():
            assert reader.card(token) == cards[kind]
            reader.verify(token)


@pytest.mark.parametrize("written_by", ["cached", "direct"])
def test_a_changed_item_of_the_other_materials_is_still_caught(both, written_by):
    cached, direct, clients, place = both
    writer, reader = (cached, direct) if written_by == "cached" else (direct, cached)
    token = writer.tokenize(card())
    item = clients.dynamodb.get_item(TableName=place.table, Key={"token": {"S": token}})["Item"]
    item["last4"] = {"S": "0000"}
    clients.dynamodb.put_item(TableName=place.table, Item=item)
    with pytest.raises(TamperedItem):
        reader.verify(token)


@pytest.mark.parametrize("rekeyed_by", ["cached", "direct"])
def test_a_rekey_moves_the_cards_of_both_materials_to_the_new_key(both, rekeyed_by):
    cached, direct, _, _ = both
    sold = {cached.tokenize(c): c for c in (card() for _ in range(3))}
    sold.update({direct.tokenize(c): c for c in (card() for _ in range(3))})
    report = (cached if rekeyed_by == "cached" else direct).rekey(create_kms_key(), lambda report: None)
    assert report.tampered == [] and report.rekeyed == 6 and report.done
    for reader in (cached, direct):
        assert {token: reader.card(token) for token in sold} == sold
