"""Order history paging on 1,000,000 orders in MariaDB: posapp's keyset pages against OFFSET.

Run: ``make bench`` (or ``.venv/bin/python bench/history_paging.py``). Starts a private
MariaDB, fills it, and times, interleaved in one run, posapp's first page, posapp's page
900,000 orders deep (``WHERE id < ? ORDER BY id DESC LIMIT 100``) and the same page read
with ``LIMIT 100 OFFSET 900000``. Ratios only: absolute times on a shared machine vary.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pymysql
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).parent))

from mariadb import private_mariadb  # noqa: E402
from results import median_ms, print_table, record  # noqa: E402

from posapp.orders.sql import SqlOrderStore, order_history  # noqa: E402

ORDERS = 1_000_000
DEPTH = 900_000
PAGE = 100
WARMUP, REPETITIONS = 20, 200


def fill(sock: str) -> None:
    with pymysql.connect(unix_socket=sock, user="root", database="bench", autocommit=True) as db, db.cursor() as c:
        # MariaDB's SEQUENCE engine makes the rows server-side in seconds.
        c.execute(f"""INSERT INTO OrderHistory (OrderName, Description, AWS_PA_Token, amount_minor, currency,
                      card_brand, card_last4, created_at, workstation, status)
                      SELECT CONCAT('Order ', seq), NULL, UUID(), 100 + seq % 5000, 'USD', 'VISA',
                             LPAD(seq % 10000, 4, '0'), NOW() - INTERVAL ({ORDERS} - seq) SECOND, 'till-01',
                             'recorded'
                      FROM seq_1_to_{ORDERS}""")
        c.execute("ANALYZE TABLE OrderHistory")


def main() -> None:
    with private_mariadb() as sock:
        with pymysql.connect(unix_socket=sock, user="root", autocommit=True) as db, db.cursor() as c:
            c.execute("CREATE DATABASE bench")
        store = SqlOrderStore(f"mysql+pymysql://root@localhost/bench?unix_socket={sock}")
        store.provision()
        started = time.monotonic()
        fill(sock)
        print(f"filled {ORDERS:,} orders in {time.monotonic() - started:.0f} s")

        engine = sa.create_engine(f"mysql+pymysql://root@localhost/bench?unix_socket={sock}")
        table = order_history
        offset_query = table.select().order_by(table.c.UserPaymentAccountID.desc()).limit(PAGE).offset(DEPTH)
        with engine.connect() as connection:
            deep_before = connection.execute(sa.select(table.c.UserPaymentAccountID).order_by(
                table.c.UserPaymentAccountID.desc()).limit(1).offset(DEPTH - 1)).scalar_one()

            def offset_page():
                return connection.execute(offset_query).all()

            cases = {
                "first": lambda: store.page(limit=PAGE).orders,
                "deep": lambda: store.page(before=deep_before, limit=PAGE).orders,
                "offset": offset_page,
            }
            assert [o.id for o in cases["deep"]()] == [row.UserPaymentAccountID for row in offset_page()]
            samples: dict[str, list[float]] = {name: [] for name in cases}
            for repetition in range(WARMUP + REPETITIONS):
                for name, run in cases.items():  # interleaved: machine noise hits all three alike
                    began = time.perf_counter()
                    run()
                    if repetition >= WARMUP:
                        samples[name].append(time.perf_counter() - began)

    first, deep, offset = (median_ms(samples[name]) for name in ("first", "deep", "offset"))
    figures = {
        "history_deep_page_vs_offset_speedup": round(offset / deep, 1),
        "history_deep_vs_first_page_ratio": round(deep / first, 2),
        "history_first_page_ms": round(first, 3),
        "history_deep_page_ms": round(deep, 3),
        "history_offset_deep_page_ms": round(offset, 3),
    }
    print_table([
        ("keyset page 900,000 deep vs OFFSET (speed-up)", f"{figures['history_deep_page_vs_offset_speedup']}x", "goal ≥ 50"),
        ("keyset deep page / first page", f"{figures['history_deep_vs_first_page_ratio']}", "goal ≤ 2"),
        ("median first page", f"{first:.2f} ms", ""),
        ("median deep page (keyset)", f"{deep:.2f} ms", ""),
        ("median deep page (OFFSET)", f"{offset:.2f} ms", ""),
    ])
    print(f"results in {record(figures)}")


if __name__ == "__main__":
    main()
