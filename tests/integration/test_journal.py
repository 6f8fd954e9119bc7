"""The audit journal in the order database, on SQLite and MariaDB: what a session of sales
writes, and every change made to it with plain SQL caught by ``audit verify``'s check."""

import contextlib
import datetime
import sqlite3
import threading
import uuid
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kit import ADMIN, CASHIER, NOW, journal_setup, local_vault, sale
from mariadbtest import POS_PASSWORD
from orderstores import BACKENDS

from posapp import audit_trail, pairing
from posapp.access.operators import Operators, SignInRefused
from posapp.access.roles import Role
from posapp.audit.chain import Event
from posapp.checkout import CheckoutService
from posapp.errors import NotPermitted
from posapp.orders import OrderStoreUnavailable
from posapp.orders.journal import JournalFilter
from posapp.orders.sql import SqlOrderStore
from posapp.vault import VaultUnavailable


class Shop:
    """A local vault (the audit key and anchors) and an order history on ``backend``, with a
    settable clock and plain SQL against the order database, as someone with its password has."""

    def __init__(self, backend, request, tmp_path):
        self.now = NOW
        self.vault = local_vault(tmp_path)
        if backend == "sqlite":
            self.url = f"sqlite:///{tmp_path}/orders.db"
            self._sqlite = tmp_path / "orders.db"
        else:
            database, self._mariadb = request.getfixturevalue("mysql_db"), request.getfixturevalue("mariadb")
            self.url, self._database = database.url, database.name
        self.orders = self.store("till-01")
        self.vault.provision()
        pairing.provision(self.vault, self.orders)
        self.operators = Operators(self.orders.operators, self.orders.journal, clock=self.clock)

    def clock(self):
        return self.now

    def store(self, workstation):
        """This order history as till ``workstation`` journals into it."""
        return SqlOrderStore(self.url, password=lambda: POS_PASSWORD,
                             journal=journal_setup(self.vault, workstation=workstation, clock=self.clock))

    def checkout(self, operator=CASHIER, workstation="till-01", orders=None):
        return CheckoutService(self.vault, orders or self.orders, workstation=workstation, operator=operator,
                               clock=self.clock)

    def sql(self, *statements):
        if hasattr(self, "_sqlite"):
            with sqlite3.connect(self._sqlite) as db:
                return [db.execute(statement).fetchall() for statement in statements][-1]
        return [self._mariadb.execute(statement, database=self._database) for statement in statements][-1]

    def verify(self):
        return {report.workstation: report for report in audit_trail.verify(self.vault, self.orders.journal)}

    def entries(self, workstation="till-01"):
        return list(self.orders.journal.chain(workstation))


@pytest.fixture(params=BACKENDS)
def shop(request, tmp_path):
    return Shop(request.param, request, tmp_path)


def session(shop):
    """Sign-ins, sales recorded, refused by the vault and compensated for the order history, a
    sign-out: 9 entries, the newest anchored (the clock moves past the anchors' 5 minutes)."""
    shop.operators.add(None, "admin", Role.ADMIN, None, "Back-office-2026")
    admin = shop.operators.sign_in("admin", "Back-office-2026")
    shop.operators.add(admin, "cashier-1", Role.CASHIER, "Cashier One", "583920")
    with pytest.raises(SignInRefused):
        shop.operators.sign_in("cashier-1", "000111")
    cashier = shop.operators.sign_in("cashier-1", "583920")
    checkout = shop.checkout(cashier)
    first = checkout.checkout(sale("Coffee"))
    with mock.patch.object(shop.vault, "tokenize", side_effect=VaultUnavailable("the vault is busy")):
        with pytest.raises(VaultUnavailable):
            checkout.checkout(sale("Tea"))
    shop.now += datetime.timedelta(minutes=6)  # the next entry is anchored
    with mock.patch.object(shop.orders, "add", side_effect=OrderStoreUnavailable("disk full")):
        with pytest.raises(OrderStoreUnavailable):
            checkout.checkout(sale("Cake"))
    second = checkout.checkout(sale("Bagel"))
    shop.now += datetime.timedelta(minutes=6)
    shop.operators.sign_out(cashier)
    return first, second


