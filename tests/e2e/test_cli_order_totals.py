"""``posapp order list`` under a header row, and ``--totals``: how many orders the filter selects and
the sum of its sales per currency, from the database, whatever page is printed."""

import json

import pytest
from kit import cli_sale


@pytest.fixture
def cli(provisioned_posapp):
    for name, amount, currency in (("Latte", "4.50", "USD"), ("Tea", "2.00", "USD"), ("Crêpe", "3.00", "EUR")):
        done = cli_sale(provisioned_posapp, "4242424242424242 12/99", "--currency", currency, name=name, amount=amount)
        assert done.returncode == 0, done.stderr
    return provisioned_posapp


def test_the_list_has_a_header_and_totals_count_every_matching_order(cli):
    done = cli("order", "list", "--limit", "1", "--totals")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["Order", "Time", "Amount", "Card", "Name"]
    assert lines[1].split()[0] == "3" and lines[1].endswith("Crêpe")
    assert lines[2] == "More: run the same command with --before 3"  # its filters too
    assert lines[3:] == ["Totals: 3 orders, 3 sales (neither declined, voided nor pending)",
                         f"  EUR  {'€3.00':>16}", f"  USD  {'$6.50':>16}"]


def test_totals_follow_the_filter_and_say_one_order_in_the_singular(cli):
    done = cli("order", "list", "--search", "tea", "--totals")
    assert done.stdout.splitlines()[-2:] == ["Totals: 1 order, 1 sale (neither declined, voided nor pending)",
                                             f"  USD  {'$2.00':>16}"]
    none = cli("order", "list", "--status", "voided", "--totals")
    assert none.stdout == "No orders.\nTotals: 0 orders, 0 sales (neither declined, voided nor pending)\n"


def test_json_totals_are_added_only_when_asked(cli):
    plain = json.loads(cli("order", "list", "--json").stdout)
    assert set(plain) == {"orders", "next_before"}
    totals = json.loads(cli("order", "list", "--json", "--totals", "--operator", "nobody").stdout)["totals"]
    assert totals == {"orders": 0, "sales": 0, "sales_amounts": []}
    totals = json.loads(cli("order", "list", "--json", "--totals").stdout)["totals"]
    assert totals == {"orders": 3, "sales": 3, "sales_amounts": [
        {"minor": 300, "amount": "3.00", "currency": "EUR"}, {"minor": 650, "amount": "6.50", "currency": "USD"}]}
