"""The posapp command with order history in MariaDB: provision, adopt, sell, refuse, fail."""

import json
import sqlite3

import pytest
from kit import cli_sale
from awstest import free_port
from mariadbtest import POS_PASSWORD


@pytest.fixture
def mysql_cli(posapp, tmp_path, mysql_db):
    config = tmp_path / "posapp.toml"
    config.write_text(f'[workstation]\nid = "till-07"\n\n[orders]\nurl = "{mysql_db.url}"\n')

    def run(*args, stdin=None, password=POS_PASSWORD, config=config, env_home=None):
        env = {"POSAPP_ORDERS_PASSWORD": password} if password else {}
        if env_home is not None:  # another till: a folder of its own
            env["POSAPP_HOME"] = str(env_home)
        return posapp("--config", str(config), *args, stdin=stdin, env=env)

    return run


def sell(cli, name="Coffee", key=None, **kwargs):
    options = ["--idempotency-key", key] if key else []
    return cli_sale(cli, "4242 4242 4242 4242", "--json", *options, name=name, **kwargs)


def test_provision_then_sell_list_and_show(mysql_cli):
    assert mysql_cli("provision").returncode == 0
    sold = sell(mysql_cli, name="Émincé 🍲")
    assert sold.returncode == 0, sold.stderr
    receipt = json.loads(sold.stdout)
    assert receipt["workstation"] == "till-07" and receipt["card"] == {"brand": "VISA", "last4": "4242"}
    listed = json.loads(mysql_cli("order", "list", "--json", "--last4", "4242", "--brand", "visa").stdout)
    assert listed["orders"] == [receipt]
    assert json.loads(mysql_cli("order", "show", str(receipt["order_id"]), "--json").stdout) == receipt
    assert mysql_cli("provision").returncode == 0  # twice is harmless


def test_an_adopted_reference_table_keeps_its_rows_listed(mysql_cli, mariadb, mysql_db):
    mariadb.execute("CREATE TABLE OrderHistory ( UserPaymentAccountID INT NOT NULL AUTO_INCREMENT, "
                    "OrderName TINYTEXT, Description TINYTEXT, AWS_PA_Token TINYTEXT, "
                    "PRIMARY KEY (UserPaymentAccountID) )", database=mysql_db.name)
    mariadb.execute("INSERT INTO OrderHistory (OrderName, AWS_PA_Token) VALUES ('Legacy order', 'tok')",
                    database=mysql_db.name)
    assert mysql_cli("provision").returncode == 0
    assert sell(mysql_cli).returncode == 0
    text = mysql_cli("order", "list").stdout
    assert "Legacy order" in text and "card unknown" in text and "VISA •••• 4242" in text


def test_a_name_too_long_in_bytes_exits_2_and_stores_nothing(mysql_cli):
    assert mysql_cli("provision").returncode == 0
    result = sell(mysql_cli, name="ü" * 150)
    assert (result.returncode, result.stderr) == (
        2, "posapp: the order name is too long: 300 bytes in UTF-8, at most 255 (accented letters take 2 bytes, "
           "emoji 4)\n")
    assert json.loads(mysql_cli("order", "list", "--json").stdout)["orders"] == []


def test_wrong_password_is_one_line_exit_2(mysql_cli, mysql_db):
    assert mysql_cli("provision").returncode == 0
    result = mysql_cli("order", "list", password="not-the-password")
    assert result.returncode == 2
    assert result.stderr == (f"posapp: the order database refused user 'pos' on database {mysql_db.name!r}: check "
                             "the database name, the user's rights on it and its password (posapp setup keeps it in "
                             "the system keyring; or set POSAPP_ORDERS_PASSWORD)\n")
    assert "not-the-password" not in result.stderr


def test_an_unreachable_server_is_one_line_exit_3(mysql_cli, tmp_path, mysql_db):
    config = tmp_path / "dead.toml"
    config.write_text(f'[orders]\nurl = "mysql+pymysql://pos@127.0.0.1:{free_port()}/{mysql_db.name}"\n')
    result = mysql_cli("order", "list", config=config)
    assert result.returncode == 3
    assert result.stderr.startswith("posapp: order history at mysql+pymysql://pos@127.0.0.1:")
    assert "cannot be reached" in result.stderr and result.stderr.count("\n") == 1


