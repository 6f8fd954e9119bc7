"""A till's vault keys across processes: crashes while they are first written, key files of
another till, keyrings that forget. The next command sells, or says in one sentence what to do."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from kit import cli_sale
from crashpoint import KILLED, POINTS
from signin import ADMIN, ADMIN_SECRET

TESTS = Path(__file__).parents[1]
ROOT = TESTS.parent


def sell(posapp, **options):
    return cli_sale(posapp, None, "--json", **options)


def key_file(home):
    return home / "data" / "keys" / "local-vault.key"


def vault_db(home):
    return home / "data" / "vault.db"


def home_orders(home):
    return home / "data" / "orders.db"


def vault_meta(home):
    with sqlite3.connect(vault_db(home)) as db:
        return dict(db.execute("SELECT key, value FROM vault_meta"))


def item_count(home):
    with sqlite3.connect(vault_db(home)) as db:
        return db.execute("SELECT COUNT(*) FROM vault_items").fetchone()[0]


def one_sentence(result, code):
    assert result.returncode == code, result.stderr
    assert result.stderr.startswith("posapp: ") and result.stderr.count("\n") == 1
    assert "[Errno" not in result.stderr and "Traceback" not in result.stderr
    return result.stderr[len("posapp: "):-1]


def sells_and_verifies(posapp, home, sales=2):
    """The till works again, across processes, and its cards stay readable."""
    for _ in range(sales):
        sold = sell(posapp)
        assert sold.returncode == 0, sold.stderr
    verified = posapp("vault", "verify", "--all")
    assert (verified.returncode, verified.stdout.splitlines()[0]) == (0, f"Checked {sales} vault items and {sales} orders: all intact.")
    assert json.loads(key_file(home).read_text())["vault_id"] == vault_meta(home)["vault_id"]
    assert [path.name for path in key_file(home).parent.iterdir()] == ["local-vault.key"]


def run_crashing(home, point, *args, stdin, **env):
    environment = {key: value for key, value in os.environ.items() if not key.startswith("POSAPP_")}
    environment.update(POSAPP_HOME=str(home), PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
                       PYTHONPATH=os.pathsep.join([str(ROOT), str(TESTS)]), PYTHONIOENCODING="utf-8", **env)
    return subprocess.run([sys.executable, "-m", "crashpoint", point, *args], input=stdin, capture_output=True,
                          text=True, encoding="utf-8", env=environment, cwd=ROOT, timeout=60)


@pytest.mark.parametrize("point", POINTS)
def test_a_first_command_interrupted_while_writing_the_keys_leaves_a_till_that_sells(posapp, posapp_home, point):
    # A till's first command is now making its first administrator: its journal entry needs the keys.
    first = run_crashing(posapp_home, point, "operator", "add", "--role", "admin", ADMIN, stdin="",
                         POSAPP_NEW_SECRET=ADMIN_SECRET)
    if point == "full-disk":
        assert one_sentence(first, 3) == (f"the key file {key_file(posapp_home)} could not be written (No space "
                                          f"left on device): free disk space or fix the folder's permissions, "
                                          f"then try again")
    else:
        assert first.returncode == KILLED, first.stderr
    assert item_count(posapp_home) == 0 and "vault_id" not in vault_meta(posapp_home)
    sells_and_verifies(posapp, posapp_home)


@pytest.mark.parametrize("leftover", [b"", b'{"wrapping": "q8Zt', "clé".encode("latin-1")])
def test_a_till_bricked_by_an_older_posapp_sells_again(posapp, posapp_home, leftover):
    """What a crash left before key files were written whole: a partial file, no vault row."""
    key_file(posapp_home).parent.mkdir(parents=True)
    key_file(posapp_home).write_bytes(leftover)
    with sqlite3.connect(vault_db(posapp_home)) as db:
        db.executescript("CREATE TABLE vault_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
                         "CREATE TABLE vault_items (token TEXT PRIMARY KEY, item TEXT NOT NULL);")
    sells_and_verifies(posapp, posapp_home)


@pytest.mark.parametrize("content", [b"", b'{"vault_id": "', b"not json", "clé".encode("latin-1")])
def test_a_damaged_key_file_of_a_till_with_cards_is_one_sentence(posapp, posapp_home, content):
    assert sell(posapp).returncode == 0
    key_file(posapp_home).write_bytes(content)
    reason = "empty" if not content else "not a whole posapp key file"
    assert one_sentence(sell(posapp), 4) == (f"the key file {key_file(posapp_home)} of card vault "
                                             f"{vault_meta(posapp_home)['vault_id']} is damaged ({reason}): "
                                             f"restore it from a backup")
    assert item_count(posapp_home) == 1


def test_a_vault_that_lost_its_identity_keeps_its_cards_and_gets_no_new_keys(posapp, posapp_home):
    assert sell(posapp).returncode == 0
    keys = key_file(posapp_home).read_bytes()
    with sqlite3.connect(vault_db(posapp_home)) as db:
        db.execute("DELETE FROM vault_meta")
    assert one_sentence(sell(posapp), 4) == (f"the card vault {vault_db(posapp_home)} holds cards but its identity "
                                             f"is missing: restore vault.db from a backup")
    assert key_file(posapp_home).read_bytes() == keys and item_count(posapp_home) == 1


def test_the_key_file_of_another_till_is_refused_before_a_sale(posapp, posapp_home, tmp_path):
    assert sell(posapp).returncode == 0
    ours = key_file(posapp_home).read_bytes()
    other = tmp_path / "other-till"
    assert sell(posapp, env={"POSAPP_HOME": str(other)}).returncode == 0
    key_file(posapp_home).write_bytes(key_file(other).read_bytes())
    refused = sell(posapp)
    assert one_sentence(refused, 4) == (f"the keys in {key_file(posapp_home)} do not belong to card vault "
                                        f"{vault_meta(posapp_home)['vault_id']}: restore the right key file "
                                        f"from a backup")
    assert item_count(posapp_home) == 1
    with sqlite3.connect(home_orders(posapp_home)) as db:  # read directly: signing in needs the right keys too
        assert db.execute('SELECT COUNT(*) FROM "OrderHistory"').fetchone() == (1,)
    key_file(posapp_home).write_bytes(ours)
    assert sell(posapp).returncode == 0
    assert posapp("vault", "verify", "--all").stdout.splitlines()[0] == "Checked 2 vault items and 2 orders: all intact."


def test_a_keyring_that_forgets_at_exit_never_holds_the_only_keys(posapp, posapp_home):
    forgetful = {"PYTHON_KEYRING_BACKEND": "session_keyring.Keyring", "PYTHONPATH": str(TESTS)}
    first = sell(posapp, env=forgetful)
    assert first.returncode == 0, first.stderr
    assert key_file(posapp_home).stat().st_mode & 0o777 == 0o600
    assert sell(posapp, env=forgetful).returncode == 0
    verified = posapp("vault", "verify", "--all", env=forgetful)
    assert (verified.returncode, verified.stdout.splitlines()[0]) == (0, "Checked 2 vault items and 2 orders: all intact.")
    assert "session_keyring.Keyring is not known to keep secrets" in (posapp_home / "logs" / "posapp.log").read_text()
