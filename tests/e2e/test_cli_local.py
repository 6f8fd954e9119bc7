"""The posapp command in local mode, driven as a cashier's script or an installer would."""

import json
import sqlite3

import pytest
from cardgen import PUBLISHED, random_pan
from kit import cli_sale


@pytest.fixture
def cli(provisioned_posapp):
    return provisioned_posapp


def orders(cli):
    return json.loads(cli("order", "list", "--json").stdout)["orders"]


def vault_item_count(posapp_home):
    with sqlite3.connect(posapp_home / "data" / "vault.db") as db:
        return db.execute("SELECT COUNT(*) FROM vault_items").fetchone()[0]


def test_a_sale_is_listed_and_shown_masked(cli):
    sold = cli_sale(cli, "4242 4242 4242 4242 12/99", "--json", name="Flat white ☕", amount="4.20")
    assert sold.returncode == 0, sold.stderr
    receipt = json.loads(sold.stdout)
    assert receipt["card"] == {"brand": "VISA", "last4": "4242"}
    assert (receipt["amount"], receipt["currency"], receipt["name"]) == ("4.20", "USD", "Flat white ☕")
    assert len(receipt["token"]) == 36

    listed = json.loads(cli("order", "list", "--json").stdout)
    assert listed == {"orders": [receipt], "next_before": None}
    shown = cli("order", "show", str(receipt["order_id"]))
    assert "Card:        VISA •••• 4242" in shown.stdout
    assert json.loads(cli("order", "show", str(receipt["order_id"]), "--json").stdout) == receipt
    text_list = cli("order", "list").stdout
    assert "VISA •••• 4242" in text_list and "$4.20" in text_list and "Flat white ☕" in text_list


@pytest.mark.parametrize(("number", "brand"), PUBLISHED)
def test_published_test_cards_get_their_brand_and_last4(cli, number, brand):
    receipt = json.loads(cli_sale(cli, number, "--json").stdout)
    assert receipt["card"] == {"brand": brand, "last4": number[-4:]}


def test_a_swiped_card_sells_like_a_typed_one(cli):
    number = random_pan("51", 16)
    swipe = f"%B{number}^DOE/JANE^9912101000000000000000000000?;{number}=99121010000000000000?"
    receipt = json.loads(cli_sale(cli, swipe, "--json").stdout)
    assert receipt["card"] == {"brand": "MASTERCARD", "last4": number[-4:]}


@pytest.mark.parametrize(("card_line", "reason"), [
    ("4242 4242 4242 4241", "The card number has a typo"),
    (random_pan("4", 15), "The card number has the wrong number of digits: "
                          "VISA cards have 13, 16 or 19 digits"),
    ("4242 4242 abcd 4242", "This is not a card number"),
    ("", "no card data on standard input"),
    ("4242 4242 4242 4242 01/20", "This card expired in 01/20"),
    ("4242 4242 4242 4242 13/29", "The expiry date is not a month and year written MM/YY"),
    ("9999 9999 9999 9995", "The card number's first digits match no card type this till takes"),
    ("%B4242424242424241^X/Y^2912?", "The card swipe could not be read; swipe again or type the number"),
], ids=["checksum", "wrong-length", "letters", "empty", "expired", "bad-expiry", "unknown-type", "bad-swipe"])
def test_bad_cards_exit_2_with_one_line_and_store_nothing(cli, posapp_home, card_line, reason):
    result = cli_sale(cli, card_line)
    assert (result.returncode, result.stdout, result.stderr) == (2, "", f"posapp: {reason}\n")
    assert orders(cli) == []
    assert vault_item_count(posapp_home) == 0


@pytest.mark.parametrize(("args", "reason"), [
    (["--amount", "-1"], "The amount must be more than zero"),
    (["--amount", "12.345"], "USD amounts have at most 2 decimals"),
    (["--amount", "5", "--currency", "XYZ"], "unknown currency 'XYZ'"),
    (["--name", "é" * 150], "the order name is too long: 300 bytes in UTF-8, at most 255"),
])
def test_bad_order_data_exit_2_and_store_nothing(cli, posapp_home, args, reason):
    base = {"--name": "Coffee", "--amount": "3.50"}
    options = dict(zip(args[::2], args[1::2]))
    argv = [item for key, value in {**base, **options}.items() for item in (key, value)]
    result = cli("order", "new", *argv, "--card-stdin", stdin="4242424242424242\n")
    assert result.returncode == 2
    assert result.stderr.startswith(f"posapp: {reason}") and result.stderr.count("\n") == 1
    assert orders(cli) == [] and vault_item_count(posapp_home) == 0


