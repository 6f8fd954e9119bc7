"""Sealed materials on the local vault: a registered till seals each card for the back office key
kept on the same workstation, which is its own back office and reads them; items a registered
till did not sign as they stand are refused, naming the till."""

import datetime
import json
import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from kit import NOW, card

from posapp import till_registration
from posapp.vault import sealing, till_secrets
from posapp.errors import InvalidInput
from posapp.vault.base import TamperedItem
from posapp.vault.local import LocalVault
from posapp.vault.local_keys import KeysLost, KeysMismatch
from posapp.vault.till_registry import TillNotTrusted
from posapp.vault.till_secrets import NoTillKey, TillSecrets

SEALED = "sealed:local"


class Workstation:
    """One local vault folder: its administrator (local keys) registers tills that seal cards in it."""

    def __init__(self, folder):
        self.folder = folder
        self.admin = self.vault()
        self.admin.provision()

    def vault(self, sealed_by: str | None = None) -> LocalVault:
        """The vault, with local keys, or with sealed materials signed by till ``sealed_by``."""
        sealed = None if sealed_by is None else (lambda: till_secrets.load(sealed_by, self.till_key_file(sealed_by)))
        return LocalVault(self.folder / "vault.db", self.folder / "keys" / "local-vault.key",
                          workstation=sealed_by or "admin", sealed=sealed)

    def register(self, till_id: str, *, publish: bool = True) -> LocalVault:
        """The sealed vault of ``till_id`` once 'posapp till register' ran (``publish`` False: its key
        is kept but never reached the registry)."""
        if publish:
            till_registration.register(self.admin, till_id, self.till_key_file(till_id), audit_key=None,
                                       clock=lambda: NOW)
        else:
            till_secrets.store(TillSecrets(till_id, sealing.new_till_key(), None), self.till_key_file(till_id))
        return self.vault(till_id)

    def till_key_file(self, till_id: str):
        return self.folder / till_id / "till-signing.key"

    @property
    def back_office_key_file(self):
        return self.folder / "keys" / "back-office.key"

    def raw(self, token: str) -> dict:
        with sqlite3.connect(self.folder / "vault.db") as db:
            return json.loads(db.execute("SELECT item FROM vault_items WHERE token = ?", (token,)).fetchone()[0])

    def put_raw(self, token: str, item: dict) -> None:
        with sqlite3.connect(self.folder / "vault.db") as db:
            db.execute("UPDATE vault_items SET item = ? WHERE token = ?", (json.dumps(item), token))


@pytest.fixture
def shop(tmp_path):
    return Workstation(tmp_path)


def test_a_registered_till_seals_cards_that_this_workstation_reads_back(shop):
    till = shop.register("till-01")
    cards = [card() for _ in range(4)]
    tokens = [till.tokenize(each) for each in cards]
    assert [till.card(token) for token in tokens] == cards
    assert [shop.vault().card(token) for token in tokens] == cards  # the local keys' vault reads them too
    assert {till.entry(token).key_version for token in tokens} == {SEALED}
    # The back office key was made on first need, beside the local keys (no keyring keeps secrets here).
    assert shop.back_office_key_file.stat().st_mode & 0o777 == 0o600
    round_trip = dict(till.checks())["encryption round trip"]()
    assert round_trip.startswith("an item was sealed by till till-01 and opened with the back office key kept on "
                                 "this workstation")


def test_the_back_office_key_goes_to_a_keyring_that_keeps_secrets(shop, memory_keyring, keyring_counts_as_persistent):
    token = shop.register("till-01").tokenize(card())
    assert not shop.back_office_key_file.exists()
    assert [name for _service, name in memory_keyring.secrets if name.startswith("local-back-office-key:")]
    assert shop.vault().detokenize(token)


def test_a_till_that_holds_no_signing_key_stores_nothing(shop):
    with pytest.raises(NoTillKey, match="holds no till signing key: an administrator runs 'posapp till "
                                        "register' on it"):
        shop.vault("till-05").tokenize(card())
    assert list(shop.admin.entries()) == []


def test_an_item_of_a_till_that_was_never_registered_is_refused(shop):
    with pytest.raises(TillNotTrusted, match="till-09's signing key sha256:[0-9a-f]{32} is not registered"):
        shop.register("till-09", publish=False).tokenize(card())  # a till takes no card back office would refuse
    token = shop.register("till-08").tokenize(card())
    with sqlite3.connect(shop.folder / "vault.db") as db:  # as if it had signed with a key of its own making
        db.execute("DELETE FROM vault_tills WHERE till_id = 'till-08'")
    with pytest.raises(TamperedItem, match=f"{token} .*signed by till till-08, which is not registered"):
        shop.vault().verify(token)


