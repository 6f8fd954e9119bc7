"""Start-up of the window: 'posapp gui --smoke' against a bare PySide6 main window.

Both run as fresh processes of the same interpreter, offscreen, interleaved, 200 times
after a warm-up; the ratio of medians is what posapp's own start-up adds (its imports,
settings, two screens). SQLAlchemy, boto3 and the encryption SDK load later, off the
start-up path, on the first background task.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from results import median_ms, print_table, record  # noqa: E402

WARMUP, REPETITIONS = 5, 200


def main() -> None:
    home = tempfile.mkdtemp(prefix="posapp-bench-gui-")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "POSAPP_HOME": home,
           "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    commands = {
        "posapp": [sys.executable, "-m", "posapp", "gui", "--smoke"],
        "bare": [sys.executable, str(Path(__file__).parent / "bare_qt.py")],
    }
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for repetition in range(WARMUP + REPETITIONS):
        for name, command in commands.items():  # interleaved
            began = time.perf_counter()
            subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if repetition >= WARMUP:
                samples[name].append(time.perf_counter() - began)
    posapp, bare = median_ms(samples["posapp"]), median_ms(samples["bare"])
    figures = {"gui_start_ratio_vs_bare_qt": round(posapp / bare, 2), "gui_start_ms": round(posapp, 1),
               "bare_qt_start_ms": round(bare, 1)}
    print_table([("posapp gui --smoke / bare PySide6 window", f"{figures['gui_start_ratio_vs_bare_qt']}", "goal ≤ 1.5"),
                 ("median posapp start", f"{posapp:.0f} ms", ""), ("median bare start", f"{bare:.0f} ms", "")])
    print(f"results in {record(figures)}")


if __name__ == "__main__":
    main()
