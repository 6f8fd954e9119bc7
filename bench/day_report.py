"""The day report over a busy day in MariaDB: posapp's report against the bare GROUP BY it rests on.

Run: ``make bench`` (or ``.venv/bin/python bench/day_report.py``). Starts a private MariaDB, fills
it with 100,000 orders in one Auckland business day at one till (every status, three currencies,
every brand, eight operators) and 100,000 on the days either side, then times, interleaved in one
run, posapp's day report of that till (``DayReports.report``: its GROUP BY, the day's closes and
the report's journal entry, and the sums over the groups), the bare query a hand-written report
would start from (``SELECT status, currency, COUNT(*), SUM(amount_minor) … GROUP BY status,
currency`` over the same day and till), and posapp's own GROUP BY sent as plain SQL through PyMySQL.
The first ratio is what the report's fuller query (four group keys, seven aggregates) and posapp
cost over the bare one; the second, what posapp adds to its query. Ratios only: absolute times on a
shared machine vary.
"""

from __future__ import annotations

import datetime
import sys
import time
from pathlib import Path

import pymysql

sys.path.insert(0, str(Path(__file__).parent))

from mariadb import private_mariadb  # noqa: E402
from results import median_ms, print_table, record  # noqa: E402

from posapp.access.roles import Role, SignedIn  # noqa: E402
from posapp.localization import Localization  # noqa: E402
from posapp.orders.base import JournalSetup  # noqa: E402
from posapp.orders.reports_sql import group_query  # noqa: E402
from posapp.orders.sql import SqlOrderStore  # noqa: E402
from posapp.reports.day import DayReports  # noqa: E402

DAY_ORDERS = 100_000
OTHER_ORDERS = 100_000  # on the day before and the day after
DAY = datetime.date(2026, 11, 29)
LOCALIZATION = Localization.named("en_NZ", "Pacific/Auckland")  # the day spans two UTC dates
WARMUP, REPETITIONS = 10, 200
BACKOFFICE = SignedIn("bo", "Back Office", Role.BACKOFFICE)
BARE = """SELECT status, currency, COUNT(*), SUM(amount_minor) FROM OrderHistory
          WHERE created_at >= %s AND created_at < %s AND workstation = %s GROUP BY status, currency"""


def fill(sock: str, start: datetime.datetime, end: datetime.datetime) -> None:
    seconds = int((end - start).total_seconds())
    with pymysql.connect(unix_socket=sock, user="root", database="bench", autocommit=True) as db, db.cursor() as c:
        for count, first, till in ((DAY_ORDERS, start, "'till-01'"),
                                   (OTHER_ORDERS, start - datetime.timedelta(days=1), "CONCAT('till-0', seq % 4)")):
            spread = seconds if count == DAY_ORDERS else 3 * seconds  # the others: the day before to the day after
            # MariaDB's SEQUENCE engine makes the rows server-side in seconds; the day's are spread over it.
            c.execute(f"""INSERT INTO OrderHistory (OrderName, AWS_PA_Token, amount_minor, currency, card_brand,
                          card_last4, created_at, workstation, operator, status, captured_minor, refunded_minor)
                          SELECT CONCAT('Order ', seq), UUID(), 100 + seq % 5000, ELT(1 + seq % 3, 'NZD', 'USD', 'EUR'),
                                 ELT(1 + seq % 8, 'VISA', 'MASTERCARD', 'AMEX', 'DISCOVER', 'JCB', 'DINERS', 'UNIONPAY',
                                     'MAESTRO'),
                                 LPAD(seq % 10000, 4, '0'), '{first:%Y-%m-%d %H:%M:%S}' + INTERVAL ((seq - 1) * {spread} DIV {count}) SECOND, {till},
                                 CONCAT('op-', seq % 8),
                                 ELT(1 + seq % 8, 'paid', 'paid', 'recorded', 'partially_refunded', 'refunded',
                                     'declined', 'voided', 'authorized'),
                                 IF(seq % 8 IN (0, 1, 3, 4), 100 + seq % 5000, 0),
                                 CASE seq % 8 WHEN 3 THEN 50 WHEN 4 THEN 100 + seq % 5000 ELSE 0 END
                          FROM seq_1_to_{count}""")  # UTC, as posapp stores times
        c.execute("ANALYZE TABLE OrderHistory")


def main() -> None:
    start, end = LOCALIZATION.business_day(DAY)
    with private_mariadb() as sock:
        with pymysql.connect(unix_socket=sock, user="root", autocommit=True) as db, db.cursor() as c:
            c.execute("CREATE DATABASE bench")
        url = f"mysql+pymysql://root@localhost/bench?unix_socket={sock}"
        journal = JournalSetup("back-office", key=lambda: bytes(32), committed=lambda entry, journal: None,
                               clock=lambda: datetime.datetime.now(datetime.timezone.utc))
        store = SqlOrderStore(url, journal=journal)
        store.provision()
        began = time.monotonic()
        fill(sock, start, end)
        print(f"filled {DAY_ORDERS + OTHER_ORDERS:,} orders in {time.monotonic() - began:.0f} s")
        reports = DayReports(store, LOCALIZATION, workstation="till-01")

        with store.connection() as connection:
            own = str(group_query(start, end, "till-01").compile(connection, compile_kwargs={"literal_binds": True}))
        with pymysql.connect(unix_socket=sock, user="root", database="bench") as db, db.cursor() as c:
            bounds = (start.replace(tzinfo=None), end.replace(tzinfo=None), "till-01")

            def bare():
                c.execute(BARE, bounds)
                return c.fetchall()

            def its_query():
                c.execute(own)
                return c.fetchall()

            cases = {"report": lambda: reports.report(BACKOFFICE, DAY, "till-01"), "bare": bare, "own": its_query}
            report = cases["report"]()
            assert report.orders == DAY_ORDERS == sum(row[2] for row in bare()), (report.orders, bare())
            samples: dict[str, list[float]] = {name: [] for name in cases}
            for repetition in range(WARMUP + REPETITIONS):
                for name, run in cases.items():  # interleaved: machine noise hits both alike
                    began = time.perf_counter()
                    run()
                    if repetition >= WARMUP:
                        samples[name].append(time.perf_counter() - began)

    report_ms, bare_ms, own_ms = (median_ms(samples[name]) for name in ("report", "bare", "own"))
    figures = {
        "day_report_ms": round(report_ms, 2),
        "day_report_bare_group_by_ms": round(bare_ms, 2),
        "day_report_own_query_raw_ms": round(own_ms, 2),
        "day_report_vs_bare_group_by_ratio": round(report_ms / bare_ms, 3),
        "day_report_vs_own_query_raw_ratio": round(report_ms / own_ms, 3),
        "day_report_orders": DAY_ORDERS,
    }
    print_table([
        (f"day report of {DAY_ORDERS:,} orders / bare GROUP BY", f"{figures['day_report_vs_bare_group_by_ratio']}", ""),
        ("day report / its own GROUP BY sent raw", f"{figures['day_report_vs_own_query_raw_ratio']}", ""),
        ("median day report", f"{report_ms:.1f} ms", ""),
        ("median bare GROUP BY (status, currency)", f"{bare_ms:.1f} ms", ""),
        ("median posapp's GROUP BY, raw", f"{own_ms:.1f} ms", ""),
    ])
    print(f"results in {record(figures)}")


if __name__ == "__main__":
    main()
