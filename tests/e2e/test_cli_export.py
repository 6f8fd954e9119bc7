"""``posapp order export``: the filters of ``order list``, on the merchant's business days; a new
file or nothing, also after Ctrl-C; the back office's and administrators' command."""

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from exportcsv import read_export, write_rows, written_row
from signin import SIGNED_IN

TESTS = Path(__file__).parents[1]
ROOT = TESTS.parent
# Business days in New York (UTC-5 in January): the 10th runs from 05:00 UTC to 05:00 UTC on the 11th.
ROWS = {
    "utc-day-only": datetime.datetime(2026, 1, 10, 3, 0),  # 22:00 on the 9th in New York
    "both-days": datetime.datetime(2026, 1, 10, 12, 0),
    "business-day-only": datetime.datetime(2026, 1, 11, 2, 0),  # 21:00 on the 10th in New York
    "later": datetime.datetime(2026, 1, 12, 12, 0),
}


@pytest.fixture
def shop(posapp, posapp_home):
    """A till in New York's time zone whose history holds ROWS and 40 more orders (ids from 1)."""
    posapp_home.mkdir(parents=True, exist_ok=True)
    settings = posapp_home / "posapp.toml"
    settings.write_text('[merchant]\ntimezone = "America/New_York"\nlocale = "en_US"\n')
    settings.chmod(0o600)
    first = posapp("order", "list")  # makes the vault, the order history and the administrator
    assert first.returncode == 0, first.stderr
    rows = [written_row(number, OrderName=name, created_at=created)
            for number, (name, created) in enumerate(ROWS.items(), 1)]
    rows += [written_row(number, OrderName=f"Order {number}", created_at=datetime.datetime(2025, 12, 1))
             for number in range(len(ROWS) + 1, len(ROWS) + 41)]
    write_rows(f"sqlite:///{posapp_home / 'data' / 'orders.db'}", rows)
    return posapp


def test_since_and_until_are_the_merchant_s_business_days(shop, tmp_path):
    target = tmp_path / "day.csv"
    done = shop("order", "export", "--format", "csv", "--out", str(target), "--since", "2026-01-10",
                "--until", "2026-01-10")
    assert (done.returncode, done.stdout, done.stderr) == (0, f"Exported 2 orders to {target}.\n", "")
    rows = read_export(target)
    assert [row["name"] for row in rows] == ["both-days", "business-day-only"]
    assert rows[1]["created_local"] == "2026-01-10T21:00:00-05:00"
    assert rows[1]["created_utc"] == "2026-01-11T02:00:00Z"


def test_order_list_selects_the_same_business_days(shop):
    listed = shop("order", "list", "--since", "2026-01-10", "--until", "2026-01-10", "--json")
    assert [order["name"] for order in json.loads(listed.stdout)["orders"]] == ["business-day-only", "both-days"]


def test_the_filters_of_order_list_select_the_orders(shop, tmp_path):
    done = shop("order", "export", "--format", "csv", "--out", str(tmp_path / "some.csv"), "--search", "DAY",
                "--brand", "visa", "--last4", "4242", "--workstation", "till-01")
    assert done.returncode == 0, done.stderr
    assert [row["name"] for row in read_export(tmp_path / "some.csv")] == ["utc-day-only", "both-days",
                                                                          "business-day-only"]


@pytest.mark.parametrize("options, reason", [
    (["--since", "10/01/2026"], "--since takes a date like 2026-11-29"),
    (["--last4", "42"], "the last 4 digits must be 4 digits"),
    (["--since", "2026-01-11", "--until", "2026-01-10"], "the start of the date range is not before its end"),
])
def test_a_bad_filter_is_one_line_exit_2_and_no_file(shop, tmp_path, options, reason):
    done = shop("order", "export", "--format", "csv", "--out", str(tmp_path / "o.csv"), *options)
    assert (done.returncode, done.stderr) == (2, f"posapp: {reason}\n")
    assert not (tmp_path / "o.csv").exists()


def test_an_existing_file_is_exit_2_and_kept(shop, tmp_path):
    (tmp_path / "o.csv").write_text("keep me")
    done = shop("order", "export", "--format", "csv", "--out", str(tmp_path / "o.csv"))
    assert (done.returncode, done.stderr) == (2, f"posapp: {tmp_path / 'o.csv'} exists already: name a new file "
                                                 f"(posapp never overwrites one)\n")
    assert (tmp_path / "o.csv").read_text() == "keep me"


@pytest.mark.parametrize("role, secret", [("cashier", "480713"), ("supervisor", "supervisor pass 2026")])
def test_a_till_s_operators_may_not_export(shop, tmp_path, role, secret):
    added = shop("operator", "add", "--role", role, "someone", env={"POSAPP_NEW_SECRET": secret})
    assert added.returncode == 0, added.stderr
    done = shop("order", "export", "--format", "csv", "--out", str(tmp_path / "o.csv"),
                env={"POSAPP_OPERATOR": "someone", "POSAPP_SECRET": secret})
    assert done.returncode == 5 and "may not export orders" in done.stderr
    assert not (tmp_path / "o.csv").exists()


def test_ctrl_c_mid_export_leaves_no_file(shop, posapp_home, tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    environment = {key: value for key, value in os.environ.items() if not key.startswith("POSAPP_")}
    environment.update(SIGNED_IN, POSAPP_HOME=str(posapp_home), PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
                       PYTHONPATH=os.pathsep.join([str(ROOT), str(TESTS)]), PYTHONIOENCODING="utf-8")
    done = subprocess.run([sys.executable, "-m", "interrupting", "order", "export", "--format", "csv", "--out",
                           str(folder / "o.csv")], capture_output=True, text=True, encoding="utf-8",
                          env=environment, cwd=ROOT, timeout=60)
    assert (done.returncode, done.stdout) == (130, ""), done.stderr
    assert done.stderr == "posapp: exported 10 orders…\nposapp: interrupted\n"
    assert list(folder.iterdir()) == []
    journal = shop("audit", "list", "--action", "order-export", "--json")
    [entry] = json.loads(journal.stdout)["entries"]
    assert (entry["outcome"], entry["details"]["reason"]) == ("failed", "interrupted")
