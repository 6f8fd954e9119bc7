"""Issue 12, kind 4: a swipe at posapp's hidden terminal prompt, on a real pseudo-terminal.

posapp used to read one line and exit; the rest of the swipe stayed in the terminal and the
shell ran it and kept it in its history. Here the terminal is posapp's controlling terminal,
as in a cashier's shell; after posapp answers, the test is the terminal's next reader (as the
shell would be) and must find nothing of the swipe, and the terminal must have shown no digit
of it and be back in the mode it was in.
"""

import fcntl
import json
import os
import pty
import select
import signal
import sqlite3
import subprocess
import sys
import termios
import time

import pytest
from cardgen import random_pan
from leakscan import find_leaks
from signin import ADMIN, ADMIN_SECRET, add_admin

PROMPT = b"Card (number, MM/YY and CVC, or swipe): "
DEADLINE = 60  # seconds: against a hang only; nothing here measures speed
READER_GAP = 0.02  # between the tracks of a swipe, as a keyboard-wedge reader types them


def _as_a_shell_job() -> None:
    """In the child: the terminal becomes its controlling terminal, and Ctrl-C interrupts it
    as in a cashier's shell, even where the test runner was started with SIGINT ignored (a
    background job of a script)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class Terminal:
    """A pseudo-terminal; posapp gets its other end as controlling terminal, stdin and stderr."""

    def __init__(self):
        self.master, self.slave = pty.openpty()
        self.shown = b""

    def start(self, args, env) -> subprocess.Popen:
        self.mode = termios.tcgetattr(self.slave)
        return subprocess.Popen([sys.executable, "-m", "posapp", *args], stdin=self.slave, stderr=self.slave,
                                stdout=subprocess.PIPE, env=env, start_new_session=True, preexec_fn=_as_a_shell_job)

    def wait_for(self, text: bytes) -> None:
        deadline = time.monotonic() + DEADLINE
        while text not in self.shown:
            assert time.monotonic() < deadline, f"{text!r} never shown; the terminal shows {self.shown!r}"
            self._read(0.1)

    def type(self, text: str) -> None:
        os.write(self.master, text.encode())

    def swipe(self, *tracks: str) -> None:
        for track in tracks:
            self.type(track + "\r")  # a wedge reader ends each track with Enter
            time.sleep(READER_GAP)

    def finish(self, process: subprocess.Popen) -> tuple[int, str]:
        try:
            stdout, _ = process.communicate(timeout=DEADLINE)
        except subprocess.TimeoutExpired:
            process.kill()  # not left running into the next test
            process.communicate()
            self._read(0.2)
            raise AssertionError(f"posapp hung; the terminal shows {self.shown!r}") from None
        while self._read(0.2):
            pass
        return process.returncode, stdout.decode()

    def left_for_the_next_reader(self) -> bytes:
        """What the shell would read next: everything the terminal still holds, whole lines or not."""
        raw = termios.tcgetattr(self.slave)
        raw[3] &= ~termios.ICANON
        raw[6][termios.VMIN], raw[6][termios.VTIME] = 0, 0
        termios.tcsetattr(self.slave, termios.TCSANOW, raw)
        left = b""
        while select.select([self.slave], [], [], 0.5)[0]:
            chunk = os.read(self.slave, 4096)
            if not chunk:
                break
            left += chunk
        return left

    def _read(self, seconds: float) -> bool:
        if select.select([self.master], [], [], seconds)[0]:
            self.shown += os.read(self.master, 4096)
            return True
        return False

    def close(self) -> None:
        os.close(self.master)
        os.close(self.slave)


@pytest.fixture
def terminal():
    made = Terminal()
    yield made
    made.close()


@pytest.fixture
def env(posapp_home):
    environment = {key: value for key, value in os.environ.items() if not key.startswith("POSAPP_")}
    environment.update(POSAPP_HOME=str(posapp_home), PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
                       PYTHONIOENCODING="utf-8")
    return add_admin(environment)


def sale(terminal, env):
    process = terminal.start(["order", "new", "--name", "Coffee", "--amount", "3.50", "--card-stdin", "--json"], env)
    terminal.wait_for(PROMPT)
    return process


def vault_items(home):
    """Cards in the till's vault (the operator's sign-in made it: only a card stored would count)."""
    with sqlite3.connect(home / "data" / "vault.db") as db:
        return db.execute("SELECT COUNT(*) FROM vault_items").fetchone()[0]


def assert_left_clean(terminal, number):
    assert terminal.left_for_the_next_reader() == b""
    assert number[:6].encode() not in terminal.shown and number[-8:].encode() not in terminal.shown


def test_a_swipe_of_three_lines_is_read_whole_and_nothing_reaches_the_shell(terminal, env):
    number = random_pan("4", 16)
    process = sale(terminal, env)
    terminal.swipe(f"%B{number}^DOE/JANE^9912101000000000000000000000?", f";{number}=99121010000000000000?", "+E?")
    code, stdout = terminal.finish(process)
    assert code == 0, terminal.shown
    assert json.loads(stdout)["card"] == {"brand": "VISA", "last4": number[-4:]}
    assert_left_clean(terminal, number)


def test_the_issues_swipe_with_a_reader_error_on_track_1(terminal, env):
    number = random_pan("4", 16)
    process = sale(terminal, env)
    terminal.swipe("%E?", f";{number}=99121010000000000000?")
    code, stdout = terminal.finish(process)
    assert code == 0, terminal.shown
    assert json.loads(stdout)["card"]["last4"] == number[-4:]
    assert_left_clean(terminal, number)


def test_the_terminal_mode_is_restored(terminal, env):
    process = sale(terminal, env)
    terminal.swipe("4242 4242 4242 4242 12/99")
    assert terminal.finish(process)[0] == 0, terminal.shown
    assert termios.tcgetattr(terminal.slave) == terminal.mode


def test_a_typed_number_keeps_the_terminals_erase_key(terminal, env):
    process = sale(terminal, env)
    terminal.type("4242 4242 4242 4243\x7f2 12/99\r")  # DEL, the erase key of a new terminal
    code, stdout = terminal.finish(process)
    assert code == 0, terminal.shown
    assert json.loads(stdout)["card"]["last4"] == "4242"
    assert b"4242 4242" not in terminal.shown


def test_the_kill_key_starts_the_number_again(terminal, env):
    process = sale(terminal, env)
    terminal.type("5555 5555\x15" + "4242 4242 4242 4242 12/99\r")  # Ctrl-U, the kill key of a new terminal
    code, stdout = terminal.finish(process)
    assert code == 0, terminal.shown
    assert json.loads(stdout)["card"]["last4"] == "4242"


def test_end_of_file_at_the_prompt_is_no_card(terminal, env, posapp_home):
    process = sale(terminal, env)
    terminal.type("\x04")  # Ctrl-D
    assert terminal.finish(process) == (2, "")
    assert b"posapp: no card data on standard input" in terminal.shown
    assert termios.tcgetattr(terminal.slave) == terminal.mode
    assert vault_items(posapp_home) == 0


def test_ctrl_c_at_the_prompt_restores_the_terminal_and_leaves_nothing(terminal, env):
    number = random_pan("4", 16)
    process = sale(terminal, env)
    terminal.type(number[:10])
    # What the terminal does on its interrupt key: SIGINT to the foreground process group.
    # Sent directly: on these pseudo-terminals the kernel now and then drops the signal of a
    # ^C typed right after other input (posapp was then found waiting, SIGINT never pending).
    time.sleep(0.2)
    os.killpg(process.pid, signal.SIGINT)
    code, stdout = terminal.finish(process)
    assert (code, stdout) == (130, "")
    assert b"posapp: interrupted" in terminal.shown
    assert termios.tcgetattr(terminal.slave) == terminal.mode
    assert_left_clean(terminal, number)


def test_a_refused_swipe_is_drained_too(terminal, env, posapp_home):
    number = random_pan("4", 16)
    process = sale(terminal, env)
    terminal.swipe(*[f";{number}=99121010000000000000?"] * 60)  # 2 kB, past MAX_INPUT: a stuck reader
    code, stdout = terminal.finish(process)
    assert (code, stdout) == (2, "")
    assert b"posapp: card input is longer than 512 characters" in terminal.shown
    assert termios.tcgetattr(terminal.slave) == terminal.mode
    assert_left_clean(terminal, number)
    assert vault_items(posapp_home) == 0


def test_an_operator_signs_in_at_the_terminal_and_the_secret_is_never_shown_or_kept(terminal, env, posapp_home):
    number = random_pan("4", 16)
    unsigned = {key: value for key, value in env.items() if key not in ("POSAPP_OPERATOR", "POSAPP_SECRET")}
    process = terminal.start(["order", "new", "--name", "Coffee", "--amount", "3.50", "--card-stdin", "--json"],
                             unsigned)
    terminal.wait_for(b"Operator login: ")
    terminal.type(f"{ADMIN}\r")
    terminal.wait_for(b"Secret (not shown): ")
    terminal.type(f"{ADMIN_SECRET}\r")
    terminal.wait_for(PROMPT)
    terminal.type(f"{number} 12/99\r")
    code, stdout = terminal.finish(process)
    assert code == 0 and json.loads(stdout)["operator"] == ADMIN
    assert find_leaks([], [posapp_home], terminal.shown.decode("utf-8", "replace"), secrets=[ADMIN_SECRET]) == []
    assert_left_clean(terminal, number)


def test_two_new_secrets_that_differ_change_nothing(terminal, env, posapp_home):
    process = terminal.start(["operator", "reset", ADMIN], env)
    terminal.wait_for(f"New secret for {ADMIN}: ".encode())
    terminal.type("Brand new pass 2026\r")
    terminal.wait_for(b"The same again: ")
    terminal.type("Brand new pass 2027\r")
    assert terminal.finish(process) == (2, "")
    assert b"posapp: the two secrets typed differ: nothing was changed" in terminal.shown
    assert b"Brand new" not in terminal.shown
    signed_in_still = subprocess.run([sys.executable, "-m", "posapp", "order", "list"], capture_output=True, env=env)
    assert signed_in_still.returncode == 0, signed_in_still.stderr
