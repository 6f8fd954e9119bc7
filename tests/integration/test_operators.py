"""Signing in against the order database: lockout (PCI DSS 8.3.4) with an injected clock,
unlocking, disabled and unknown operators, and failures at two tills at once."""

import datetime
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from kit import NOW, journal_setup
from pan_forms import pans, written

from posapp.access.operators import FIRST_ADMIN_HINT, NoOperators, Operators, SignInRefused
from posapp.access.roles import Permission, Role
from posapp.errors import ExitCode, InvalidInput, NotPermitted
from posapp.orders.journal import JournalFilter
from posapp.orders.sql import SqlOrderStore

PIN, ADMIN_PASSWORD = "583920", "Back-office-2026"
MINUTE = datetime.timedelta(minutes=1)


class Clock:
    """A clock the test moves."""

    def __init__(self, start=NOW):
        self.now = start

    def __call__(self):
        return self.now

    def advance(self, delta):
        self.now += delta


@pytest.fixture
def clock():
    return Clock()


def operators_on(store, clock):
    return Operators(store.operators, store.journal, clock=clock)  # as app.py builds them


@pytest.fixture
def shop(tmp_path, clock):
    """Operators of a fresh SQLite order history: an administrator and a cashier."""
    store = SqlOrderStore(f"sqlite:///{tmp_path}/orders.db", journal=journal_setup(clock=clock))
    store.provision()
    operators = operators_on(store, clock)
    operators.add(None, "admin", Role.ADMIN, "The Admin", ADMIN_PASSWORD)
    admin = operators.sign_in("admin", ADMIN_PASSWORD)
    operators.add(admin, "anna", Role.CASHIER, "Anna", PIN)
    return operators, admin, store


def actions(store, login=None):
    """(action, outcome) of every journal entry about ``login`` (or all), oldest first."""
    return [(each.action, each.outcome) for each in store.journal.page(JournalFilter(), limit=500)
            if login is None or each.target == login]


def fail(operators, login="anna", times=1):
    for _ in range(times):
        with pytest.raises(SignInRefused):
            operators.sign_in(login, "000111")


def test_six_failures_lock_the_operator_for_thirty_minutes(shop, clock):
    operators, _, store = shop
    fail(operators, times=5)
    with pytest.raises(SignInRefused, match="^sign-in refused: wrong login or secret; operator anna is "
                                            "now locked for 30 minutes$") as sixth:
        operators.sign_in("anna", "000111")
    assert sixth.value.exit_code is ExitCode.NOT_PERMITTED
    with pytest.raises(SignInRefused, match="operator anna is locked after 6 failed sign-ins, until 12:30 UTC"):
        operators.sign_in("anna", PIN)  # the right PIN, but locked
    clock.advance(30 * MINUTE - datetime.timedelta(seconds=1))
    with pytest.raises(SignInRefused, match="locked"):
        operators.sign_in("anna", PIN)
    clock.advance(datetime.timedelta(seconds=1))
    assert operators.sign_in("anna", PIN).login == "anna"
    assert actions(store, "anna")[1:] == [("sign-in", "failed")] * 5 + [
        ("sign-in", "locked-out"), ("sign-in", "locked"), ("sign-in", "locked"), ("sign-in", "ok")]


def test_a_success_resets_the_count_and_only_six_in_a_row_lock(shop):
    operators, _, _ = shop
    fail(operators, times=5)
    operators.sign_in("anna", PIN)
    fail(operators, times=5)
    assert operators.sign_in("anna", PIN).role is Role.CASHIER


def test_after_a_lock_runs_out_the_count_starts_again(shop, clock):
    operators, _, _ = shop
    fail(operators, times=6)
    clock.advance(31 * MINUTE)
    fail(operators)  # one failure after the lock: not locked again at once
    assert operators.sign_in("anna", PIN).login == "anna"


def test_an_administrator_unlocks_a_locked_operator(shop):
    operators, admin, store = shop
    fail(operators, times=6)
    cashier_ben = operators.add(admin, "ben", Role.CASHIER, "Ben", "640213")
    ben = operators.sign_in(cashier_ben.login, "640213")
    with pytest.raises(NotPermitted, match=r"operator ben \(cashier\) may not manage operators"):
        operators.unlock(ben, "anna")
    with pytest.raises(SignInRefused, match="locked"):
        operators.sign_in("anna", PIN)
    unlocked = operators.unlock(admin, "anna")
    assert (unlocked.failed_attempts, unlocked.locked_until) == (0, None)
    assert operators.sign_in("anna", PIN).login == "anna"
    assert ("operator-unlock", "ok") in actions(store, "anna")


def test_a_disabled_operator_is_refused_even_with_the_right_secret(shop):
    operators, admin, store = shop
    operators.disable(admin, "anna")
    with pytest.raises(SignInRefused, match="^operator anna is disabled: ask an administrator$"):
        operators.sign_in("anna", PIN)
    assert actions(store, "anna")[-2:] == [("operator-disable", "ok"), ("sign-in", "refused")]


