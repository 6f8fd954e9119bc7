"""Every role against every command, through the posapp command: what a role may do runs, what
it may not is exit 5 with one line naming the operator and the permission, and changes nothing.

The permission each command needs is written here by hand (the issue's table), and what each
role holds is read from posapp.access.roles, which tests/unit checks against the same table.
"""

import itertools
import json
import os
import sqlite3
import subprocess
import sys

import pytest
from cardgen import random_pan
from signin import ADMIN, ADMIN_SECRET, add_admin

from posapp.access.roles import Permission, Role

SECRETS = {Role.CASHIER: "482913", Role.SUPERVISOR: "Supervisor pass 77", Role.BACKOFFICE: "Back office pass 88",
           Role.ADMIN: ADMIN_SECRET}
LOGINS = {Role.CASHIER: "cara", Role.SUPERVISOR: "sam", Role.BACKOFFICE: "bo", Role.ADMIN: ADMIN}
_fresh = itertools.count(1)


def card():
    return random_pan("4", 16) + " 12/99\n"


# command -> (permission, arguments made fresh for each run (a new order to void, a new file...), stdin)
# and, for the commands this shop (no card processor) cannot carry out, the exit 2 sentence a
# permitted role gets from the service, past the permission check.
NO_PAYMENT = "charged no card (it is recorded)"
COMMANDS = {
    "order new": (Permission.SELL, lambda shop: ["order", "new", "--name", "Tea", "--amount", "2", "--card-stdin"],
                  card),
    "order list": (Permission.OWN_TILL_ORDERS, lambda shop: ["order", "list"], None),
    "order show": (Permission.OWN_TILL_ORDERS, lambda shop: ["order", "show", "1"], None),
    "order void": (Permission.VOID, lambda shop: ["order", "void", str(shop.sell())], None),
    "vault verify": (Permission.VAULT, lambda shop: ["vault", "verify", "--all"], None),
    "vault reconcile": (Permission.VAULT, lambda shop: ["vault", "reconcile", "--dry-run"], None),
    "vault purge": (Permission.VAULT, lambda shop: ["vault", "purge", "--dry-run"], None),
    "vault rekey": (Permission.VAULT, lambda shop: ["vault", "rekey"], None),
    "vault rotate-materials": (Permission.VAULT, lambda shop: ["vault", "rotate-materials"], None,
                               "rotate-materials is for the DynamoDB vault's cached materials"),
    "vault import": (Permission.VAULT, lambda shop: ["vault", "import", str(shop.cards),
                                                     "--out", str(shop.folder / f"tokens-{next(_fresh)}.csv")], None),
    "operator add": (Permission.OPERATORS, lambda shop: ["operator", "add", f"new{next(_fresh)}", "--role", "cashier"],
                     None),
    "operator list": (Permission.OPERATORS, lambda shop: ["operator", "list"], None),
    "operator disable": (Permission.OPERATORS, lambda shop: ["operator", "disable", shop.spare()], None),
    "operator enable": (Permission.OPERATORS, lambda shop: ["operator", "enable", shop.spare()], None),
    "operator reset": (Permission.OPERATORS, lambda shop: ["operator", "reset", shop.spare()], None),
    "operator unlock": (Permission.OPERATORS, lambda shop: ["operator", "unlock", shop.spare()], None),
    "order refund": (Permission.REFUND, lambda shop: ["order", "refund", str(shop.sell())], None, NO_PAYMENT),
    "order capture": (Permission.SELL, lambda shop: ["order", "capture", str(shop.sell())], None, NO_PAYMENT),
    "order charge": (Permission.CHARGE_STORED_CARD, lambda shop: ["order", "charge", "--token", shop.token(),
                                                                  "--amount", "2", "--name", "Fee"], None,
                     "no card processor is configured"),
    "order export": (Permission.EXPORT, lambda shop: ["order", "export", "--format", "csv", "--out",
                                                      str(shop.folder / f"export-{next(_fresh)}.csv")], None),
    "payments recover": (Permission.OWN_TILL_ORDERS, lambda shop: ["payments", "recover"], None),
    "receipt": (Permission.PRINT_RECEIPTS, lambda shop: ["receipt", "1", "--format", "text"], None),
    "report day": (Permission.REPORTS, lambda shop: ["report", "day"], None),
    "audit list": (Permission.AUDIT, lambda shop: ["audit", "list"], None),
    "audit verify": (Permission.AUDIT, lambda shop: ["audit", "verify"], None),
    "till register": (Permission.TILLS, lambda shop: ["till", "register"], None),
    "till revoke": (Permission.TILLS, lambda shop: ["till", "revoke", shop.registered()], None),
    "till list": (Permission.TILLS, lambda shop: ["till", "list"], None),
}


