"""Operators through the posapp command: the first administrator, adding, listing, disabling,
resetting and unlocking, lockout after failed sign-ins, and voids with a supervisor's approval."""

import json
import sqlite3

import pytest
from cardgen import random_pan
from signin import ADMIN

HINT = "posapp operator add --role admin LOGIN"
NO_OPERATOR = f"posapp: no operator exists yet: create the first administrator with '{HINT}'\n"
PIN, SUPERVISOR_SECRET = "482913", "Supervisor pass 77"


def one_line(done, code):
    assert (done.returncode, done.stdout) == (code, ""), done.stderr
    assert done.stderr.startswith("posapp: ") and done.stderr.count("\n") == 1, done.stderr
    return done.stderr


def as_(login, secret, **more):
    return {"POSAPP_OPERATOR": login, "POSAPP_SECRET": secret, **more}


def operators(home):
    with sqlite3.connect(home / "data" / "orders.db") as db:
        return db.execute("SELECT login, role, disabled, failed_attempts FROM posapp_operators ORDER BY login"
                          ).fetchall()


def journal(home, action):
    with sqlite3.connect(home / "data" / "orders.db") as db:
        return db.execute("SELECT operator, target, outcome, details FROM posapp_journal WHERE action = ? "
                          "ORDER BY seq", (action,)).fetchall()


def add(posapp, login, role, secret, **options):
    return posapp("operator", "add", login, "--role", role, env={"POSAPP_NEW_SECRET": secret}, **options)


@pytest.mark.parametrize("args", [["order", "list"], ["vault", "verify", "--all"], ["audit", "verify"],
                                  ["operator", "list"], ["operator", "add", "cara", "--role", "cashier"]])
def test_without_operators_only_the_first_administrator_can_be_made(posapp, posapp_home, args):
    refused = posapp(*args, env={"POSAPP_NEW_SECRET": PIN, **as_("cara", PIN)}, sign_in=False)
    assert one_line(refused, 5) == NO_OPERATOR
    assert operators(posapp_home) == []


def test_the_first_administrator_then_signs_in(posapp, posapp_home):
    assert posapp("doctor", sign_in=False).returncode == 0  # needs nobody
    weak = add(posapp, "root", "admin", "short1", sign_in=False)
    assert one_line(weak, 2) == "posapp: a password (every role but cashier signs in with one) has at least 12 characters\n"
    made = add(posapp, "root", "admin", "Head office 2026", sign_in=False)
    assert (made.returncode, made.stdout) == (0, "Operator root (admin) added.\n")
    assert operators(posapp_home) == [("root", "admin", 0, 0)]
    again = add(posapp, "root2", "admin", "Head office 2027", sign_in=False)  # no longer without sign-in
    assert one_line(again, 5).startswith("posapp: sign in to manage operators: set POSAPP_OPERATOR and POSAPP_SECRET")
    listed = posapp("order", "list", env=as_("root", "Head office 2026"))
    assert (listed.returncode, listed.stdout) == (0, "No orders.\n")


def test_operators_are_added_listed_disabled_reset_and_unlocked(posapp, posapp_home):
    assert add(posapp, "cara", "cashier", PIN, sign_in=True).returncode == 0
    for secret, why in (("123456", "that PIN is easy to guess"), ("12a456", "a cashier's PIN is digits only"),
                        ("4829", "a cashier's PIN has at least 6 digits")):
        assert why in one_line(add(posapp, "cody", "cashier", secret), 2)
    assert "a password cannot contain the login" in one_line(add(posapp, "sam", "supervisor", "sam is 12345678"), 2)
    assert "there is an operator 'cara' already" in one_line(add(posapp, "cara", "cashier", "730519"), 2)
    assert add(posapp, "sam", "supervisor", SUPERVISOR_SECRET, ).returncode == 0
    listed = json.loads(posapp("operator", "list", "--json").stdout)["operators"]
    assert [(each["login"], each["role"], each["disabled"]) for each in listed] == [
        (ADMIN, "admin", False), ("cara", "cashier", False), ("sam", "supervisor", False)]
    assert all("hash" not in key for each in listed for key in each)
    assert "argon2" not in posapp("operator", "list").stdout + posapp("operator", "list", "--json").stdout

    cara = as_("cara", PIN)
    assert posapp("order", "list", env=cara).returncode == 0
    assert posapp("operator", "disable", "cara").stdout == "Operator cara disabled: it can no longer sign in.\n"
    assert one_line(posapp("order", "list", env=cara), 5) == (
        "posapp: operator cara is disabled: ask an administrator (needed to look up the orders of this till)\n")
    assert one_line(posapp("operator", "disable", ADMIN), 2) == (
        f"posapp: {ADMIN} is the last enabled administrator: add another one first\n")
    assert posapp("operator", "enable", "cara").stdout == "Operator cara enabled: it can sign in again.\n"
    assert posapp("order", "list", env=cara).returncode == 0

    assert posapp("operator", "reset", "sam", env={"POSAPP_NEW_SECRET": "Another pass 88"}).returncode == 0
    assert one_line(posapp("order", "list", env=as_("sam", SUPERVISOR_SECRET)), 5) == (
        "posapp: sign-in refused: wrong login or secret (needed to look up the orders of this till)\n")
    assert posapp("order", "list", env=as_("sam", "Another pass 88")).returncode == 0
    assert "a password (every role but cashier signs in with one) has at least 12" in one_line(
        posapp("operator", "reset", "sam", env={"POSAPP_NEW_SECRET": "short"}), 2)
    assert all(journal(posapp_home, action) for action in ("operator-add", "operator-disable", "operator-enable",
                                                           "operator-reset"))