def test_an_unknown_login_is_refused_with_the_sentence_of_a_wrong_secret(shop):
    operators, _, store = shop
    with pytest.raises(SignInRefused) as wrong_secret:
        operators.sign_in("anna", "000111")
    with pytest.raises(SignInRefused) as unknown:
        operators.sign_in("zoe", PIN)
    assert str(unknown.value) == str(wrong_secret.value) == "sign-in refused: wrong login or secret"
    [entry] = [each for each in store.journal.page(JournalFilter(action="sign-in")) if each.details_dict().get(
        "reason") == "unknown login"]
    assert (entry.operator, entry.target, entry.outcome) == (None, None, "failed")


def test_a_login_that_may_be_a_secret_is_never_echoed_or_journalled(shop):
    operators, _, store = shop
    with pytest.raises(SignInRefused, match="^sign-in refused: wrong login or secret$"):
        operators.sign_in("my secret pin 583920", PIN)  # typed into the wrong field
    assert all("583920" not in repr(each) for each in store.journal.page(JournalFilter()))


def test_while_no_operator_exists_sign_in_tells_how_to_create_the_first(tmp_path, clock):
    store = SqlOrderStore(f"sqlite:///{tmp_path}/orders.db", journal=journal_setup(clock=clock))
    store.provision()
    operators = operators_on(store, clock)
    assert not operators.exist()
    with pytest.raises(NoOperators, match=f"create the first administrator with '{FIRST_ADMIN_HINT}'"):
        operators.sign_in("anyone", "whatever123456")
    with pytest.raises(NoOperators):
        operators.add(None, "anna", Role.CASHIER, None, PIN)  # the first one is an administrator
    operators.add(None, "root", Role.ADMIN, None, ADMIN_PASSWORD)
    with pytest.raises(NotPermitted, match="operators exist already: sign in as an administrator"):
        operators.add(None, "second", Role.ADMIN, None, ADMIN_PASSWORD)  # only while none exists


def test_an_override_needs_a_supervisor_who_may_do_it(shop):
    operators, admin, store = shop
    operators.add(admin, "sue", Role.SUPERVISOR, "Sue", "Supervisor-2026")
    operators.add(admin, "carl", Role.CASHIER, "Carl", "749305")
    anna = operators.sign_in("anna", PIN)
    approved = operators.approve(anna, "sue", "Supervisor-2026", Permission.VOID)
    assert approved.may(Permission.VOID) and approved.approval == {"approved_by": "sue"}
    with pytest.raises(NotPermitted, match=r"operator carl \(cashier\) may not approve: void orders"):
        operators.approve(anna, "carl", "749305", Permission.VOID)
    with pytest.raises(SignInRefused):
        operators.approve(anna, "sue", "wrong-password-1", Permission.VOID)
    assert [(each.action, each.outcome, each.operator) for each in store.journal.page(JournalFilter(
        action="override"))] == [("override", "ok", "sue"), ("override", "ok", "carl"),
                                 ("override", "refused", "carl"), ("override", "failed", "sue")]


def test_secrets_are_kept_only_as_argon2id_hashes(shop):
    operators, admin, store = shop
    records = {each.login: each for each in operators.all(admin)}
    assert records["anna"].secret_hash.startswith("$argon2id$") and PIN not in records["anna"].secret_hash
    assert PIN not in repr(records["anna"]) and records["anna"].secret_hash not in repr(records["anna"])


@pytest.fixture
def backend_operators(backend_url, clock):
    store = SqlOrderStore(backend_url, password=lambda: __import__("mariadbtest").POS_PASSWORD,
                          journal=journal_setup(clock=clock))
    store.provision()
    operators = operators_on(store, clock)
    operators.add(None, "admin", Role.ADMIN, None, ADMIN_PASSWORD)
    operators.add(operators.sign_in("admin", ADMIN_PASSWORD), "anna", Role.CASHIER, "Anna", PIN)
    return operators, store


def test_failures_at_two_tills_at_once_are_all_counted(backend_operators):
    operators, store = backend_operators
    for _ in range(3):  # two tills, each failing at the same moment, three times
        start = threading.Barrier(2)
        errors = []

        def attempt():
            start.wait()
            try:
                operators.sign_in("anna", "000111")
            except SignInRefused as refused:
                errors.append(refused)

        threads = [threading.Thread(target=attempt) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(errors) == 2
    assert sorted(actions(store, "anna")[1:]) == sorted([("sign-in", "failed")] * 5 + [("sign-in", "locked-out")])
    with pytest.raises(SignInRefused, match="is locked after 6 failed sign-ins"):
        operators.sign_in("anna", PIN)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=pans().flatmap(written))
def test_an_operators_name_never_holds_a_card_number_in_any_form(shop, name):
    operators, admin, store = shop
    with pytest.raises(InvalidInput, match="operator's name contains what looks like a card number"):
        operators.add(admin, "newcomer", Role.CASHIER, f"Ann {name}", "290517")
    assert store.operators.find("newcomer") is None


@pytest.mark.parametrize(("name", "why"), [
    ("Bo\x1b[31mRed", "contains a control character"),
    ("Eve\u202eevil", "contains a control character"),
    ("x" * 129, "has at most 128 characters"),
    ("   ", "is empty"),
])
def test_an_operators_name_is_refused_as_an_order_name_would_be(shop, name, why):
    operators, admin, store = shop
    with pytest.raises(InvalidInput, match=why):
        operators.add(admin, "newcomer", Role.CASHIER, name, "290517")
    assert store.operators.find("newcomer") is None
