"""Every exit code of the contract, driven from the command line, each with one line on stderr."""

import os
import subprocess
import sys

from awstest import free_port
from cardgen import random_pan
from signin import SIGNED_IN, add_admin


def one_line(result, code):
    assert result.returncode == code, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, result.stderr
    return result.stderr


def one_line_after_journal_notices(result, code):
    """As :func:`one_line`, for a till whose order history is an older copy: its journal lacks the
    entries anchored since, which every command says on a line of its own beside the refusal."""
    assert result.returncode == code, result.stderr
    lines = result.stderr.splitlines()
    notices = [line for line in lines if line.startswith("posapp: error: the audit journal of ")
               and "as it was anchored" in line]
    [refusal] = [line for line in lines if line not in notices]
    assert notices and "Traceback" not in result.stderr, result.stderr
    return refusal


def test_0_done(posapp):
    result = posapp("order", "list")
    assert (result.returncode, result.stdout, result.stderr) == (0, "No orders.\n", "")


def order_list_raising(home, error):
    """``posapp order list`` in a process where listing raises ``error`` (a Python expression)."""
    code = ("import sys; from posapp.cli import boundary; from posapp.__main__ import main\n"
            f"def failing(*args): raise {error}\n"
            "boundary.COMMANDS[('order', 'list')] = failing\n"
            "sys.exit(main(['order', 'list']))\n")
    environment = add_admin({**os.environ, "POSAPP_HOME": str(home)})
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environment)


def test_1_a_bug_points_to_the_log_never_a_traceback(posapp_home):
    result = order_list_raising(posapp_home, "RuntimeError('a bug')")
    assert one_line(result, 1).startswith("posapp: posapp hit an unexpected problem; the details are in the log")
    assert "RuntimeError: a bug" in (posapp_home / "logs" / "posapp.log").read_text()


def test_1_a_vault_given_no_crypto_config_is_a_bug_not_tampering(posapp, posapp_home):
    assert posapp("order", "new", "--name", "x", "--amount", "1", "--card-stdin",
                  stdin=random_pan("4", 16) + "\n").returncode == 0
    code = ("import sys; from posapp.__main__ import main; from posapp.vault import item_format\n"
            "item_format.crypto_config = lambda materials, table: None\n"
            "sys.exit(main(['vault', 'verify', '--all']))\n")
    environment = {**os.environ, "POSAPP_HOME": str(posapp_home),
                   "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring", **SIGNED_IN}  # as the posapp fixture's
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environment)
    assert one_line(result, 1).startswith("posapp: posapp hit an unexpected problem; the details are in the log")
    assert "TypeError: decrypt needs a CryptoConfig, not NoneType" in (posapp_home / "logs" / "posapp.log").read_text()


def test_130_interrupted_is_one_line(posapp_home):
    assert one_line(order_list_raising(posapp_home, "KeyboardInterrupt"), 130) == "posapp: interrupted\n"


def test_version_into_a_full_disk_is_one_line():
    with open("/dev/full", "w") as full:
        result = subprocess.run([sys.executable, "-m", "posapp", "--version"], stdout=full, stderr=subprocess.PIPE,
                                text=True)
    assert one_line(result, 3) == "posapp: standard output cannot be written: No space left on device\n"


def test_an_idempotency_key_that_is_a_card_number_is_refused(posapp):
    number = random_pan("4", 16)
    result = posapp("order", "new", "--name", "x", "--amount", "1", "--card-stdin", "--idempotency-key", number,
                    stdin=random_pan("4", 16) + "\n")
    assert "looks like a card number" in one_line(result, 2) and number not in result.stderr
    assert posapp("order", "list").stdout == "No orders.\n"


def test_2_bad_input(posapp):
    stderr = one_line(posapp("order", "new", "--name", "x", "--amount", "ten", "--card-stdin",
                             stdin=random_pan("4", 16) + "\n"), 2)
    assert stderr.startswith("posapp: Write the amount ")


def test_3_unavailable(posapp, tmp_path):
    config = tmp_path / "dead.toml"
    config.write_text(f'[orders]\nurl = "mysql+pymysql://pos@127.0.0.1:{free_port()}/posapp_none"\n')
    assert "cannot be reached" in one_line(posapp("--config", str(config), "order", "list"), 3)


