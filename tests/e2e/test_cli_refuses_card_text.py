"""Card numbers typed where text goes, through the posapp command: refused, never echoed or stored.

Each card number is written as the issue found them slipping through (dots, NBSP, zero-width
spaces) and in full-width and Arabic-Indic digits. Everything printed is scanned for its
digits in any form (tests/leakscan.py).
"""

import json
import sqlite3

import pytest
from kit import cli_sale
from cardgen import random_pan
from leakscan import digits_of, find_leaks

FORMS = {
    "dots": lambda pan: ".".join(pan[i:i + 4] for i in range(0, len(pan), 4)),
    "nbsp": lambda pan: "\u00a0".join(pan[i:i + 4] for i in range(0, len(pan), 4)),
    "zero-width": lambda pan: "\u200b".join(pan),
    "full-width": lambda pan: " ".join(pan[i:i + 4] for i in range(0, len(pan), 4)).translate(
        str.maketrans("0123456789", "０１２３４５６７８９")),
    "arabic-indic": lambda pan: pan.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")),
    "spaced dashes": lambda pan: " - ".join(pan[i:i + 4] for i in range(0, len(pan), 4)),
}


@pytest.fixture
def cli(provisioned_posapp):
    return provisioned_posapp


def sell(cli, *args, name="Coffee"):
    return cli_sale(cli, "4242 4242 4242 4242 12/99", *args, name=name)


def no_orders(cli):
    return json.loads(cli("order", "list", "--json").stdout)["orders"] == []


def each_with_a_form(values):
    """Each value paired with one of the forms in turn: every form is tried, each subprocess costs a second."""
    forms = list(FORMS)
    return [(value, forms[index % len(forms)]) for index, value in enumerate(values)]


@pytest.mark.parametrize(("option", "form"), each_with_a_form(["--name", "--description", "--idempotency-key"] * 2))
def test_a_card_number_in_a_sale_s_text_is_refused_and_nothing_is_recorded(cli, option, form):
    pan = random_pan("4", 16)
    args = [option, f"card {FORMS[form](pan)}"]
    done = sell(cli, *args) if option != "--name" else sell(cli, name=args[1])
    assert done.returncode == 2, done.stderr
    assert "looks like a card number" in done.stderr and done.stderr.count("\n") == 1
    assert find_leaks([pan], [], done.stdout + done.stderr) == []
    assert no_orders(cli)


@pytest.mark.parametrize(("option", "form"), each_with_a_form(["--search", "--workstation"] * 3))
def test_a_search_for_a_card_number_is_refused_before_the_database_sees_it(cli, option, form):
    pan = random_pan("5", 16)
    done = cli("order", "list", option, FORMS[form](pan))
    assert done.returncode == 2 and "card number" in done.stderr
    assert find_leaks([pan], [], done.stdout + done.stderr) == []


@pytest.mark.parametrize(("args", "form"), each_with_a_form([
    ["order", "show", "{}"], ["order", "show", "1", "{}"], ["order", "list", "--brand", "{}"],
    ["order", "list", "--limit", "{}"], ["order", "list", "--before", "{}"], ["order", "list", "--since", "{}"],
    ["--{}"], ["order", "{}"], ["vault", "verify", "{}"], ["order", "new", "--amount", "{}"],
    ["order", "new", "--name", "x", "--amount", "1", "--currency", "{}", "--card-stdin"],
    ["vault", "reconcile", "--grace", "{}"]]))
def test_a_card_number_where_a_value_is_expected_is_never_echoed(cli, args, form):
    pan = random_pan("4", 16)
    done = cli(*[arg.format(FORMS[form](pan)) for arg in args])
    assert done.returncode != 0
    assert find_leaks([pan], [], done.stdout + done.stderr) == []


def test_the_issue_s_order_id_example_is_not_echoed(cli):
    done = cli("order", "show", "4683 2546 4211 1164")
    assert done.returncode == 2 and "4683" not in done.stderr


@pytest.mark.parametrize("form", ["dots", "zero-width", "full-width"])
def test_a_card_number_in_a_settings_file_is_refused_and_not_repeated(cli, posapp_home, form):
    pan = random_pan("4", 16)
    (posapp_home / "posapp.toml").write_text(f'[workstation]\nid = "{FORMS[form](pan)}"\n', encoding="utf-8")
    done = cli("order", "list")
    assert done.returncode == 2 and "[workstation] id: looks like a card number" in done.stderr, done.stderr
    assert find_leaks([pan], [], done.stdout + done.stderr) == []


@pytest.mark.parametrize("which", ["cards", "out"])
def test_a_card_file_named_by_a_card_number_is_refused(cli, tmp_path, which):
    pan = random_pan("4", 16)
    cards = tmp_path / (f"{FORMS['dots'](pan)}.csv" if which == "cards" else "cards.csv")
    cards.write_text("4242424242424242,12/99\n")
    out = tmp_path / (f"tokens {FORMS['nbsp'](pan)}.csv" if which == "out" else "tokens.csv")
    done = cli("vault", "import", str(cards), "--out", str(out))
    assert done.returncode == 2 and "looks like a card number; rename it" in done.stderr
    assert not out.exists()
    assert find_leaks([pan], [], done.stdout + done.stderr) == []


CONTROLS = "\x1b]0;owned\x07\x1b[2K\r\x9b31m\u202e"  # retitles the window, wipes the line, reverses text
OBEYED = "\x1b\x07\r\x9b\u202e"


def test_rows_posapp_did_not_write_are_shown_masked_and_inert(cli, posapp_home):
    assert sell(cli).returncode == 0
    pans = [random_pan("4", 16) for _ in range(6)]
    forms = [FORMS[form](pan) for form, pan in zip(FORMS, pans)]
    with sqlite3.connect(posapp_home / "data" / "orders.db") as db:  # adopted legacy rows, edited with SQL
        db.execute("INSERT INTO OrderHistory (OrderName, Description, AWS_PA_Token, workstation, idempotency_key, "
                   "operator, created_at) VALUES (?, ?, ?, ?, ?, ?, '2026-11-29 18:00:00')",
                   [f"legacy {forms[0]} paid{CONTROLS}", f"card {forms[1]}", forms[2], forms[3], forms[4], forms[5]])
        legacy_id = db.execute("SELECT MAX(UserPaymentAccountID) FROM OrderHistory").fetchone()[0]
    printed = ""
    for args in (["order", "list"], ["order", "show", str(legacy_id)]):
        done = cli(*args)
        assert done.returncode == 0, done.stderr
        assert not any(char in done.stdout for char in OBEYED)  # nothing a terminal obeys
        assert "\\x1b]0;owned\\x07" in done.stdout  # shown for what it is
        assert "2026-11-29 18:00" in done.stdout  # a time is not a card number (12 digits, Luhn-valid)
        printed += done.stdout
    listed = cli("order", "list", "--json")
    legacy = json.loads(listed.stdout)["orders"][0]
    assert legacy["name"].startswith("legacy •••• ") and legacy["name"].endswith(CONTROLS)
    assert not any(char in listed.stdout for char in OBEYED)  # escaped in the JSON text
    assert find_leaks(pans, [], printed + listed.stdout) == []
    assert all(pan[:12] not in digits_of(printed + listed.stdout) for pan in pans)