@pytest.mark.parametrize("field", ["--name", "--description", "--amount", "--currency"])
def test_a_card_typed_into_another_field_is_refused_and_not_echoed(cli, posapp_home, field):
    number = random_pan("4", 16)
    typed = " ".join(number[i:i + 4] for i in range(0, 16, 4))
    options = {"--name": "Coffee", "--amount": "3.50", field: typed}
    argv = [item for pair in options.items() for item in pair]
    result = cli("order", "new", *argv, "--card-stdin", stdin="4242424242424242\n")
    assert result.returncode == 2
    assert number[:12] not in result.stderr.replace(" ", "") and result.stderr.count("\n") == 1
    assert orders(cli) == [] and vault_item_count(posapp_home) == 0


def test_card_is_never_taken_from_argv(cli):
    result = cli("order", "new", "--name", "x", "--amount", "1", "4242424242424242")
    assert result.returncode == 2
    assert "--card-stdin" in result.stderr


def test_paging_with_before(cli):
    ids = [json.loads(cli_sale(cli, "4242424242424242", "--json", name=f"o{i}").stdout)["order_id"] for i in range(5)]
    first = json.loads(cli("order", "list", "--limit", "2", "--json").stdout)
    assert [o["order_id"] for o in first["orders"]] == ids[:2:-1][:2]
    second = json.loads(cli("order", "list", "--limit", "2", "--before", str(first["next_before"]), "--json").stdout)
    assert [o["order_id"] for o in second["orders"]] == [ids[2], ids[1]]
    assert json.loads(cli("order", "list", "--search", "o4", "--json").stdout)["orders"][0]["order_id"] == ids[4]


def test_unknown_order_is_exit_2(cli):
    result = cli("order", "show", "99")
    assert (result.returncode, result.stderr) == (2, "posapp: there is no order 99\n")


def test_tampered_vault_item_is_found_by_verify_all(cli, posapp_home):
    tokens = [json.loads(cli_sale(cli, random_pan("4", 16), "--json").stdout)["token"] for _ in range(3)]
    assert cli("vault", "verify", "--all").stdout.splitlines()[0] == "Checked 3 vault items and 3 orders: all intact."
    with sqlite3.connect(posapp_home / "data" / "vault.db") as db:
        item = json.loads(db.execute("SELECT item FROM vault_items WHERE token = ?", (tokens[1],)).fetchone()[0])
        item["last4"] = {"S": "0000"}
        db.execute("UPDATE vault_items SET item = ? WHERE token = ?", (json.dumps(item), tokens[1]))
    result = cli("vault", "verify", "--all")
    assert result.returncode == 4
    assert result.stderr == f"posapp: vault item {tokens[1]} failed its integrity check (tampered or unreadable)\n"
    assert result.stdout == "Checked 3 vault items and 3 orders: 1 failed.\nKeys: 3 items under local-1.\n"
    assert cli("vault", "verify", tokens[0]).returncode == 0
    assert cli("vault", "verify", "no-such-token").returncode == 2