def test_a_database_not_provisioned_says_what_to_do(mysql_cli):
    result = sell(mysql_cli)
    assert result.returncode == 3
    assert result.stderr.endswith("has no posapp schema: run 'posapp provision' (if it held orders, restore it "
                                  "from a backup instead)\n")


def local_vault_items(posapp_home):
    vault = posapp_home / "data" / "vault.db"
    if not vault.exists():
        return 0
    with sqlite3.connect(vault) as db:
        return db.execute("SELECT COUNT(*) FROM vault_items").fetchone()[0]


def test_database_unreachable_leaves_no_card_behind(mysql_cli, tmp_path, mysql_db, posapp_home):
    config = tmp_path / "dead.toml"
    config.write_text(f'[orders]\nurl = "mysql+pymysql://pos@127.0.0.1:{free_port()}/{mysql_db.name}"\n')
    result = sell(mysql_cli, config=config)
    assert result.returncode == 3 and "Traceback" not in result.stderr
    assert local_vault_items(posapp_home) == 0


def test_a_retry_with_the_same_idempotency_key_records_one_order(mysql_cli, posapp_home):
    assert mysql_cli("provision").returncode == 0
    first = sell(mysql_cli, name="Retry me", key="till-07-sale-0042")
    again = sell(mysql_cli, name="Retry me", key="till-07-sale-0042")
    assert first.returncode == again.returncode == 0
    assert json.loads(first.stdout) == json.loads(again.stdout)
    assert len(json.loads(mysql_cli("order", "list", "--json").stdout)["orders"]) == 1
    assert local_vault_items(posapp_home) == 1


def test_keys_that_differ_only_in_case_are_two_sales(mysql_cli, posapp_home):
    # MariaDB's collation took the second key for the first: exit 0, the first order, nothing recorded.
    assert mysql_cli("provision").returncode == 0
    first = sell(mysql_cli, key="kX9fQ2-a")
    second = sell(mysql_cli, key="Kx9Fq2-A")
    assert first.returncode == second.returncode == 0, second.stderr
    assert json.loads(first.stdout)["order_id"] != json.loads(second.stdout)["order_id"]
    listed = json.loads(mysql_cli("order", "list", "--json").stdout)["orders"]
    assert [order["idempotency_key"] for order in listed] == ["Kx9Fq2-A", "kX9fQ2-a"]
    assert local_vault_items(posapp_home) == 2


def test_search_ignores_case_and_accents(mysql_cli):
    assert mysql_cli("provision").returncode == 0
    for name in ("Café crème", "Straße 5", "Tea"):
        assert sell(mysql_cli, name=name).returncode == 0
    for text, found in (("CAFE CREME", ["Café crème"]), ("strasse", ["Straße 5"]), ("ß", ["Straße 5"])):
        listed = json.loads(mysql_cli("order", "list", "--json", "--search", text).stdout)["orders"]
        assert [order["name"] for order in listed] == found


def test_tills_with_vaults_of_their_own_share_one_order_history(mysql_cli, tmp_path, mysql_db):
    """Each till's local vault holds only its own sales' cards: verify and reconcile look at those."""
    other_home = tmp_path / "till-08-home"
    other = tmp_path / "till-08.toml"
    other.write_text(f'[workstation]\nid = "till-08"\n\n[orders]\nurl = "{mysql_db.url}"\n')

    def till_08(*args, **options):
        return mysql_cli(*args, config=other, env_home=other_home, **options)

    assert mysql_cli("provision").returncode == 0
    assert sell(mysql_cli).returncode == 0
    assert till_08("provision").returncode == 0
    assert sell(till_08).returncode == 0
    for till in (mysql_cli, till_08):
        verified = till("vault", "verify", "--all")
        assert (verified.returncode, verified.stdout.splitlines()[0]) == (0, "Checked 1 vault item and 1 order: all intact.")
        assert till("vault", "reconcile").returncode == 0
