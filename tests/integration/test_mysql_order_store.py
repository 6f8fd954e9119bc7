"""Order history on a real MariaDB: adoption, fresh install, paging, text, failures."""

import datetime
import threading

import kit
import pytest
from kit import NOW, order_store
from awstest import free_port
from mariadbtest import POS_PASSWORD, Database
from sqlalchemy import event

from posapp.card import Brand
from posapp.orders import InvalidOrder, OrderFilter, OrderStoreUnavailable
from posapp.orders.db_errors import OrderStoreLoginRefused
from posapp.orders.sql import SqlOrderStore, Tls

REFERENCE_TABLE = """CREATE TABLE OrderHistory ( UserPaymentAccountID INT NOT NULL AUTO_INCREMENT,
  OrderName TINYTEXT, Description TINYTEXT, AWS_PA_Token TINYTEXT,
  PRIMARY KEY (UserPaymentAccountID) )"""


def store_for(database, password=POS_PASSWORD):
    return order_store(database.url, password)


@pytest.fixture
def store(mysql_db):
    store = store_for(mysql_db)
    store.provision()
    return store


def new_order(name="Coffee", description=None, **changes):
    """An order (tests/kit.py) taken by operator alice."""
    return kit.new_order(name, description, **{"operator": "alice", **changes})


def schema(mariadb, database):
    columns = mariadb.execute(
        "SELECT COLUMN_NAME, COLUMN_TYPE, CHARACTER_SET_NAME, IS_NULLABLE FROM information_schema.COLUMNS "
        "WHERE TABLE_SCHEMA = %s AND TABLE_NAME = 'OrderHistory' ORDER BY ORDINAL_POSITION", database.name)
    indexes = mariadb.execute(
        "SELECT INDEX_NAME, NON_UNIQUE, GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX) FROM "
        "information_schema.STATISTICS WHERE TABLE_SCHEMA = %s AND TABLE_NAME = 'OrderHistory' "
        "GROUP BY INDEX_NAME, NON_UNIQUE ORDER BY INDEX_NAME", database.name)
    return columns, indexes


def test_fresh_install_has_the_reference_columns_and_posapps(mariadb, mysql_db, store):
    columns, indexes = schema(mariadb, mysql_db)
    assert [c[0] for c in columns] == [
        "UserPaymentAccountID", "OrderName", "Description", "AWS_PA_Token", "amount_minor", "currency",
        "card_brand", "card_last4", "created_at", "workstation", "operator", "status", "idempotency_key",
        "name_search", "description_search", "processor", "payment_reference", "authorization_code",
        "decline_code", "captured_minor", "refunded_minor", "card_expires_at"]
    assert {c[0]: c[1] for c in columns}["OrderName"] == "tinytext"
    assert {c[0]: c[2] for c in columns}["OrderName"] == "utf8mb4"
    assert ("uq_OrderHistory_idempotency_key", 0, "idempotency_key") in indexes
    assert {index[0] for index in indexes} >= {"PRIMARY", "ix_OrderHistory_day", "ix_OrderHistory_card_last4",
                                              "ix_OrderHistory_token", "ix_OrderHistory_workstation",
                                              "ix_OrderHistory_status"}
    order = store.add(new_order())
    assert store.get(order.id) == order
    assert (order.operator, order.status) == ("alice", "recorded")


def test_a_reference_table_with_rows_is_adopted_in_place(mariadb, mysql_db, mariadb_second_db):
    mariadb.execute(REFERENCE_TABLE, database=mysql_db.name)
    for name, token in [("Crème brûlée", "legacy-token-1"), ("Order 2", "legacy-token-2")]:
        mariadb.execute("INSERT INTO OrderHistory (OrderName, Description, AWS_PA_Token) VALUES (%s, 'old', %s)",
                        name, token, database=mysql_db.name)
    store = store_for(mysql_db)
    store.provision()

    legacy = store.page().orders
    assert [(o.id, o.name, o.token, o.card_masked, o.amount) for o in legacy] == [
        (2, "Order 2", "legacy-token-2", "card unknown", None),
        (1, "Crème brûlée", "legacy-token-1", "card unknown", None)]
    added = store.add(new_order(name="Flat white ☕ 👨‍👩‍👧"))
    assert added.id == 3 and store.get(3).name == "Flat white ☕ 👨‍👩‍👧"

    fresh = store_for(mariadb_second_db)
    fresh.provision()
    assert schema(mariadb, mysql_db) == schema(mariadb, mariadb_second_db)


@pytest.fixture
def mariadb_second_db(mariadb):
    name = "posapp_second"
    mariadb.execute(f"CREATE DATABASE `{name}`")
    yield Database(name, f"mysql+pymysql://pos@127.0.0.1:{mariadb.port}/{name}")
    mariadb.execute(f"DROP DATABASE `{name}`")


def test_provision_twice_changes_nothing(mariadb, mysql_db, store):
    store.add(new_order())
    before = schema(mariadb, mysql_db), mariadb.execute("SELECT * FROM posapp_schema_version", database=mysql_db.name)
    store_for(mysql_db).provision()
    after = schema(mariadb, mysql_db), mariadb.execute("SELECT * FROM posapp_schema_version", database=mysql_db.name)
    assert before == after
    assert len(store.page().orders) == 1