def test_bad_config_is_one_line_exit_2(posapp, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[vault]\nbackend = "cloud"\n')
    result = posapp("--config", str(bad), "order", "list")
    assert result.returncode == 2
    assert result.stderr == f"posapp: {bad}: [vault] backend: must be one of 'local', 'dynamodb', not 'cloud'\n"


def test_unusable_data_folder_is_exit_3(posapp, posapp_home):
    posapp_home.mkdir()
    (posapp_home / "data").write_text("not a folder")
    result = posapp("order", "new", "--name", "x", "--amount", "1", "--card-stdin", stdin="4242424242424242\n")
    assert result.returncode == 3
    assert "cannot be used" in result.stderr and str(posapp_home / "data") in result.stderr
    assert result.stderr.count("\n") == 1


def test_reconcile_keeps_cards_of_orders_and_reports_counts(cli):
    assert cli_sale(cli, "4242424242424242").returncode == 0
    dry = cli("vault", "reconcile", "--dry-run")
    assert dry.stdout == ("Checked 1 vault item: 1 referenced by orders, 0 newly unreferenced (would be noted), "
                          "0 waiting (for 60 minutes since noted, or for a newer order), would remove 0.\n")
    assert cli("vault", "reconcile", "--grace", "10").returncode == 0
    assert cli("vault", "verify", "--all").stdout.splitlines()[0] == "Checked 1 vault item and 1 order: all intact."


def test_version_is_printed_on_stdout(posapp):
    from importlib.metadata import version

    result = posapp("--version")
    assert (result.returncode, result.stdout, result.stderr) == (0, f"posapp {version('posapp')}\n", "")


def test_a_forged_expiry_fails_verify_with_exit_4(cli, posapp_home):
    tokens = [json.loads(cli_sale(cli, random_pan("4", 16), "--json").stdout)["token"] for _ in range(2)]
    with sqlite3.connect(posapp_home / "data" / "vault.db") as db:
        item = json.loads(db.execute("SELECT item FROM vault_items WHERE token = ?", (tokens[0],)).fetchone()[0])
        item["expires_at"] = {"N": "1700000000"}  # the TTL attribute: DynamoDB would delete the card
        db.execute("UPDATE vault_items SET item = ? WHERE token = ?", (json.dumps(item), tokens[0]))
    result = cli("vault", "verify", "--all")
    assert result.returncode == 4
    assert result.stderr == f"posapp: vault item {tokens[0]} failed its integrity check (tampered or unreadable)\n"
    assert cli("vault", "verify", tokens[1]).returncode == 0


def test_an_order_whose_card_is_missing_from_the_vault_fails_verify_with_exit_4(cli, posapp_home):
    sold = [json.loads(cli_sale(cli, random_pan("4", 16), "--json").stdout) for _ in range(3)]
    victim = sold[1]
    with sqlite3.connect(posapp_home / "data" / "vault.db") as db:
        db.execute("DELETE FROM vault_items WHERE token = ?", (victim["token"],))
    result = cli("vault", "verify", "--all")
    assert result.returncode == 4
    assert result.stderr == (f"posapp: order {victim['order_id']}: its card (token {victim['token']}) "
                             "is missing from the vault\n")
    assert result.stdout == "Checked 2 vault items and 3 orders: 1 failed.\nKeys: 2 items under local-1.\n"
    assert cli("vault", "verify", sold[0]["token"], sold[2]["token"]).returncode == 0


def test_verify_skips_adopted_orders_without_a_recorded_card(cli, posapp_home):
    assert cli_sale(cli, random_pan("4", 16)).returncode == 0
    with sqlite3.connect(posapp_home / "data" / "orders.db") as db:  # a row of the reference design
        db.execute("INSERT INTO OrderHistory (OrderName, AWS_PA_Token) VALUES ('legacy', 'legacy-token-1')")
    result = cli("vault", "verify", "--all")
    assert (result.returncode, result.stdout, result.stderr) == (
        0, "Checked 1 vault item and 1 order: all intact.\nKeys: 1 item under local-1.\n", "")


def test_a_sale_is_in_the_till_s_currency_unless_the_command_names_another(cli, posapp_home):
    (posapp_home / "posapp.toml").write_text('[merchant]\ncurrency = "EUR"\n')
    assert json.loads(cli_sale(cli, "4242 4242 4242 4242", "--json").stdout)["currency"] == "EUR"
    assert json.loads(cli_sale(cli, "4242 4242 4242 4242", "--json", "--currency", "GBP").stdout)["currency"] == "GBP"


@pytest.mark.parametrize("name_args", [[], ["--name", ""], ["--name", "   "]], ids=["no-name", "empty", "blank"])
def test_a_sale_without_a_name_is_recorded_as_sale(cli, name_args):
    sold = cli("order", "new", *name_args, "--amount", "2.80", "--card-stdin", "--json",
               stdin=random_pan("4", 16) + " 12/30\n")
    assert sold.returncode == 0, sold.stderr
    assert json.loads(sold.stdout)["name"] == "Sale"
    assert [order["name"] for order in orders(cli)] == ["Sale"]
