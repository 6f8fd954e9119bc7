"""``posapp order export`` of 1,000,000 orders from MariaDB: memory stays flat, the rows stream.

Run: ``make bench`` (or ``.venv/bin/python bench/export.py``). Starts a private MariaDB, makes a
till of it as an administrator would (``posapp provision``, an administrator, a local vault for
the journal's key), fills OrderHistory with 1,000,000 orders server-side, then runs the real
command line in a child process, as the back office does:

- export_rows_per_s: orders written per second by ``posapp order export --format csv`` (the
  whole command: start, sign-in, every row read, checked for card numbers and written, journal).
- export_peak_mb: the child's peak resident memory (ru_maxrss, from wait4); goal < 150 MB.
- export_filtered_rows_per_s: the same with ``--since`` selecting the newer half of the orders,
  so that a date filter is seen not to cost more per row (no sort of the matching rows per batch).

One run each: the figures are the command's own, not ratios, and take a minute or two apiece.
"""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pymysql

sys.path.insert(0, str(Path(__file__).parent))

from mariadb import private_mariadb  # noqa: E402
from results import print_table, record  # noqa: E402

ORDERS = 1_000_000
GOAL_MB = 150
USER, PASSWORD = "pos", "bench-password-2026"
ADMIN, SECRET = "bench-admin", "bench admin pass 2026"
START = datetime.datetime(2024, 1, 1)  # one order a minute from here: about 23 months


def fill(sock: str) -> None:
    """ORDERS orders as tills record them: mostly paid through a processor (references like Stripe's,
    letters and digits), some refunded or voided, names with commas and quotes now and then, a
    description on every third."""
    with pymysql.connect(unix_socket=sock, user="root", database="bench", autocommit=True) as db, db.cursor() as c:
        c.execute(f"""INSERT INTO OrderHistory (OrderName, Description, AWS_PA_Token, amount_minor, currency,
                      card_brand, card_last4, created_at, workstation, operator, status, name_search,
                      description_search, processor, payment_reference, authorization_code, captured_minor,
                      refunded_minor)
                      SELECT name, description, UUID(), amount, 'EUR', ELT(1 + seq % 3, 'VISA', 'MASTERCARD', 'AMEX'),
                             LPAD(seq % 10000, 4, '0'), '{START:%Y-%m-%d %H:%M:%S}' + INTERVAL seq MINUTE,
                             CONCAT('till-0', 1 + seq % 4), CONCAT('cashier-', seq % 12),
                             ELT(1 + (seq % 50 = 0) + (seq % 97 = 0), 'paid', 'partially_refunded', 'voided'),
                             LOWER(name), LOWER(description), 'stripe',
                             CONCAT('pi_3N', LEFT(REPLACE(REPLACE(TO_BASE64(UNHEX(MD5(seq))), '+', 'x'), '/', 'y'),
                                                  20)),
                             LPAD(seq % 1000000, 6, '0'), amount, IF(seq % 50 = 0, amount DIV 2, 0)
                      FROM (SELECT seq, 100 + seq % 9000 AS amount,
                                   IF(seq % 7 = 0, CONCAT('Order ', seq, ', "special", café'), CONCAT('Order ', seq))
                                       AS name,
                                   IF(seq % 3 = 0, CONCAT('table ', seq % 40, '; 2 × espresso ☕'), NULL)
                                       AS description
                            FROM seq_1_to_{ORDERS}) AS made""")
        c.execute("ANALYZE TABLE OrderHistory")


def posapp(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "posapp", *args], env=env, input=stdin, capture_output=True,
                          text=True, check=True)