class Shop:
    """One till (local mode) with an operator of every role, shared by this module's tests."""

    def __init__(self, folder):
        self.folder = folder
        self.environment = {key: value for key, value in os.environ.items() if not key.startswith("POSAPP_")}
        self.environment.update(POSAPP_HOME=str(folder / "home"), PYTHONIOENCODING="utf-8",
                                PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
        self.environment = add_admin(self.environment)
        for role in (Role.CASHIER, Role.SUPERVISOR, Role.BACKOFFICE):
            self.add(LOGINS[role], role, SECRETS[role])
        self.cards = folder / "cards.csv"
        self.cards.write_text(random_pan("4", 16) + ",12/30\n")
        self.sell()

    def run(self, args, role=Role.ADMIN, stdin=None, **env):
        return subprocess.run([sys.executable, "-m", "posapp", *args], input=stdin, capture_output=True, text=True,
                              encoding="utf-8", timeout=120, env={
                                  **self.environment, "POSAPP_OPERATOR": LOGINS[role],
                                  "POSAPP_SECRET": SECRETS[role], "POSAPP_NEW_SECRET": "731905", **env})

    def add(self, login, role, secret):
        done = self.run(["operator", "add", login, "--role", role.value], POSAPP_NEW_SECRET=secret)
        assert done.returncode == 0, done.stderr

    def sell(self) -> int:
        done = self.run(["order", "new", "--name", "Tea", "--amount", "2", "--card-stdin"], stdin=card())
        assert done.returncode == 0, done.stderr
        return int(done.stdout.split()[1])

    def token(self) -> str:
        done = self.run(["order", "show", str(self.sell()), "--json"])
        return json.loads(done.stdout)["token"]

    def registered(self) -> str:
        """This till's id, its key registered (again: harmless)."""
        done = self.run(["till", "register"])
        assert done.returncode == 0, done.stderr
        return done.stdout.split()[1]

    def spare(self) -> str:
        login = f"spare{next(_fresh)}"
        self.add(login, Role.CASHIER, "731905")
        return login

    def state(self):
        """What a refused command must leave as it was (the journal grows with every sign-in)."""
        with sqlite3.connect(self.folder / "home" / "data" / "orders.db") as db:
            orders = db.execute('SELECT * FROM "OrderHistory" ORDER BY 1').fetchall()
            operators = db.execute("SELECT login, role, secret_hash, failed_attempts, locked_until, disabled "
                                   "FROM posapp_operators ORDER BY login").fetchall()
        with sqlite3.connect(self.folder / "home" / "data" / "vault.db") as db:
            items = db.execute("SELECT COUNT(*) FROM vault_items").fetchone()
            tills = db.execute("SELECT * FROM vault_tills ORDER BY 1, 2").fetchall()
        outputs = sorted(path.name for pattern in ("tokens-*", "export-*", ".export-*")
                         for path in self.folder.glob(pattern))
        return orders, operators, items, tills, outputs


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    return Shop(tmp_path_factory.mktemp("shop"))


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_role_may_do_what_it_holds_and_nothing_else(shop, role, command):
    permission, arguments, stdin, *cannot = COMMANDS[command]
    args = arguments(shop)
    before = shop.state()
    done = shop.run(args, role, stdin() if stdin else None)
    if permission in role.permissions:
        assert done.returncode not in (1, 5), done.stderr
        if cannot:
            assert done.returncode == 2 and cannot[0] in done.stderr, done.stderr
            assert shop.state() == before
        else:
            assert done.returncode == 0, done.stderr
    else:
        assert (done.returncode, done.stdout) == (5, "")
        assert done.stderr == f"posapp: operator {LOGINS[role]} ({role.value}) may not {permission.value}\n"
        assert shop.state() == before


def test_the_table_covers_every_command_of_the_parser():
    from posapp.cli.parser import build_parser

    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices  # argparse keeps no public listing
    signed = {f"{name} {action}" for name, sub in commands.items() if sub._subparsers
              for action in sub._subparsers._group_actions[0].choices}
    # and the commands without actions, but those that run without signing in
    signed |= {name for name, sub in commands.items() if not sub._subparsers} - {"gui", "provision", "doctor", "setup"}
    assert signed == set(COMMANDS)


def test_a_cashier_sees_only_this_tills_orders(shop, tmp_path):
    other = tmp_path / "till-02.toml"
    other.write_text('[workstation]\nid = "till-02"\n')
    elsewhere = shop.run(["--config", str(other), "order", "new", "--name", "Far", "--amount", "5", "--card-stdin"],
                         stdin=card())
    assert elsewhere.returncode == 0, elsewhere.stderr
    far = elsewhere.stdout.split()[1]
    listed = shop.run(["order", "list"], Role.CASHIER)
    assert listed.returncode == 0 and "Far" not in listed.stdout and "Tea" in listed.stdout
    assert "Far" in shop.run(["order", "list"], Role.BACKOFFICE).stdout
    for args in (["order", "show", far], ["order", "list", "--workstation", "till-02"]):
        refused = shop.run(args, Role.CASHIER)
        assert (refused.returncode, refused.stdout) == (5, "")
        assert refused.stderr == "posapp: operator cara (cashier) may not look up the orders of every till\n"
        assert shop.run(args, Role.BACKOFFICE).returncode == 0


def test_the_readme_shows_every_role_as_declared():
    from pathlib import Path

    readme = (Path(__file__).parents[2] / "README.md").read_text()
    for permission in Permission:
        row = f"| {permission.value} | " + " | ".join("yes" if permission in role.permissions else "—"
                                                     for role in Role) + " |"
        assert row in readme
