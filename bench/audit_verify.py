"""``posapp audit verify`` over 100,000 journal entries, on MariaDB and on SQLite.

- audit_verify_entries_per_s: entries checked per second by ``audit_trail.verify`` (reading them
  from the order database and recomputing each HMAC), on a private MariaDB over its socket;
  goal ≥ 50,000. The median of 3 runs.
- audit_verify_entries_per_s_sqlite: the same on a SQLite file.

The entries are chained by posapp.audit.chain and written in bulk (a journal that size takes a
till months of sales); the key and anchor come from a stand-in for the vault, which verify asks
for nothing else.
"""

from __future__ import annotations

import datetime
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pymysql

sys.path.insert(0, str(Path(__file__).parent))

from mariadb import private_mariadb  # noqa: E402
from results import print_table, record  # noqa: E402

from posapp import audit_trail  # noqa: E402
from posapp.audit.chain import GENESIS, Anchor, Event, entry  # noqa: E402
from posapp.orders.schema import journal, naive_utc  # noqa: E402
from posapp.orders.sql import SqlOrderStore  # noqa: E402

ENTRIES, RUNS, BATCH = 100_000, 3, 5_000
KEY = bytes(range(32))
WORKSTATION = "bench-till"
START = datetime.datetime(2026, 1, 1, 8, 0, tzinfo=datetime.timezone.utc)


class AuditKeeper:
    """What verify asks of the vault: the audit key and the anchors."""

    def __init__(self, anchor: Anchor):
        self._anchor = anchor

    def audit_key(self) -> bytes:
        return KEY

    def anchors(self) -> dict[str, Anchor]:
        return {self._anchor.workstation: self._anchor}


def chained_rows() -> tuple[list[dict[str, object]], Anchor]:
    """ENTRIES entries like a till's (sales mostly), as rows, and an anchor at the newest."""
    rows, previous = [], GENESIS
    for seq in range(1, ENTRIES + 1):
        event = (Event("sale", "recorded", "cashier-1", str(seq), {
            "amount_minor": 350 + seq % 1000, "currency": "USD", "brand": "VISA", "last4": f"{seq % 10_000:04d}",
            "token": f"{seq:08x}-5a1e-4c0f-9b1d-2f6a8e4c7b3d", "idempotency_key": f"{seq:032x}"})
                 if seq % 20 else Event("sign-in", "ok", "cashier-1", "cashier-1"))
        one = entry(KEY, previous, WORKSTATION, seq, START + datetime.timedelta(seconds=30 * seq), event)
        rows.append({"workstation": one.workstation, "seq": one.seq, "at": naive_utc(one.at), "operator": one.operator,
                     "action": one.action, "target": one.target, "outcome": one.outcome, "details": one.details,
                     "chain": one.chain})
        previous = one.chain
    return rows, Anchor(WORKSTATION, one.seq, one.chain, one.at)


def fill(store: SqlOrderStore, rows: list[dict[str, object]]) -> None:
    store.provision()
    with store._engine.begin() as connection:
        for start in range(0, len(rows), BATCH):
            connection.execute(journal.insert(), rows[start:start + BATCH])


def entries_per_s(store: SqlOrderStore, keeper: AuditKeeper) -> float:
    times = []
    for _ in range(RUNS):
        began = time.perf_counter()
        [report] = audit_trail.verify(keeper, store.journal)
        times.append(time.perf_counter() - began)
        assert report.whole and report.verified == ENTRIES, report
    return ENTRIES / statistics.median(times)


def main() -> None:
    rows, anchor = chained_rows()
    keeper = AuditKeeper(anchor)
    figures: dict[str, object] = {}
    with private_mariadb(buffer_pool="256M") as sock:
        with pymysql.connect(unix_socket=sock, user="root", autocommit=True) as db, db.cursor() as cursor:
            cursor.execute("CREATE DATABASE bench")
        store = SqlOrderStore(f"mysql+pymysql://root@localhost/bench?unix_socket={sock}")
        fill(store, rows)
        figures["audit_verify_entries_per_s"] = round(entries_per_s(store, keeper))
    with tempfile.TemporaryDirectory(prefix="posapp-bench-sqlite-") as folder:
        store = SqlOrderStore(f"sqlite:///{folder}/orders.db")
        fill(store, rows)
        figures["audit_verify_entries_per_s_sqlite"] = round(entries_per_s(store, keeper))
    print_table([
        ("audit verify, 100,000 entries, MariaDB", f"{figures['audit_verify_entries_per_s']:,}/s", "goal ≥ 50,000/s"),
        ("audit verify, 100,000 entries, SQLite", f"{figures['audit_verify_entries_per_s_sqlite']:,}/s", ""),
    ])
    print(f"results in {record(figures)}")


if __name__ == "__main__":
    main()
