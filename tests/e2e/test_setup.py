"""posapp setup: a per-workstation settings file that doctor accepts, with no secret in it."""

import io
import json
import sqlite3
import tomllib

import pytest
from mariadbtest import POS_PASSWORD

from posapp.__main__ import main


def test_local_setup_writes_a_file_doctor_accepts(posapp, posapp_home):
    result = posapp("setup", "--workstation-id", "till-42")
    assert result.returncode == 0, result.stdout + result.stderr
    written = posapp_home / "posapp.toml"
    assert tomllib.loads(written.read_text()) == {"workstation": {"id": "till-42"}}
    assert written.stat().st_mode & 0o777 == 0o600  # its own user's: see test_private_files.py
    assert result.stdout.startswith(f"Settings written to {written}\nok    configuration")
    doctor = posapp("doctor")
    assert doctor.returncode == 0 and "FAIL" not in doctor.stdout
    assert "workstation till-42" in doctor.stdout
    assert "ok    card safety: core dumps off" in doctor.stdout
    # The settings change is journalled (nobody can sign in before setup: no operator on it).
    with sqlite3.connect(posapp_home / "data" / "orders.db") as db:
        entries = db.execute("SELECT workstation, operator, outcome, details FROM posapp_journal "
                             "WHERE action = 'settings'").fetchall()
    assert [(workstation, operator, outcome, json.loads(details)) for workstation, operator, outcome, details
            in entries] == [("till-42", None, "ok", {"file": str(written)})]


def test_shared_setup_keeps_the_password_in_the_keyring_only(posapp_home, mysql_db, memory_keyring, monkeypatch,
                                                              capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(POS_PASSWORD + "\n"))
    code = main(["setup", "--workstation-id", "till-07", "--orders-url", mysql_db.url,
                     "--orders-password-stdin"])
    out = capsys.readouterr().out
    assert code == 3, out  # the fresh database has no schema yet: doctor says so ...
    assert "FAIL  order history" in out and "run 'posapp provision'" in out
    assert main(["provision"]) == 0
    capsys.readouterr()
    assert main(["doctor"]) == 0  # ... and accepts it once provisioned
    written = (posapp_home / "posapp.toml").read_text()
    assert tomllib.loads(written)["orders"] == {"url": mysql_db.url}
    assert POS_PASSWORD not in written
    name = f"orders:pos@127.0.0.1:{mysql_db.url.split(':')[-1].split('/')[0]}/{mysql_db.name}"
    assert memory_keyring.secrets[("posapp", name)] == POS_PASSWORD


@pytest.mark.parametrize(("args", "message"), [
    (["--orders-url", "mysql+pymysql://pos:secret@db/pos"], "no password in the file"),
    (["--vault-backend", "dynamodb"], "[vault] region: required"),
    (["--kms-key-id", "alias/pos"], "use the full key ARN"),
])
def test_bad_setup_writes_nothing(posapp, posapp_home, args, message):
    result = posapp("setup", "--workstation-id", "till-42", *args, stdin="pw\n")
    assert result.returncode == 2 and message in result.stderr
    assert not (posapp_home / "posapp.toml").exists()


def test_setup_needs_the_password_from_somewhere(posapp, posapp_home):
    result = posapp("setup", "--workstation-id", "till-42", "--orders-url", "mysql+pymysql://pos@db/pos")
    assert result.returncode == 2
    assert "--orders-password-stdin" in result.stderr
    assert not (posapp_home / "posapp.toml").exists()
