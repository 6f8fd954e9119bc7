"""Issue 12, kind 4: a swipe piped to ``posapp order new`` is read whole, one line per track.

The recorded card in these tests also depends on the swipe parser (card.py) reading tracks
separated by line breaks; what posapp's input reading owes is that every line reaches it.
"""

import json
import os
import subprocess
import sys

import pytest
from cardgen import random_pan
from signin import add_admin

SALE = ("order", "new", "--name", "Coffee", "--amount", "3.50", "--card-stdin", "--json")


def test_the_issues_example_records_the_track_2_card(posapp):
    sold = posapp(*SALE, stdin="%E?\r\n;4111111111111111=29121010000000000000?\r\n")
    assert sold.returncode == 0, sold.stderr
    assert json.loads(sold.stdout)["card"] == {"brand": "VISA", "last4": "1111"}


@pytest.mark.parametrize("end", ["\r\n", "\n", "\r"])
def test_tracks_on_lines_of_their_own_sell_with_any_line_ending(posapp, end):
    number = random_pan("51", 16)
    tracks = [f"%B{number}^DOE/JANE^9912101000000000000000000000?", f";{number}=99121010000000000000?", "+E?"]
    sold = posapp(*SALE, stdin=end.join(tracks) + end)
    assert sold.returncode == 0, sold.stderr
    assert json.loads(sold.stdout)["card"] == {"brand": "MASTERCARD", "last4": number[-4:]}


def test_a_second_track_that_disagrees_with_the_first_is_seen(posapp):
    # Reading only the first line accepted this swipe on track 1 alone.
    first, second = random_pan("4", 16), random_pan("4", 16)
    sold = posapp(*SALE, stdin=f"%B{first}^DOE/JANE^9912101?\n;{second}=9912101?\n")
    assert (sold.returncode, sold.stdout) == (2, "")
    assert sold.stderr == "posapp: The card swipe could not be read; swipe again or type the number\n"


def test_a_script_that_keeps_the_pipe_open_gets_its_answer(posapp_home):
    environment = {key: value for key, value in os.environ.items() if not key.startswith("POSAPP_")}
    environment.update(POSAPP_HOME=str(posapp_home), PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
                       PYTHONIOENCODING="utf-8")
    environment = add_admin(environment)
    process = subprocess.Popen([sys.executable, "-m", "posapp", *SALE], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment)
    try:
        process.stdin.write(b"4242 4242 4242 4242 12/99\n")
        process.stdin.flush()  # and the pipe stays open, as a script that stays attached keeps it
        assert process.wait(timeout=60) == 0, process.stderr.read()  # a deadline against a hang only
        assert json.loads(process.stdout.read())["card"]["last4"] == "4242"
    finally:
        process.stdin.close()
        process.kill()
        process.wait()
        process.stdout.close()
        process.stderr.close()