def test_4_integrity(posapp, posapp_home):
    assert posapp("order", "new", "--name", "x", "--amount", "1", "--card-stdin",
                  stdin=random_pan("4", 16) + "\n").returncode == 0
    (posapp_home / "data" / "orders.db").write_bytes(b"")  # the order history is gone
    for command in (["order", "list"], ["vault", "reconcile"], ["order", "new", "--name", "y", "--amount", "1",
                                                                 "--card-stdin"]):
        stderr = one_line(posapp(*command, stdin=random_pan("4", 16) + "\n"), 4)
        assert "is missing or empty" in stderr and "restore it from a backup" in stderr


def test_reconcile_against_an_older_copy_of_the_order_history_removes_nothing(posapp, posapp_home, tmp_path):
    """A restored backup, or deleted rows: the vault holds cards of sales the history no longer knows."""
    def sell():
        assert posapp("order", "new", "--name", "x", "--amount", "1", "--card-stdin",
                      stdin=random_pan("4", 16) + "\n").returncode == 0

    sell()
    sell()
    orders = posapp_home / "data" / "orders.db"
    backup = tmp_path / "orders-backup.db"
    backup.write_bytes(orders.read_bytes())
    sell()
    sell()
    config = tmp_path / "restored.toml"
    config.write_text(f'[orders]\nurl = "sqlite:///{backup}"\n')
    for attempt in (["vault", "reconcile"], ["vault", "reconcile"], ["vault", "reconcile", "--dry-run"]):
        stderr = one_line_after_journal_notices(posapp("--config", str(config), *attempt), 4)
        assert "holds orders up to 2, but the vault holds a card stored after order 3" in stderr
    verified = posapp("--config", str(config), "vault", "verify", "--all")  # it cannot look "all intact"
    assert verified.returncode == 4 and "holds orders up to 2" in verified.stderr
    assert posapp("vault", "verify", "--all").returncode == 0  # every card of the real history is there


def test_a_finished_import_whose_summary_cannot_be_shown_says_it_is_complete(posapp_home, tmp_path):
    cards, out = tmp_path / "cards.csv", tmp_path / "tokens.csv"
    cards.write_text("".join(random_pan("4", 16) + "\n" for _ in range(3)))
    environment = add_admin({**os.environ, "POSAPP_HOME": str(posapp_home),
                             "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    with open("/dev/full", "w") as full:
        result = subprocess.run([sys.executable, "-m", "posapp", "vault", "import", str(cards), "--out", str(out)],
                                stdout=full, stderr=subprocess.PIPE, text=True, env=environment)
    assert result.returncode == 3
    assert "the import is complete; do not import the file again (Imported 3 cards into the vault" in result.stderr
    assert out.read_text().count("\n") == 4


def test_a_backup_restored_after_a_reconciliation_is_refused_even_when_sales_went_on(posapp, posapp_home, tmp_path):
    def sell():
        assert posapp("order", "new", "--name", "x", "--amount", "1", "--card-stdin",
                      stdin=random_pan("4", 16) + "\n").returncode == 0

    sell()
    orders = posapp_home / "data" / "orders.db"
    backup = tmp_path / "orders-backup.db"
    backup.write_bytes(orders.read_bytes())
    sell()
    assert posapp("vault", "reconcile").returncode == 0  # the nightly run, on the real history
    orders.write_bytes(backup.read_bytes())  # the backup is restored over it ...
    sell()  # ... and the shop sells on: order 2 again, another card
    for attempt in (["vault", "reconcile"], ["vault", "reconcile", "--dry-run"], ["vault", "verify", "--all"]):
        stderr = one_line_after_journal_notices(posapp(*attempt), 4)
        assert "is not the one the vault was last reconciled with" in stderr
    assert posapp("audit", "verify").returncode == 4  # the restored journal lost what was anchored since
    accepted = posapp("vault", "reconcile", "--accept-restored-history")  # the backup is what the shop keeps
    assert accepted.returncode == 0 and "nothing was removed" in accepted.stdout
    after = posapp("vault", "reconcile")
    assert after.returncode == 0 and "1 newly unreferenced (noted)" in after.stdout  # the lost order's card