def test_a_session_of_sales_and_refusals_is_journalled_in_order(shop):
    first, second = session(shop)
    entries = shop.entries()
    assert [(each.seq, each.operator, each.action, each.target, each.outcome) for each in entries] == [
        (1, None, "operator-add", "admin", "ok"),
        (2, "admin", "sign-in", "admin", "ok"),
        (3, "admin", "operator-add", "cashier-1", "ok"),
        (4, "cashier-1", "sign-in", "cashier-1", "failed"),
        (5, "cashier-1", "sign-in", "cashier-1", "ok"),
        (6, "cashier-1", "sale", str(first.id), "recorded"),
        (7, "cashier-1", "sale", None, "refused"),
        (8, "cashier-1", "sale", None, "compensated"),
        (9, "cashier-1", "sale", str(second.id), "recorded"),
        (10, "cashier-1", "sign-out", "cashier-1", "ok"),
    ]
    recorded = entries[5].details_dict()
    assert recorded["token"] == first.token and recorded["last4"] == first.card_last4
    assert entries[6].details_dict()["by"] == "vault"
    assert entries[7].details_dict()["by"] == "order history" and entries[7].details_dict()["token"]
    assert all(each.at.tzinfo is datetime.timezone.utc for each in entries)
    assert shop.vault.anchors()["till-01"].seq == 10
    [report] = shop.verify().values()
    assert report.whole and report.verified == 10


TAMPERING = {  # (plain SQL, the first seq that fails)
    "change details": (["UPDATE posapp_journal SET details = '{\"amount_minor\":1}' WHERE seq = 6"], 6),
    "change operator": (["UPDATE posapp_journal SET operator = 'admin' WHERE seq = 9"], 9),
    "delete a middle entry": (["DELETE FROM posapp_journal WHERE seq = 4"], 4),
    "swap two entries": (["UPDATE posapp_journal SET seq = 1000 WHERE seq = 5",
                          "UPDATE posapp_journal SET seq = 5 WHERE seq = 7",
                          "UPDATE posapp_journal SET seq = 7 WHERE seq = 1000"], 5),
    "delete the newest entries past the anchor": (["DELETE FROM posapp_journal WHERE seq >= 8"], 8),
    "delete every entry": (["DELETE FROM posapp_journal"], 1),
}


@pytest.mark.parametrize("tampering", TAMPERING)
def test_each_change_made_with_sql_is_caught_at_its_first_entry(shop, tampering):
    session(shop)
    statements, first_bad = TAMPERING[tampering]
    shop.sql(*statements)
    report = shop.verify()["till-01"]
    assert not report.whole
    assert (report.broken_at, report.verified) == (first_bad, first_bad - 1), report.reason


def test_two_workstations_chains_verify_independently(shop):
    other = shop.store("till-02")
    here, there = shop.checkout(), shop.checkout(workstation="till-02", orders=other)
    for _ in range(3):
        here.checkout(sale())
        there.checkout(sale())
    assert [each.seq for each in shop.entries("till-02")] == [1, 2, 3]
    assert all(report.whole and report.verified == 3 for report in shop.verify().values())
    shop.sql("UPDATE posapp_journal SET details = '{}' WHERE workstation = 'till-02' AND seq = 2")
    reports = shop.verify()
    assert reports["till-01"].whole and reports["till-01"].verified == 3
    assert reports["till-02"].broken_at == 2
    assert [report.workstation for report in audit_trail.verify(shop.vault, shop.orders.journal, only="till-01")] \
        == ["till-01"]


def test_a_refused_action_and_a_void_are_journalled_with_who_approved_it(shop):
    order = shop.checkout().checkout(sale())
    with pytest.raises(NotPermitted):
        shop.checkout(operator=ADMIN.__class__("bo-1", "Back Office", Role.BACKOFFICE)).checkout(sale())
    from posapp.voids import void

    supervisor = ADMIN.__class__("sue", "Sue", Role.SUPERVISOR)
    voided = void(shop.orders, CASHIER.approved(supervisor), order.id, workstation="till-01")
    assert voided.status == "voided"
    newest = shop.entries()[-1]
    assert (newest.action, newest.operator, newest.target, newest.details_dict()) == (
        "void", CASHIER.login, str(order.id), {"approved_by": "sue"})
    assert len(shop.orders.journal.page(JournalFilter(action="sale"))) == 1  # the refused sale wrote nothing