def test_every_item_of_a_revoked_till_is_refused(shop):
    till = shop.register("till-02")
    tokens = [till.tokenize(card()) for _ in range(2)]
    till_registration.revoke(shop.admin, "till-02", lambda: NOW + datetime.timedelta(hours=1))
    for token in tokens:
        with pytest.raises(TamperedItem, match=f"{token} .*signed by till till-02, whose key was revoked"):
            shop.vault("till-02").verify(token)


# One workstation for every example: each example stores and changes an item of its own.
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(["brand", "last4", "created_at", "workstation", "origin", "exp_month", "key_version",
                             "expires_at", "added"]),
       value=st.integers(min_value=0, max_value=10**6))
def test_an_item_whose_signed_attribute_changed_is_refused(shop, name, value):
    till = shop.register("till-03")
    token = till.tokenize(card())
    changed = shop.raw(token)
    changed[name] = {"N": str(value)} if name in ("exp_month", "expires_at") else {"S": f"{value}"}
    shop.put_raw(token, changed)
    with pytest.raises(TamperedItem, match=f"{token} .*till till-03"):
        till.verify(token)


def test_a_signature_copied_from_another_tills_item_is_refused(shop):
    first, second = shop.register("till-03"), shop.register("till-04")
    mine, theirs = first.tokenize(card()), second.tokenize(card())
    forged = shop.raw(mine)
    forged["*amzn-ddb-map-sig*"] = shop.raw(theirs)["*amzn-ddb-map-sig*"]
    shop.put_raw(mine, forged)
    with pytest.raises(TamperedItem, match="signature is not that of till till-03's key"):
        shop.vault().verify(mine)
    whole = shop.raw(theirs)  # another till's whole item, under this item's token
    whole["token"] = {"S": mine}
    shop.put_raw(mine, whole)
    with pytest.raises(TamperedItem, match=mine):
        shop.vault().verify(mine)
    assert shop.vault().detokenize(theirs)  # the other till's own item is still fine


def test_a_vault_that_switches_to_sealed_materials_and_back_reads_every_card(shop):
    before = [card() for _ in range(3)]
    old = [shop.admin.tokenize(each) for each in before]
    sealed = shop.register("till-01")
    after = [card() for _ in range(3)]
    new = [sealed.tokenize(each) for each in after]
    for vault in (sealed, shop.vault()):
        assert [vault.card(token) for token in old + new] == before + after
    assert [shop.admin.entry(token).key_version for token in old + new] == ["local-1"] * 3 + [SEALED] * 3
    assert shop.vault().entry(shop.vault().tokenize(card())).key_version == "local-1"


def test_a_lost_back_office_key_is_never_replaced_while_cards_are_sealed_for_it(shop):
    till = shop.register("till-01")
    tokens = [till.tokenize(card()) for _ in range(2)]
    shop.back_office_key_file.unlink()
    lost = "back office key of the local card vault .* missing .* and 2 stored cards are sealed for it"
    with pytest.raises(KeysLost, match=lost):
        shop.vault("till-01").tokenize(card())
    with pytest.raises(KeysLost, match=lost):
        shop.vault().card(tokens[0])
    assert not shop.back_office_key_file.exists()
    assert len(list(shop.admin.entries())) == 2  # nothing was stored


def test_a_back_office_key_of_another_vault_is_refused(shop, tmp_path_factory):
    shop.register("till-01").tokenize(card())
    other = Workstation(tmp_path_factory.mktemp("other"))
    other.register("till-01").tokenize(card())
    other.back_office_key_file.write_bytes(shop.back_office_key_file.read_bytes())
    with pytest.raises(KeysMismatch, match="do not belong to card vault"):
        other.vault("till-01").tokenize(card())


def test_rekey_refuses_a_vault_that_holds_sealed_cards_and_changes_nothing(shop):
    sealed = shop.register("till-01")
    token = sealed.tokenize(card())
    stored = shop.raw(token)
    for vault in (sealed, shop.vault()):
        with pytest.raises(InvalidInput, match="holds cards sealed for its back office key"):
            vault.rekey(None, lambda _report: None)
    assert shop.raw(token) == stored and shop.vault().detokenize(token)
    assert shop.vault().entry(shop.vault().tokenize(card())).key_version == "local-1"
