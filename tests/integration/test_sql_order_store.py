"""The SQL order store on SQLite: masked rows, byte-exact validation, keyset paging, search."""

import datetime
import re
import sqlite3

import pytest
from kit import NOW, new_order

from posapp.orders import InvalidOrder, OrderFilter, OrderNotFound, OrderStoreUnavailable
from posapp.orders.sql import SqlOrderStore



@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "data" / "orders.db"


@pytest.fixture
def store(db_path):
    store = SqlOrderStore(f"sqlite:///{db_path}")
    store.provision()
    return store


def test_add_then_get_returns_what_a_receipt_shows(store, db_path):
    order = store.add(new_order(description="two shots"))
    fetched = store.get(order.id)
    assert fetched == order
    assert (fetched.name, fetched.description, str(fetched.amount)) == ("Coffee", "two shots", "3.50 USD")
    assert fetched.card_masked == "VISA •••• 4242"
    assert fetched.created_at == NOW
    assert db_path.stat().st_mode & 0o777 == 0o600


def test_reference_columns_hold_name_description_and_token(store, db_path):
    store.add(new_order(token="tok-1"))
    with sqlite3.connect(db_path) as db:
        row = db.execute("SELECT UserPaymentAccountID, OrderName, Description, AWS_PA_Token "
                         "FROM OrderHistory").fetchone()
    assert row == (1, "Coffee", None, "tok-1")


def test_unknown_order(store):
    with pytest.raises(OrderNotFound, match="there is no order 42"):
        store.get(42)


@pytest.mark.parametrize(("name", "message"), [
    ("é" * 150, "order name is too long: 300 bytes in UTF-8, at most 255"),
    ("", "order name is empty"),
    ("   ", "order name is empty"),
    ("Coffee\x00", "control character (U+0000)"),
    ("Coffee\nTea", "control character (U+000A)"),
    ("\u202eeeffoC", "control character (U+202E)"),
    ("Refund 4000-0566-5566-5556", "order name contains what looks like a card number"),
])
def test_bad_names_are_refused_and_nothing_is_written(store, db_path, name, message):
    store.provision()
    with pytest.raises(InvalidOrder, match=re.escape(message)):
        store.add(new_order(name=name))
    with sqlite3.connect(db_path) as db:
        assert db.execute("SELECT COUNT(*) FROM OrderHistory").fetchone() == (0,)


def test_text_at_the_byte_limit_and_emoji_round_trip(store):
    exact = "é" * 127 + "a"  # 255 bytes
    order = store.add(new_order(name=exact, description="100% _literal_ 'quotes'; DROP TABLE x; -- 👨‍👩‍👧 ☕"))
    fetched = store.get(order.id)
    assert fetched.name == exact
    assert fetched.description == "100% _literal_ 'quotes'; DROP TABLE x; -- 👨‍👩‍👧 ☕"


def test_keyset_pages_are_newest_first_without_gaps_or_duplicates(store):
    ids = [store.add(new_order(name=f"order {i}")).id for i in range(7)]
    seen, before = [], None
    while True:
        page = store.page(before=before, limit=3)
        seen += [order.id for order in page.orders]
        if page.next_before is None:
            break
        store.add(new_order(name="arrives while paging"))  # newer rows never shift older pages
        before = page.next_before
    assert seen == list(reversed(ids))


def test_search_matches_name_or_description_literally(store):
    store.add(new_order(name="Flat white"))
    store.add(new_order(name="Tea", description="100% green"))
    store.add(new_order(name="Espresso"))
    assert [o.name for o in store.page(where=OrderFilter(text="white")).orders] == ["Flat white"]
    assert [o.name for o in store.page(where=OrderFilter(text="GREEN")).orders] == ["Tea"]
    assert [o.name for o in store.page(where=OrderFilter(text="%")).orders] == ["Tea"]
    assert [o.name for o in store.page(where=OrderFilter(text="_")).orders] == []


def test_an_unusable_database_is_unavailable_not_a_traceback(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    store = SqlOrderStore(f"sqlite:///{blocker}/orders.db")
    with pytest.raises(OrderStoreUnavailable, match=r"order history at sqlite:///.* cannot be used"):
        store.provision()


def test_a_store_never_creates_its_database_by_itself(db_path):
    store = SqlOrderStore(f"sqlite:///{db_path}")
    assert store.history_id() is None
    with pytest.raises(OrderStoreUnavailable, match="has no posapp schema: run 'posapp provision'"):
        store.page()
    assert not db_path.exists()
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"")  # truncated to nothing: an empty database, never silently a new history
    assert store.history_id() is None
    with pytest.raises(OrderStoreUnavailable, match="has no posapp schema"):
        store.add(new_order())
    with sqlite3.connect(db_path) as db:
        assert db.execute("SELECT name FROM sqlite_master").fetchall() == []


def test_each_order_history_has_its_own_lasting_identity(store, tmp_path):
    other = SqlOrderStore(f"sqlite:///{tmp_path}/other.db")
    other.provision()
    first = store.history_id()
    assert first and other.history_id() and first != other.history_id()
    store.provision()
    assert store.history_id() == first  # provisioning again keeps it


def test_a_schema_from_a_newer_posapp_is_named_not_a_traceback(store, db_path):
    with sqlite3.connect(db_path) as db:
        db.execute("UPDATE posapp_schema_version SET version_num = '0999'")
    fresh = SqlOrderStore(f"sqlite:///{db_path}")
    for use in (fresh.page, fresh.provision, fresh.history_id):
        with pytest.raises(OrderStoreUnavailable, match="schema revision '0999', which this posapp does not know"):
            use()


def test_orphan_notes_keep_the_first_sighting(store):
    early, late = NOW, NOW + datetime.timedelta(hours=1)
    store.note_orphans(["t1", "t2"], early)
    store.note_orphans(["t2", "t3"], late)
    assert store.orphan_notes(["t1", "t2", "t3", "t4"]) == {"t1": early, "t2": early, "t3": late}
    store.forget_orphans(["t1", "t3"])
    assert store.orphan_notes(["t1", "t2", "t3"]) == {"t2": early}
    assert abs(store.clock() - datetime.datetime.now(datetime.timezone.utc)) < datetime.timedelta(minutes=5)
