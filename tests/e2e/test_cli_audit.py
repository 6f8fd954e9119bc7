"""``posapp audit list`` and ``audit verify`` over a till's journal, and a journal changed with plain SQL."""

import datetime
import json
import sqlite3

import pytest
from cardgen import random_pan
from signin import ADMIN

PIN = "482913"


def sell(posapp, **env):
    done = posapp("order", "new", "--name", "Tea", "--amount", "2", "--card-stdin", stdin=random_pan("4", 16) + "\n",
                  env=env)
    assert done.returncode == 0, done.stderr


@pytest.fixture
def till(posapp, posapp_home):
    """A till with a cashier who sold twice and once signed in wrong; its orders database."""
    assert posapp("operator", "add", "cara", "--role", "cashier", env={"POSAPP_NEW_SECRET": PIN}).returncode == 0
    cara = {"POSAPP_OPERATOR": "cara", "POSAPP_SECRET": PIN}
    sell(posapp, **cara)
    sell(posapp, **cara)
    assert posapp("order", "list", env={**cara, "POSAPP_SECRET": "999111"}).returncode == 5
    return posapp_home / "data" / "orders.db"


def entries(posapp, *filters):
    listed = posapp("audit", "list", "--json", *filters)
    assert listed.returncode == 0, listed.stderr
    return json.loads(listed.stdout)["entries"]


def test_audit_list_filters_and_json(posapp, till):
    everything = entries(posapp)
    assert [entry["seq"] for entry in everything] == list(range(1, len(everything) + 1))
    assert {entry["workstation"] for entry in everything} == {everything[0]["workstation"]}
    sales = entries(posapp, "--action", "sale")
    assert [(entry["operator"], entry["outcome"], entry["target"]) for entry in sales] == [
        ("cara", "recorded", "1"), ("cara", "recorded", "2")]
    assert set(sales[0]["details"]) >= {"token", "last4", "brand"} and "chain" in sales[0]
    by_cara = entries(posapp, "--operator", "cara")
    assert {entry["action"] for entry in by_cara} == {"sign-in", "sale"}
    assert [entry["outcome"] for entry in by_cara if entry["action"] == "sign-in"] == ["ok", "ok", "failed"]
    today = datetime.datetime.now(datetime.timezone.utc).date()
    assert len(entries(posapp, "--since", str(today), "--until", str(today), "--action", "sale")) == 2
    assert entries(posapp, "--until", str(today - datetime.timedelta(days=1))) == []
    assert entries(posapp, "--workstation", "no-such-till") == []
    text = posapp("audit", "list", "--action", "operator-add")
    assert text.returncode == 0 and text.stdout.count("\n") == 2 and " operator-add ok cara " in text.stdout
    bad = posapp("audit", "list", "--since", "yesterday")
    assert (bad.returncode, bad.stderr) == (2, "posapp: --since takes a date like 2026-11-29\n")
    assert entries(posapp, "--action", "audit-list", "--operator", ADMIN)  # reading the journal is journalled


def test_audit_verify_passes_a_whole_journal(posapp, till):
    verified = posapp("audit", "verify")
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout.endswith("Every chain is whole.\n") and ", whole\n" in verified.stdout


def workstation_and_last(orders_db):
    with sqlite3.connect(orders_db) as db:
        return db.execute("SELECT workstation, MAX(seq) FROM posapp_journal GROUP BY workstation").fetchone()


SWAP = ("UPDATE posapp_journal SET seq = -1 WHERE seq = {sale}; "
        "UPDATE posapp_journal SET seq = {sale} WHERE seq = {next}; "
        "UPDATE posapp_journal SET seq = {next} WHERE seq = -1")


@pytest.mark.parametrize("tamper, reason", [
    ("UPDATE posapp_journal SET details = '{{\"amount_minor\":1}}' WHERE seq = {sale}", "entry {sale} was changed"),
    ("DELETE FROM posapp_journal WHERE seq = {sale}", "entry {sale} is missing"),
    (SWAP, "entry {sale} was changed"),
], ids=["changed", "deleted", "swapped"])
def test_audit_verify_names_the_first_entry_changed_with_sql(posapp, till, tamper, reason):
    workstation, _ = workstation_and_last(till)
    with sqlite3.connect(till) as db:
        sale = db.execute("SELECT seq FROM posapp_journal WHERE action = 'sale' AND target = '1'").fetchone()[0]
        db.executescript(tamper.format(sale=sale, next=sale + 1))
    broken = posapp("audit", "verify")
    assert broken.returncode == 4, broken.stderr
    assert broken.stderr == (f"posapp: the journal of {workstation} is broken at entry {sale}: "
                             f"{reason.format(sale=sale)}\n")
    assert f"{workstation}: {sale - 1} entries verified, BROKEN at entry {sale}\n" in broken.stdout


def assert_anchor_kept(run, workstation, seq):
    assert (f"posapp: error: the audit journal of {workstation} no longer holds entry {seq} as it was anchored: "
            f"the anchor stays there, for 'posapp audit verify' to report") in run.stderr.splitlines()