def test_six_failed_sign_ins_lock_an_operator_until_an_administrator_unlocks_it(posapp, posapp_home):
    assert add(posapp, "cara", "cashier", PIN).returncode == 0
    for attempt in range(1, 7):
        refused = one_line(posapp("order", "list", env=as_("cara", "000111")), 5)
        assert refused.startswith("posapp: sign-in refused: wrong login or secret")
        assert ("is now locked for 30 minutes" in refused) == (attempt == 6)
        assert refused.endswith(" (needed to look up the orders of this till)\n")
    locked = one_line(posapp("order", "list", env=as_("cara", PIN)), 5)  # the right PIN, the 7th time
    assert locked.startswith("posapp: operator cara is locked after 6 failed sign-ins, until ")
    assert [row[2] for row in journal(posapp_home, "sign-in") if row[1] == "cara"][-2:] == ["locked-out", "locked"]
    assert posapp("operator", "unlock", "cara").stdout == "Operator cara unlocked.\n"
    assert posapp("order", "list", env=as_("cara", PIN)).returncode == 0


def test_a_cashier_voids_only_with_a_supervisors_approval_and_the_journal_names_both(posapp, posapp_home):
    assert add(posapp, "cara", "cashier", PIN).returncode == 0
    assert add(posapp, "sam", "supervisor", SUPERVISOR_SECRET).returncode == 0
    cara = as_("cara", PIN)
    for _ in range(2):
        assert posapp("order", "new", "--name", "Tea", "--amount", "2", "--card-stdin",
                      stdin=random_pan("4", 16) + "\n", env=cara).returncode == 0
    refused = one_line(posapp("order", "void", "1", env=cara), 5)
    assert refused == "posapp: operator cara (cashier) may not void orders\n"
    wrong = one_line(posapp("order", "void", "1", env={**cara, "POSAPP_SUPERVISOR": "sam",
                                                        "POSAPP_SUPERVISOR_SECRET": "Wrong pass 123"}), 5)
    assert wrong == ("posapp: the supervisor's approval was refused: sign-in refused: wrong login or secret "
                     "(needed to void orders)\n")
    no_secret = one_line(posapp("order", "void", "1", env={**cara, "POSAPP_SUPERVISOR": "sam"}), 5)
    assert no_secret == ("posapp: POSAPP_SUPERVISOR is set but POSAPP_SUPERVISOR_SECRET is not: a supervisor's "
                         "approval needs both (or a terminal to type the secret at)\n")
    not_a_supervisor = one_line(posapp("order", "void", "1", env={**cara, "POSAPP_SUPERVISOR": "cara",
                                                                   "POSAPP_SUPERVISOR_SECRET": PIN}), 5)
    assert not_a_supervisor == "posapp: operator cara (cashier) may not approve: void orders\n"
    assert json.loads(posapp("order", "show", "1", "--json").stdout)["status"] == "recorded"

    approved = posapp("order", "void", "1", env={**cara, "POSAPP_SUPERVISOR": "sam",
                                                  "POSAPP_SUPERVISOR_SECRET": SUPERVISOR_SECRET})
    assert (approved.returncode, approved.stdout) == (0, "Order 1 voided ($2.00), approved by sam.\n")
    by_supervisor = posapp("order", "void", "2", env=as_("sam", SUPERVISOR_SECRET))
    assert (by_supervisor.returncode, by_supervisor.stdout) == (0, "Order 2 voided ($2.00).\n")
    twice = one_line(posapp("order", "void", "2", env=as_("sam", SUPERVISOR_SECRET)), 2)
    assert twice == ("posapp: order 2 is voided: only an order recorded as card on file or an uncaptured "
                     "authorization can be voided\n")
    listed = posapp("order", "list", env=as_("sam", SUPERVISOR_SECRET)).stdout.splitlines()[1:]  # under the header
    assert [line.endswith("Tea  [VOIDED]") for line in listed] == [True, True]  # never read as takings
    assert [(operator, target, outcome, json.loads(details)) for operator, target, outcome, details
            in journal(posapp_home, "void")] == [("cara", "1", "ok", {"approved_by": "sam"}), ("sam", "2", "ok", {})]
    assert [row[:3] for row in journal(posapp_home, "override")] == [
        ("sam", "sam", "failed"), ("cara", "cara", "ok"), ("cara", "cara", "refused"), ("sam", "sam", "ok")]
