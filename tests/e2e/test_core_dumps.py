"""Issue 12, kind 8: a sale that crashes leaves no core file with the card number in it.

posapp crashes itself (tests/crashpoint.py) right after it has read and parsed the card, with
``ulimit -c unlimited`` set by the shell that starts it, as a till with core dumps enabled.

What this proves depends on where the machine's kernel writes cores
(/proc/sys/kernel/core_pattern). With a plain file name such as ``core`` (the kernel default,
and this machine's when the test was written) the core goes to the crashing process's working
folder, where the test looks: the control run, the same crash with posapp's hardening skipped,
shows that this machine does write a core there and that the card number is in it; the
hardened runs must leave no core at all. With a pipe (systemd-coredump, apport) or a folder
elsewhere, no file can be looked for here: the control is skipped, and what remains is the
process's own report, RLIMIT_CORE 0/0 and not dumpable, which the kernel consults before it
writes any core, to a file or to a pipe.
"""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from cardgen import random_pan
from signin import add_admin

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"
CORE_PATTERN = Path("/proc/sys/kernel/core_pattern")
LIMITED = "core dumps cannot be enabled here"

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="Windows writes no core files")


def cores_land_in_the_working_folder() -> bool:
    pattern = CORE_PATTERN.read_text().strip() if CORE_PATTERN.exists() else "core"  # macOS: /cores/core.%P
    return not pattern.startswith(("|", "/")) and sys.platform.startswith("linux")


def crash_a_sale(point: str, folder: Path, number: str) -> subprocess.CompletedProcess:
    folder.mkdir()
    environment = {key: value for key, value in os.environ.items() if not key.startswith("POSAPP_")}
    environment.update(POSAPP_HOME=str(folder / "home"), PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
                       PYTHONPATH=os.pathsep.join([str(ROOT), str(TESTS)]), PYTHONIOENCODING="utf-8")
    environment = add_admin(environment)  # the crash comes after the sign-in, once the card is read
    command = ["sh", "-c", f'ulimit -c unlimited 2>/dev/null || echo "{LIMITED}" >&2; exec "$@"', "sh",
               sys.executable, "-m", "crashpoint", point, "order", "new", "--name", "Coffee", "--amount", "3.50",
               "--card-stdin"]
    return subprocess.run(command, input=f"{number} 12/99\n", capture_output=True, text=True, encoding="utf-8",
                          env=environment, cwd=folder, timeout=120)


def cores(folder: Path) -> list[Path]:
    return [path for path in folder.iterdir() if path.name.startswith("core")]


def killed_by(done: subprocess.CompletedProcess, signal_number: int) -> bool:
    return done.returncode == -signal_number  # sh execs Python: the signal shows as it is


def test_the_control_crash_writes_a_core_holding_the_card_number(tmp_path):
    if not cores_land_in_the_working_folder():
        pytest.skip(f"cores go to {CORE_PATTERN.read_text().strip()!r}, not to a folder this test can look in")
    number = random_pan("4", 16)
    done = crash_a_sale("unhardened-abort-after-card", tmp_path / "crash", number)
    if LIMITED in done.stderr:
        pytest.skip(f"{LIMITED}: the hard RLIMIT_CORE is 0 and this is not root")
    assert killed_by(done, signal.SIGABRT), done.stderr
    assert "core dumps off: False" in done.stderr
    found = cores(tmp_path / "crash")
    assert found, "this machine wrote no core: the hardened runs below would prove nothing"
    assert any(number.encode() in path.read_bytes() for path in found)


@pytest.mark.parametrize(("point", "signal_number"), [("abort-after-card", signal.SIGABRT),
                                                      ("segfault-after-card", signal.SIGSEGV)])
def test_a_sale_that_crashes_leaves_no_core(tmp_path, point, signal_number):
    number = random_pan("4", 16)
    done = crash_a_sale(point, tmp_path / "crash", number)
    assert killed_by(done, signal_number), done.stderr
    assert "core dumps off: True" in done.stderr  # RLIMIT_CORE (0, 0) and, on Linux, not dumpable
    assert cores(tmp_path / "crash") == []
    assert number not in done.stdout + done.stderr
