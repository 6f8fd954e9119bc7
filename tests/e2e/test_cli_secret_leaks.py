"""No PIN, password or card number typed into the posapp command is written anywhere: every
file under POSAPP_HOME (the order database with its journal and operators, the vault, the log)
and everything printed are scanned for each secret in every form (tests/leakscan.py)."""

import random
import sqlite3

from cardgen import random_pan
from leakscan import find_leaks
from signin import ADMIN_SECRET

from posapp.access.credentials import WeakSecret, check_new_secret
from posapp.access.roles import Role


def random_pin(rng) -> str:
    """12 random digits that make a valid PIN (not a pattern, not card-like)."""
    while True:
        pin = "".join(rng.choice("0123456789") for _ in range(12))
        try:
            return check_new_secret(Role.CASHIER, pin, login="cara")
        except WeakSecret:
            continue


def test_no_secret_or_card_typed_is_written_or_printed(posapp, posapp_home):
    rng = random.SystemRandom()
    pin, wrong_pin = random_pin(rng), random_pin(rng)  # long: no stray run of digits matches them
    password = f"Pass{rng.randrange(10**8, 10**9)}word"
    supervisor = f"Boss{rng.randrange(10**8, 10**9)}word"
    wrong_password = f"Nope{rng.randrange(10**8, 10**9)}word"
    weak = f"weak{rng.randrange(10**3, 10**4)}"
    number, refused_number = random_pan("4", 16, rng), random_pan("4", 16, rng)
    printed = []

    def run(*args, stdin=None, **env):
        done = posapp(*args, stdin=stdin, env=env)
        printed.extend([done.stdout, done.stderr])
        return done.returncode

    cara = {"POSAPP_OPERATOR": "cara", "POSAPP_SECRET": pin}
    assert run("operator", "add", "cara", "--role", "cashier", POSAPP_NEW_SECRET=pin) == 0
    assert run("operator", "add", "bo", "--role", "backoffice", POSAPP_NEW_SECRET=password) == 0
    assert run("operator", "add", "sam", "--role", "supervisor", POSAPP_NEW_SECRET=supervisor) == 0
    assert run("operator", "add", "cody", "--role", "supervisor", POSAPP_NEW_SECRET=weak) == 2
    assert run("order", "new", "--name", "Tea", "--amount", "2", "--card-stdin", stdin=number + " 12/99\n", **cara) == 0
    assert run("order", "new", "--name", "Tea", "--amount", "2", "--card-stdin", stdin=refused_number + "\n",
               POSAPP_OPERATOR="bo", POSAPP_SECRET=password) == 5
    assert run("order", "list", POSAPP_OPERATOR="cara", POSAPP_SECRET=wrong_pin) == 5
    assert run("order", "list", POSAPP_OPERATOR="bo", POSAPP_SECRET=wrong_password) == 5
    # A PIN typed in the login field: the refusal never repeats the login typed, in words that do not
    # tell an unknown login from a wrong secret.
    in_login_field = posapp("order", "list", env={"POSAPP_OPERATOR": pin, "POSAPP_SECRET": pin})
    assert (in_login_field.returncode, in_login_field.stderr) == (
        5, "posapp: sign-in refused: wrong login or secret (needed to look up the orders of this till)\n")
    assert run("order", "void", "1", POSAPP_SUPERVISOR="sam", POSAPP_SUPERVISOR_SECRET=supervisor, **cara) == 0
    assert run("operator", "reset", "bo", POSAPP_NEW_SECRET=password + "2") == 0
    assert run("audit", "list", "--json") == 0 and run("operator", "list", "--json") == 0

    with sqlite3.connect(posapp_home / "data" / "orders.db") as db:  # the scan reads what was really written
        assert db.execute("SELECT COUNT(*) FROM posapp_operators").fetchone() == (4,)
        assert db.execute("SELECT COUNT(*) FROM posapp_journal WHERE outcome = 'failed'").fetchone()[0] >= 3
    secrets = [pin, wrong_pin, password, password + "2", supervisor, wrong_password, weak, ADMIN_SECRET]
    assert find_leaks([number, refused_number], [posapp_home], "".join(printed), secrets=secrets) == []
