"""``posapp doctor --pci``'s cardholder-data discovery: how fast it searches files and the order database.

- pci_scan_speedup_logs: posapp.pan_detect.find_pans over 4 MB of log lines (dates, UUIDs,
  amounts, no card number) / posapp.pan_scan.find_in_bytes over the same bytes, in 1 MiB chunks;
  the two give the same answer (tests/unit/test_pan_scan.py). Median of 3 runs, interleaved.
- pci_scan_speedup_binary: the same over 2 MB of random bytes (a binary file).
- pci_scan_mb_per_s_logs, pci_scan_mb_per_s_binary: find_in_bytes's own rate.
- pci_discovery_orders_per_s: the whole 12.5.2 check on a local till whose SQLite order history
  holds 200,000 orders (every text column of every table searched).
"""

from __future__ import annotations

import io
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from results import print_table, record  # noqa: E402

from posapp import app, config, pan_scan  # noqa: E402
from posapp.pan_detect import find_pans  # noqa: E402
from posapp.pci import discovery  # noqa: E402

RUNS = 3
ORDERS = 200_000
LOG_LINE = ("2026-12-07T18:58:23.123Z INFO posapp.checkout [MainThread] order 123456 recorded for till-01 token "
            "3f2a9c1e-1b2c-4d5e-8f90-123456789abc amount 350 USD\n")


def timed(work) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def speedup(blob: bytes) -> tuple[float, float]:
    """(detector alone / scan, the scan's MB/s), medians of RUNS interleaved runs."""
    text = blob.decode("latin-1")
    alone, scan = [], []
    for _ in range(RUNS):
        alone.append(timed(lambda: find_pans(text)))
        scan.append(timed(lambda: list(pan_scan.find_in_bytes(io.BytesIO(blob)))))
    return statistics.median(alone) / statistics.median(scan), len(blob) / statistics.median(scan) / 1e6


def discovery_rate() -> float:
    """Orders a second through the whole discovery check, the till's own files included."""
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "POSAPP_HOME": home, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
        subprocess.run([sys.executable, "-m", "posapp", "provision"], env=env, check=True, capture_output=True)
        with sqlite3.connect(Path(home) / "data" / "orders.db") as db:
            db.executemany(
                "INSERT INTO OrderHistory (OrderName, Description, AWS_PA_Token, amount_minor, currency, card_brand, "
                "card_last4, created_at, workstation, operator, status, idempotency_key, captured_minor, "
                "refunded_minor) VALUES (?, ?, ?, 350, 'USD', 'VISA', '4242', '2026-12-07 10:00:00', 'till-01', "
                "'admin', 'recorded', ?, 0, 0)",
                ((f"Coffee {n}", f"table {n % 40}, no sugar", str(uuid.uuid4()), str(uuid.uuid4()))
                 for n in range(ORDERS)))
        os.environ.update(POSAPP_HOME=home)
        services = app.build(config.load())
        seconds = timed(lambda: discovery.scan(services))
    return ORDERS / seconds


def main() -> None:
    logs = (LOG_LINE * (4_000_000 // len(LOG_LINE))).encode()
    binary = random.Random(7).randbytes(2_000_000)
    logs_speedup, logs_rate = speedup(logs)
    binary_speedup, binary_rate = speedup(binary)
    orders_per_s = discovery_rate()
    figures = {"pci_scan_speedup_logs": round(logs_speedup, 1), "pci_scan_speedup_binary": round(binary_speedup, 1),
               "pci_scan_mb_per_s_logs": round(logs_rate, 1), "pci_scan_mb_per_s_binary": round(binary_rate, 1),
               "pci_discovery_orders_per_s": round(orders_per_s)}
    print_table([(name, str(value), "") for name, value in figures.items()])
    print(f"written to {record(figures)}")


if __name__ == "__main__":
    main()
