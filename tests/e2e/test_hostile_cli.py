"""Issue 11 from the command line: hostile or mistaken input gets one line and exit 2 (or 3),
never a traceback, an 'unexpected problem', a hang or all the machine's memory."""

import os
import subprocess
import sys

import pytest
from cardgen import random_pan
from signin import signed_in

ORDER_NEW = ("order", "new", "--name", "x", "--amount", "1", "--card-stdin")


def one_line(result, code, text):
    assert (result.returncode, result.stdout) == (code, ""), result.stderr
    assert result.stderr.count("\n") == 1 and text in result.stderr, result.stderr
    assert result.stderr.startswith("posapp: ")


def run_with_stdin(posapp_home, args, stdin):
    """The posapp command with a file or raw bytes on stdin (the posapp fixture takes text only)."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("POSAPP_")}
    environment.update(POSAPP_HOME=str(posapp_home), PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
                       PYTHONIOENCODING="utf-8")
    feed = {"input": stdin} if isinstance(stdin, bytes) else {"stdin": stdin}
    return signed_in(lambda argv, more: subprocess.run([sys.executable, "-m", "posapp", *argv], capture_output=True,
                                                       env={**environment, **more}, timeout=60, **feed), args, {})


def test_a_card_line_of_spaces_is_refused_at_once(posapp):
    # It took 24 s before: the expiry pattern was quadratic in the run of spaces.
    one_line(posapp(*ORDER_NEW, stdin="1" + " " * 40_000 + "1\n"), 2, "card input is longer than 512 characters")
    one_line(posapp(*ORDER_NEW, stdin="1" + " " * 500 + "1\n"), 2, "This is not a card number")


@pytest.mark.parametrize("line", [
    "%B" + "4242424242424242^X^1234" * 30,
    ";4242424242424242=1234" * 30,
    "4242 " * 120 + "12/29",
    "1-" * 300,
])
def test_other_long_card_lines_are_refused_by_length(posapp, line):
    one_line(posapp(*ORDER_NEW, stdin=line + "\n"), 2, "card input is longer than 512 characters")


def test_endless_card_input_is_not_read_to_the_end(posapp_home):
    # /dev/zero never ends and has no newline: reading it whole would take all memory.
    with open("/dev/zero", "rb") as endless:
        done = run_with_stdin(posapp_home, ORDER_NEW, endless)
    assert (done.returncode, done.stderr) == (2, b"posapp: card input is longer than 512 characters\n")


def test_card_input_that_is_not_text_is_refused(posapp_home):
    done = run_with_stdin(posapp_home, ORDER_NEW, b"4242 \xff\xfe 4242\n")
    assert (done.returncode, done.stderr) == (2, b"posapp: card input is not text in the utf-8 encoding\n")


def test_an_endless_password_is_not_read_to_the_end(posapp_home):
    with open("/dev/zero", "rb") as endless:
        done = run_with_stdin(posapp_home, ("setup", "--workstation-id", "t", "--orders-url",
                                            "mysql+pymysql://pos@127.0.0.1:9/pos", "--orders-password-stdin"), endless)
    assert done.returncode == 2 and b"password is longer than 1024 characters" in done.stderr
    assert not (posapp_home / "posapp.toml").exists()


@pytest.mark.parametrize("args", [
    ("order", "show", "99999999999999999999"),
    ("order", "show", "9223372036854775808"),
    ("order", "show", "0"),
    ("order", "show", "-1"),
    ("order", "list", "--before", "9223372036854775808"),
    ("order", "list", "--before", "-5"),
])
def test_order_ids_beyond_64_bits_are_bad_input(posapp, args):
    result = posapp(*args)
    assert (result.returncode, result.stdout) == (2, "")
    assert "an order ID is a whole number from 1 to 9223372036854775807" in result.stderr
    assert "Traceback" not in result.stderr and "unexpected" not in result.stderr


@pytest.mark.parametrize(("args", "message"), [
    (("order", "show", "9223372036854775807"), "there is no order 9223372036854775807"),
    (("order", "list", "--limit", "99999999999999999999"), "--limit must be between 1 and 500"),
    (("vault", "reconcile", "--grace", "99999999999999999999"), "the grace period must be from 10 minutes to"),
    (("vault", "reconcile", "--grace", "1000000000000"), "the grace period must be from 10 minutes to"),
    (("vault", "reconcile", "--grace", "-1"), "the grace period must be from 10 minutes to"),
    (("vault", "reconcile", "--grace", "0"), "the grace period must be from 10 minutes to"),
])
def test_numbers_at_and_past_the_edges_get_one_line(posapp, args, message):
    one_line(posapp(*args), 2, message)


def test_a_card_number_in_the_arguments_is_not_echoed(posapp):
    number = random_pan("4", 16)
    for args in (("order", "list", number), ("order", "show", number), ("order", "list", "--brand", number)):
        result = posapp(*args)
        assert result.returncode == 2
        assert number[:12] not in result.stderr


def log_warnings(stderr):
    return [line for line in stderr.splitlines() if line.startswith(("posapp: warning: cannot keep a log",
                                                                      "posapp: warning: cannot write the log"))]


def test_a_log_folder_that_cannot_be_made_costs_one_warning_line(posapp, posapp_home):
    posapp_home.mkdir()
    (posapp_home / "logs").write_text("a file, so no folder can be made here; not even root can")
    warning = (f"posapp: warning: cannot keep a log in {posapp_home / 'logs'} (it is a file, not a folder); "
               "posapp goes on without a log file")
    listed = posapp("order", "list")
    assert (listed.returncode, listed.stdout, listed.stderr) == (0, "No orders.\n", warning + "\n")
    refused = posapp(*ORDER_NEW, stdin="4242 4242 4242 4241\n")
    assert refused.returncode == 2
    assert refused.stderr.splitlines() == [warning, "posapp: The card number has a typo"]
    sold = posapp(*ORDER_NEW, stdin=random_pan("4", 16) + "\n")
    assert sold.returncode == 0 and log_warnings(sold.stderr) == [warning]


def test_a_full_disk_under_the_log_costs_one_warning_line(posapp, posapp_home):
    (posapp_home / "logs").mkdir(parents=True)
    (posapp_home / "logs" / "posapp.log").symlink_to("/dev/full")
    warning = (f"posapp: warning: cannot write the log file {posapp_home / 'logs' / 'posapp.log'} "
               "(No space left on device); further log records are dropped")
    for run, code in ((lambda: posapp(*ORDER_NEW, stdin=random_pan("4", 16) + "\n"), 0),
                      (lambda: posapp(*ORDER_NEW, stdin="4242 4242 4242 4241\n"), 2),
                      (lambda: posapp("order", "show", "99"), 2)):
        result = run()
        assert result.returncode == code, result.stderr
        assert "Traceback" not in result.stderr and "Logging error" not in result.stderr
        assert log_warnings(result.stderr) in ([], [warning])  # said once, when something is logged
    sold = posapp(*ORDER_NEW, stdin=random_pan("4", 16) + "\n")
    assert sold.returncode == 0 and log_warnings(sold.stderr) == [warning]
