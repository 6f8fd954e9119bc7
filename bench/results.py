"""Benchmark results: a table on stdout and JSON keys merged into $BENCH_OUT."""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
from importlib.metadata import version
from pathlib import Path

DEFAULT_OUT = Path(__file__).parent / "results.json"


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def machine() -> dict[str, object]:
    return {
        "cpus": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
        "python": sys.version.split()[0],
        "libraries": {name: version(name) for name in ("SQLAlchemy", "PyMySQL", "boto3", "dynamodb-encryption-sdk")},
    }


def record(figures: dict[str, object]) -> Path:
    """Merge ``figures`` into the results file, so each benchmark adds its own keys."""
    out = Path(os.environ.get("BENCH_OUT") or DEFAULT_OUT)
    existing = json.loads(out.read_text()) if out.exists() else {}
    existing.update(figures)
    existing["machine"] = machine()
    out.write_text(json.dumps(existing, indent=2, sort_keys=True) + "\n")
    return out


def print_table(rows: list[tuple[str, str, str]]) -> None:
    width = max(len(name) for name, _, _ in rows)
    for name, value, goal in rows:
        print(f"{name:<{width}}  {value:>12}  {goal}")
