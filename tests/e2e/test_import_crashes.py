"""An import killed part-way is taken back (or found complete) by the next import or reconcile.

Crashes are injected at exact steps (tests/importcrash.py); the next command runs as a
fresh process, as after a restart.
"""

import csv
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from cardgen import random_pan
from importcrash import KILLED

from posapp.card_import import BATCH
from signin import add_admin

CARDS = 2 * BATCH + 200  # three batches


def vault_items(home):
    with sqlite3.connect(home / "data" / "vault.db") as db:
        return {token for (token,) in db.execute("SELECT token FROM vault_items")}


def pending_imports(home):
    with sqlite3.connect(home / "data" / "vault.db") as db:
        return db.execute("SELECT COUNT(*) FROM vault_meta WHERE key LIKE 'import:%'").fetchone()[0]


def tokens_in(path):
    with path.open() as written:
        return [row["token"] for row in csv.DictReader(written)]


@pytest.fixture
def card_file(tmp_path):
    path = tmp_path / "cards.csv"
    path.write_text("".join(f"{random_pan('4', 16)},12/30\n" for _ in range(CARDS)))
    return path


def crashing(home, point, *args):
    environment = {key: value for key, value in os.environ.items() if not key.startswith("POSAPP_")}
    environment.update(POSAPP_HOME=str(home), PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
                       PYTHONPATH=os.pathsep.join([str(Path(__file__).parents[1]), *sys.path]))
    environment = add_admin(environment)
    return subprocess.run([sys.executable, "-m", "importcrash", point, *args], capture_output=True, text=True,
                          env=environment, timeout=120)


@pytest.mark.parametrize("batches", [1, 2])
def test_an_import_killed_part_way_is_taken_back_by_the_next_import(posapp, posapp_home, card_file, tmp_path,
                                                                      batches):
    out = tmp_path / "tokens.csv"
    killed = crashing(posapp_home, f"after-batch-{batches}", "vault", "import", str(card_file), "--out", str(out))
    assert killed.returncode == KILLED
    assert len(vault_items(posapp_home)) == batches * BATCH and not out.exists()  # cards nobody could find
    again = posapp("vault", "import", str(card_file), "--out", str(out))
    assert again.returncode == 0, again.stderr
    assert (f"posapp: 1 interrupted import taken back: {batches * BATCH} cards removed from the vault"
            in again.stderr)
    assert vault_items(posapp_home) == set(tokens_in(out)) and len(tokens_in(out)) == CARDS
    assert pending_imports(posapp_home) == 0
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".")] == []  # no partial file left


def test_reconcile_takes_back_an_interrupted_import_too(posapp, posapp_home, card_file, tmp_path):
    assert posapp("order", "new", "--name", "Tea", "--amount", "2", "--card-stdin",
                  stdin=random_pan("4", 16) + "\n").returncode == 0
    sold = vault_items(posapp_home)
    killed = crashing(posapp_home, "after-batch-2", "vault", "import", str(card_file), "--out",
                      str(tmp_path / "tokens.csv"))
    assert killed.returncode == KILLED
    dry = posapp("vault", "reconcile", "--dry-run")
    assert dry.returncode == 0 and len(vault_items(posapp_home)) == 1 + 2 * BATCH  # a dry run changes nothing
    assert f"1 interrupted import would be taken back: {2 * BATCH} cards would be removed" in dry.stderr
    result = posapp("vault", "reconcile")
    assert result.returncode == 0, result.stderr
    assert f"{2 * BATCH} cards removed from the vault" in result.stderr
    assert vault_items(posapp_home) == sold and pending_imports(posapp_home) == 0


def test_an_import_killed_after_its_tokens_file_was_complete_is_kept(posapp, posapp_home, card_file, tmp_path):
    out = tmp_path / "tokens.csv"
    killed = crashing(posapp_home, "after-publish", "vault", "import", str(card_file), "--out", str(out))
    assert killed.returncode == KILLED and pending_imports(posapp_home) == 1
    result = posapp("vault", "reconcile")
    assert result.returncode == 0 and "had written its whole tokens file: kept as complete" in result.stderr
    assert vault_items(posapp_home) == set(tokens_in(out)) and len(tokens_in(out)) == CARDS
    assert pending_imports(posapp_home) == 0
    assert posapp("vault", "verify", *tokens_in(out)[:5]).returncode == 0