def test_a_database_not_provisioned_says_so(mysql_db):
    with pytest.raises(OrderStoreUnavailable, match="has no posapp schema: run 'posapp provision'"):
        store_for(mysql_db).page()


def test_paging_stays_exact_while_orders_arrive(store):
    ids = [store.add(new_order(name=f"order {i}")).id for i in range(120)]
    seen, before = [], None
    while True:
        page = store.page(before=before, limit=25)
        seen += [order.id for order in page.orders]
        if page.next_before is None:
            break
        for _ in range(3):
            store.add(new_order(name="arrived while paging"))
        before = page.next_before
    assert seen == sorted(ids, reverse=True)


def test_metacharacters_and_emoji_round_trip_literally(store):
    tricky = ["100% _off_", "O'Brien; DROP TABLE OrderHistory; --", "back\\slash \"quoted\"", "日本語のメニュー",
              "👨‍👩‍👧 family ☕"]
    for name in tricky:
        order = store.add(new_order(name=name, description=name))
        assert (store.get(order.id).name, store.get(order.id).description) == (name, name)
    assert [o.name for o in store.page(where=OrderFilter(text="%")).orders] == ["100% _off_"]
    assert [o.name for o in store.page(where=OrderFilter(text="_off_")).orders] == ["100% _off_"]
    assert [o.name for o in store.page(where=OrderFilter(text="\\")).orders] == ["back\\slash \"quoted\""]


def test_a_name_too_long_in_bytes_is_refused_and_nothing_is_written(mariadb, mysql_db, store):
    with pytest.raises(InvalidOrder, match="300 bytes in UTF-8, at most 255"):
        store.add(new_order(name="é" * 150))
    assert mariadb.execute("SELECT COUNT(*) FROM OrderHistory", database=mysql_db.name) == ((0,),)
    exact = "é" * 127 + "x"  # 255 bytes fits exactly
    assert store.get(store.add(new_order(name=exact)).id).name == exact


def test_filters(store):
    day = datetime.timedelta(days=1)
    store.add(new_order(name="a", created_at=NOW - 2 * day, card_last4="1111", card_brand=Brand.AMEX))
    store.add(new_order(name="b", created_at=NOW - day, workstation="till-02"))
    store.add(new_order(name="c", created_at=NOW))

    def names(**criteria):
        return [order.name for order in store.page(where=OrderFilter(**criteria)).orders]

    assert names(since=NOW - day) == ["c", "b"]
    assert names(until=NOW - day) == ["a"]
    assert names(since=NOW - day, until=NOW) == ["b"]
    assert names(last4="1111") == ["a"]
    assert names(brand=Brand.VISA) == ["c", "b"]
    assert names(workstation="till-02") == ["b"]
    assert names(brand=Brand.AMEX, workstation="till-02") == []


def test_wrong_password_is_a_login_problem(store, mysql_db):
    with pytest.raises(OrderStoreLoginRefused, match="refused user 'pos' on database '.*': check the database name, the user's rights on it and its password"):
        store_for(mysql_db, password="wrong").page()


def test_an_unreachable_server_is_unavailable(mysql_db):
    url = f"mysql+pymysql://pos@127.0.0.1:{free_port()}/{mysql_db.name}"
    with pytest.raises(OrderStoreUnavailable, match="cannot be reached"):
        SqlOrderStore(url, password=lambda: POS_PASSWORD).page()


def test_a_connection_lost_mid_query_is_unavailable(mariadb, store):
    store.add(new_order())
    killed = threading.Event()

    def kill_own_connection(connection, cursor, statement, parameters, context, executemany):
        if "FROM `OrderHistory`" in statement and not killed.is_set():
            killed.set()
            mariadb.execute(f"KILL {connection.connection.thread_id()}")

    event.listen(store._engine, "before_cursor_execute", kill_own_connection)
    with pytest.raises(OrderStoreUnavailable, match="connection to order history at .* was lost$"):
        store.page()
    event.remove(store._engine, "before_cursor_execute", kill_own_connection)
    assert len(store.page().orders) == 1  # the pool recovers by itself


def test_tls_settings_turn_on_certificate_and_host_checks():
    assert Tls().connect_args() == {}
    assert Tls(ca="/ca.pem").connect_args() == {"ssl_ca": "/ca.pem", "ssl_verify_cert": True,
                                                "ssl_verify_identity": True}
    assert Tls(ca="/ca.pem", cert="/c.pem", key="/k.pem").connect_args()["ssl_key"] == "/k.pem"


def test_a_connection_given_back_inside_a_transaction_is_rolled_back(store, mysql_db):
    """The pool rolls back only a connection whose transaction is still open (posapp/orders/engine.py):
    one given back inside a transaction must not answer the next page from its old snapshot."""
    store.add(new_order(name="first"))
    raw = store._engine.raw_connection()
    with raw.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM OrderHistory")  # REPEATABLE READ: the snapshot is taken here
    raw.close()  # back to the pool with the transaction open
    store_for(mysql_db).add(new_order(name="second"))  # another till
    assert [order.name for order in store.page().orders] == ["second", "first"]