def export(env: dict[str, str], target: Path, *options: str) -> tuple[float, float, str]:
    """(seconds, peak resident MB, stderr) of one ``posapp order export`` child."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        child = subprocess.Popen([sys.executable, "-m", "posapp", "order", "export", "--format", "csv", "--out",
                                  str(target), *options], env=env, stdout=out, stderr=err)
        _pid, status, usage = os.wait4(child.pid, 0)  # this child's own rusage, not the server's or others'
        seconds = time.monotonic() - started
        child.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait for it again
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if child.returncode != 0:
        raise RuntimeError(f"the export failed ({child.returncode}): {stderr}")
    print(stdout.strip())
    return seconds, usage.ru_maxrss / 1024, stderr  # ru_maxrss is in KiB on Linux


def main() -> None:
    with private_mariadb() as sock, tempfile.TemporaryDirectory(prefix="posapp-bench-export-") as folder:
        with pymysql.connect(unix_socket=sock, user="root", autocommit=True) as db, db.cursor() as c:
            c.execute("CREATE DATABASE bench")
            c.execute(f"CREATE USER '{USER}'@'127.0.0.1' IDENTIFIED BY %s", (PASSWORD,))
            c.execute(f"GRANT ALL ON bench.* TO '{USER}'@'127.0.0.1'")
            c.execute("SELECT @@port")
            port = c.fetchone()[0]
        home = Path(folder) / "home"
        home.mkdir(mode=0o700)
        (home / "posapp.toml").write_text(f'[workstation]\nid = "back-office"\n[merchant]\ntimezone = '
                                          f'"Europe/Berlin"\n[orders]\nurl = "mysql+pymysql://{USER}@127.0.0.1:'
                                          f'{port}/bench"\n')
        (home / "posapp.toml").chmod(0o600)
        env = {key: value for key, value in os.environ.items() if not key.startswith("POSAPP_")}
        env.update(POSAPP_HOME=str(home), POSAPP_ORDERS_PASSWORD=PASSWORD,
                   PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
        posapp(env, "provision")
        posapp({**env, "POSAPP_NEW_SECRET": SECRET}, "operator", "add", "--role", "admin", ADMIN)
        started = time.monotonic()
        fill(sock)
        print(f"filled {ORDERS:,} orders in {time.monotonic() - started:.0f} s")
        signed_in = {**env, "POSAPP_OPERATOR": ADMIN, "POSAPP_SECRET": SECRET}

        seconds, peak_mb, progress = export(signed_in, Path(folder) / "all.csv")
        with open(Path(folder) / "all.csv", "rb") as written:
            rows = sum(1 for _line in written) - 1  # no order holds a line break
        assert rows == ORDERS, rows
        assert progress.count("posapp: exported ") == ORDERS // 50_000, progress
        size_mb = (Path(folder) / "all.csv").stat().st_size / 1e6
        (Path(folder) / "all.csv").unlink()
        half = (START + datetime.timedelta(minutes=ORDERS // 2)).date() + datetime.timedelta(days=1)
        filtered_seconds, filtered_peak_mb, _ = export(signed_in, Path(folder) / "half.csv", "--since",
                                                       half.isoformat())
        with open(Path(folder) / "half.csv", "rb") as written:
            filtered_rows = sum(1 for _line in written) - 1

    figures = {
        "export_rows_per_s": round(ORDERS / seconds),
        "export_peak_mb": round(peak_mb, 1),
        "export_file_mb": round(size_mb, 1),
        "export_filtered_rows_per_s": round(filtered_rows / filtered_seconds),
        "export_filtered_peak_mb": round(filtered_peak_mb, 1),
    }
    print_table([
        (f"export of {ORDERS:,} orders: rows per second", f"{figures['export_rows_per_s']:,}", ""),
        ("export: peak resident memory of the command", f"{figures['export_peak_mb']} MB", f"goal < {GOAL_MB} MB"),
        ("export: file size", f"{figures['export_file_mb']} MB", ""),
        (f"export with --since ({filtered_rows:,} orders): rows per second",
         f"{figures['export_filtered_rows_per_s']:,}", ""),
        ("export with --since: peak resident memory", f"{figures['export_filtered_peak_mb']} MB",
         f"goal < {GOAL_MB} MB"),
    ])
    print(f"results in {record(figures)}")


if __name__ == "__main__":
    main()