def refuse_journal_inserts(shop, backend):
    if backend == "sqlite":
        shop.sql("CREATE TRIGGER refuse BEFORE INSERT ON posapp_journal BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    else:
        shop.sql("CREATE TRIGGER refuse BEFORE INSERT ON posapp_journal FOR EACH ROW "
                 "SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'disk full'")


def test_no_sale_without_its_entry(shop, request, caplog):
    backend = request.node.callspec.params["shop"]
    kept = shop.checkout().checkout(sale())
    refuse_journal_inserts(shop, backend)
    with pytest.raises(OrderStoreUnavailable, match="disk full"):
        shop.checkout().checkout(sale("Tea"))
    assert [order.id for order in shop.orders.page().orders] == [kept.id]  # the order was rolled back with it
    assert [entry.token for entry in shop.vault.entries()] == [kept.token]  # and its card removed again
    assert "could not be journalled" in caplog.text  # the compensation's own entry could not be written either
    assert shop.verify()["till-01"].whole


def test_a_local_tills_services_verify_its_journal(services, posapp_home):
    from kit import sell

    for _ in range(3):
        sell(services)
    [report] = services.verify_journal()
    assert (report.workstation, report.verified, report.whole) == (services.workstation, 3, True)
    with sqlite3.connect(posapp_home / "data" / "orders.db") as db:
        db.execute("UPDATE posapp_journal SET target = '999' WHERE seq = 2")
    [report] = services.verify_journal()
    assert (report.workstation, report.broken_at, report.reason) == (services.workstation, 2, "entry 2 was changed")


def test_two_processes_of_one_till_and_a_rolled_back_entry_keep_the_chain_whole(shop):
    gui, cli = shop.orders, shop.store("till-01")  # each remembers the newest entry it wrote
    for orders in (gui, cli, cli, gui, gui, cli):
        shop.checkout(orders=orders).checkout(sale())
    with pytest.raises(RuntimeError), gui.transaction() as (_, record):
        record(Event("settings-change", "ok", "admin-1"))
        raise RuntimeError("the change failed after its entry: both are rolled back")
    shop.checkout(orders=gui).checkout(sale())
    assert [each.seq for each in shop.entries()] == list(range(1, 8))
    report = shop.verify()["till-01"]
    assert report.whole and report.verified == 7


def test_processes_of_two_tills_appending_at_once_keep_every_chain_whole(shop):
    """Four processes of till-01 (each its own connections and guess of the newest entry) and one
    of till-02 sell at once: every sale has its entry, no seq is skipped or taken twice, and no
    sale fails on the journal (a deadlock would roll one back)."""
    processes = [(shop.store("till-01"), "till-01") for _ in range(4)] + [(shop.store("till-02"), "till-02")]
    failures = []

    def sell(orders, workstation):
        try:
            checkout = shop.checkout(workstation=workstation, orders=orders)
            for _ in range(15):
                checkout.checkout(sale())
        except Exception as error:  # noqa: BLE001 - reported below, with the others
            failures.append(error)

    threads = [threading.Thread(target=sell, args=process) for process in processes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert [each.seq for each in shop.entries("till-01")] == list(range(1, 61))
    assert [each.seq for each in shop.entries("till-02")] == list(range(1, 16))
    assert all(report.whole for report in shop.verify().values())


@settings(max_examples=15, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # each example has its own till
@given(st.lists(st.tuples(st.integers(0, 2), st.booleans()), min_size=1, max_size=12))
def test_any_order_of_appends_and_rollbacks_by_three_processes_keeps_a_chain_whole(shop, steps):
    """Three processes of one till take turns at random, and some changes fail after their entry
    was written (both rolled back): the committed entries are numbered 1, 2, 3… and verify."""
    workstation = f"till-{uuid.uuid4().hex[:8]}"
    processes = [shop.store(workstation) for _ in range(3)]
    committed = 0
    for process, fails in steps:
        with (pytest.raises(RuntimeError) if fails else contextlib.nullcontext(),
              processes[process].transaction() as (_, record)):
            record(Event("settings-change", "ok", "admin-1"))
            if fails:
                raise RuntimeError("the change failed after its entry")
        committed += not fails
    assert [each.seq for each in shop.entries(workstation)] == list(range(1, committed + 1))
    report = shop.verify().get(workstation)  # none when nothing was ever committed
    assert (report.verified, report.whole) == (committed, True) if committed else report is None
