"""Order history paging on 1,000,000 orders in MariaDB: posapp's keyset pages against OFFSET.

Run: ``make bench`` (or ``.venv/bin/python bench/history_paging.py``). Starts a private
MariaDB, fills it, and times, interleaved in one run, posapp's first page, posapp's page
900,000 orders deep (``WHERE id < ? ORDER BY id DESC LIMIT 100``) and the same page read
with ``LIMIT 100 OFFSET 900000``; then the same depth in the list sorted by amount and by
time (keyset on the key and the id, migration 0011's indexes), against their first pages.
Ratios only: absolute times on a shared machine vary.
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

from posapp.orders import OrderSort, PageKey, SortKey  # noqa: E402
from posapp.orders.sql import SqlOrderStore, order_history  # noqa: E402

ORDERS = 1_000_000
DEPTH = 900_000
PAGE = 100
WARMUP, REPETITIONS = 20, 200


def fill(sock: str) -> None:
    with pymysql.connect(unix_socket=sock, user="root", database="bench", autocommit=True) as db, db.cursor() as c:
        # MariaDB's SEQUENCE engine makes the rows server-side in seconds.
        # Amounts repeat (5,000 values, two currencies) and times too (two orders a second): ties everywhere.
        c.execute(f"""INSERT INTO OrderHistory (OrderName, Description, AWS_PA_Token, amount_minor, currency,
                      card_brand, card_last4, created_at, workstation, status, captured_minor, refunded_minor)
                      SELECT CONCAT('Order ', seq), NULL, UUID(), 100 + seq % 5000, IF(seq % 10, 'USD', 'EUR'),
                             'VISA', LPAD(seq % 10000, 4, '0'), NOW() - INTERVAL ({ORDERS} - seq) DIV 2 SECOND,
                             'till-01', 'recorded', 0, 0
                      FROM seq_1_to_{ORDERS}""")
        c.execute("ANALYZE TABLE OrderHistory")


def deep_key(connection: sa.Connection, key: SortKey) -> PageKey:
    """The page key DEPTH orders deep in the list sorted by ``key``, descending, read with OFFSET once."""
    table = order_history.c
    columns = {SortKey.AMOUNT: (table.currency, table.amount_minor), SortKey.TIME: (table.created_at,)}[key]
    row = connection.execute(sa.select(*columns, table.UserPaymentAccountID).order_by(
        *(column.desc() for column in (*columns, table.UserPaymentAccountID))).limit(1).offset(DEPTH - 1)).one()
    return PageKey(row[-1], tuple(row[:-1]))


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

            sorted_by = {key: OrderSort(key, descending=True) for key in (SortKey.AMOUNT, SortKey.TIME)}
            deep_keys = {key: deep_key(connection, key) for key in sorted_by}
            cases = {
                "first": lambda: store.page(limit=PAGE).orders,
                "deep": lambda: store.page(before=deep_before, limit=PAGE).orders,
                "offset": offset_page,
                "amount_first": lambda: store.page(limit=PAGE, sort=sorted_by[SortKey.AMOUNT]).orders,
                "amount_deep": lambda: store.page(after=deep_keys[SortKey.AMOUNT], limit=PAGE,
                                                  sort=sorted_by[SortKey.AMOUNT]).orders,
                "time_first": lambda: store.page(limit=PAGE, sort=sorted_by[SortKey.TIME]).orders,
                "time_deep": lambda: store.page(after=deep_keys[SortKey.TIME], limit=PAGE,
                                                sort=sorted_by[SortKey.TIME]).orders,
            }
            assert [o.id for o in cases["deep"]()] == [row.UserPaymentAccountID for row in offset_page()]
            assert len(cases["amount_deep"]()) == len(cases["time_deep"]()) == PAGE
            samples: dict[str, list[float]] = {name: [] for name in cases}
            for repetition in range(WARMUP + REPETITIONS):
                for name, run in cases.items():  # interleaved: machine noise hits all three alike
                    began = time.perf_counter()
                    run()
                    if repetition >= WARMUP:
                        samples[name].append(time.perf_counter() - began)

    first, deep, offset = (median_ms(samples[name]) for name in ("first", "deep", "offset"))
    by_amount, by_time = ((median_ms(samples[f"{key}_first"]), median_ms(samples[f"{key}_deep"]))
                          for key in ("amount", "time"))
    figures = {
        "history_deep_page_vs_offset_speedup": round(offset / deep, 1),
        "history_deep_vs_first_page_ratio": round(deep / first, 2),
        "history_first_page_ms": round(first, 3),
        "history_deep_page_ms": round(deep, 3),
        "history_offset_deep_page_ms": round(offset, 3),
        "history_by_amount_deep_vs_first_page_ratio": round(by_amount[1] / by_amount[0], 2),
        "history_by_time_deep_vs_first_page_ratio": round(by_time[1] / by_time[0], 2),
        "history_by_amount_deep_page_ms": round(by_amount[1], 3),
    }
    print_table([
        ("keyset page 900,000 deep vs OFFSET (speed-up)", f"{figures['history_deep_page_vs_offset_speedup']}x", "goal ≥ 50"),
        ("keyset deep page / first page", f"{figures['history_deep_vs_first_page_ratio']}", "goal ≤ 2"),
        ("by amount: deep page / first page", f"{figures['history_by_amount_deep_vs_first_page_ratio']}", "goal ≤ 2"),
        ("by time: deep page / first page", f"{figures['history_by_time_deep_vs_first_page_ratio']}", "goal ≤ 2"),
        ("median first page", f"{first:.2f} ms", ""),
        ("median deep page (keyset)", f"{deep:.2f} ms", ""),
        ("median deep page (OFFSET)", f"{offset:.2f} ms", ""),
        ("median deep page by amount (keyset)", f"{by_amount[1]:.2f} ms", ""),
    ])
    print(f"results in {record(figures)}")


if __name__ == "__main__":
    main()