def age_the_anchor(home):
    """As if this till's anchor had been recorded long ago: its next entry is anchored then."""
    with sqlite3.connect(home / "data" / "vault.db") as db:
        key, value = db.execute("SELECT key, value FROM vault_meta WHERE key LIKE 'anchor:%'").fetchone()
        db.execute("UPDATE vault_meta SET value = ? WHERE key = ?",
                   (json.dumps({**json.loads(value), "at": "2000-01-01T00:00:00+00:00"}), key))
        return key


def test_audit_verify_notices_the_newest_entries_deleted_past_the_anchor(posapp, posapp_home, till):
    key = age_the_anchor(posapp_home)
    assert posapp("order", "list").returncode == 0  # its sign-in is anchored
    with sqlite3.connect(posapp_home / "data" / "vault.db") as db:
        anchored = json.loads(db.execute("SELECT value FROM vault_meta WHERE key = ?", (key,)).fetchone()[0])["seq"]
    workstation, _ = workstation_and_last(till)
    kept = anchored - 3  # the verifying sign-in is journalled as kept + 1, after the newest entry left
    with sqlite3.connect(till) as db:
        db.execute("DELETE FROM posapp_journal WHERE seq > ?", (kept,))
    broken = posapp("audit", "verify")
    assert broken.returncode == 4
    assert broken.stderr.splitlines()[0] == (f"posapp: the journal of {workstation} is broken at entry {kept + 2}: "
                                             f"entries {kept + 2} to {anchored} were deleted (the anchor reaches "
                                             f"{anchored})")
    assert_anchor_kept(broken, workstation, anchored)


def test_each_command_anchors_its_entries_so_deleting_the_newest_one_is_caught(posapp, till):
    """No aged anchor here: the till's last command (a refused sign-in) ended by anchoring it."""
    workstation, last = workstation_and_last(till)
    with sqlite3.connect(till) as db:
        db.execute("DELETE FROM posapp_journal WHERE seq = ?", (last,))
    broken = posapp("audit", "verify")  # its own sign-in takes the deleted entry's place, not its chain
    assert broken.returncode == 4
    assert broken.stderr.splitlines()[0] == (f"posapp: the journal of {workstation} is broken at entry {last}: "
                                             f"entry {last} differs from its anchor")
    assert_anchor_kept(broken, workstation, last)


def test_later_commands_never_carry_the_anchor_past_deleted_entries(posapp, till):
    """The trial's attack: delete the newest (anchored) entries, then let the till go on working.
    New entries take the deleted numbers; the anchor must stay where it was."""
    workstation, last = workstation_and_last(till)
    with sqlite3.connect(till) as db:
        db.execute("DELETE FROM posapp_journal WHERE seq > ?", (last - 2,))
    for _ in range(3):
        working = posapp("order", "list")
        assert working.returncode == 0  # the till works on, and says the journal was changed
        assert_anchor_kept(working, workstation, last)
    broken = posapp("audit", "verify")
    assert broken.returncode == 4
    assert broken.stderr.splitlines()[0] == (f"posapp: the journal of {workstation} is broken at entry {last}: "
                                             f"entry {last} differs from its anchor")


def test_an_entry_planted_as_the_next_one_is_named_and_the_till_works_on(posapp, till):
    workstation, last = workstation_and_last(till)
    with sqlite3.connect(till) as db:  # a copy of an old entry, numbered as the next one
        db.execute("INSERT INTO posapp_journal SELECT workstation, ?, at, operator, action, target, outcome, details, "
                   "chain FROM posapp_journal WHERE seq = 2", (last + 1,))
    assert posapp("order", "list").returncode == 0
    broken = posapp("audit", "verify")
    assert broken.returncode == 4
    assert broken.stderr.splitlines()[0] == (f"posapp: the journal of {workstation} is broken at entry {last + 1}: "
                                             f"entry {last + 1} was changed")


def test_vault_commands_and_provision_are_journalled_with_their_counts(posapp, till, tmp_path):
    cards = tmp_path / "cards.csv"
    cards.write_text(f"{random_pan('4', 16)},12/30\nnot a card\n")
    assert posapp("provision").returncode == 0
    assert posapp("vault", "verify", "--all").returncode == 0
    assert posapp("vault", "reconcile", "--dry-run").returncode == 0
    assert posapp("vault", "import", str(cards), "--out", str(tmp_path / "tokens.csv")).returncode == 2
    done = {entry["action"]: (entry["operator"], entry["outcome"], entry["details"])
            for entry in entries(posapp) if entry["action"] in ("provision", "vault-verify", "vault-reconcile",
                                                                "vault-import")}
    assert done["provision"] == (None, "ok", {})
    assert done["vault-verify"] == (ADMIN, "ok", {"all": True, "items": 2, "orders": 2, "failed": 0})
    assert done["vault-reconcile"] == (ADMIN, "ok", {"dry_run": True, "checked": 2, "referenced": 2, "imported": 0,
                                                     "noted": 0, "waiting": 0, "removed": 0})
    assert done["vault-import"] == (ADMIN, "ok", {"imported": 1, "refused": 1})
