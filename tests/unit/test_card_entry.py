"""Issue 12, kind 4: card input read from a pipe is read whole, every track line of a swipe,
within MAX_INPUT in total, and never waits for a writer that keeps the pipe open."""

import os
import threading
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from posapp.card import MAX_INPUT
from posapp.cli.input import SWIPE_QUIET, read_card_input
from posapp.errors import InvalidInput

PROMPT = "Card: "
LINE_ENDS = st.sampled_from(["\n", "\r\n", "\r"])
# Lines as readers and people send them: track data, a reader's error marker, a typed number.
LINES = st.one_of(
    st.from_regex(r"%B[0-9 ]{12,23}\^[A-Z /]{0,26}\^[0-9]{4,20}\?", fullmatch=True),
    st.from_regex(r";[0-9]{12,19}=[0-9]{4,20}\?", fullmatch=True),
    st.from_regex(r"\+[0-9]{0,40}\?", fullmatch=True),
    st.sampled_from(["%E?", ";E?", "+E?", "4242 4242 4242 4242 12/29"]),
)


class Pipe:
    """A real pipe whose read end is opened as standard input would be."""

    def __init__(self):
        reading, self.writing = os.pipe()
        self.reader = open(reading, encoding="utf-8")

    def send(self, text: str | bytes) -> None:
        os.write(self.writing, text.encode("utf-8") if isinstance(text, str) else text)

    def close_writer(self) -> None:
        if self.writing is not None:
            os.close(self.writing)
            self.writing = None

    def close(self) -> None:
        self.close_writer()
        self.reader.close()

    def read(self, limit: int = MAX_INPUT) -> str:
        return read_card_input(self.reader, limit, "card input", prompt=PROMPT)

    def left(self) -> bytes:
        """What is still in the pipe, for the next reader."""
        self.close_writer()
        return os.read(self.reader.fileno(), 1 << 20)


@pytest.fixture
def pipe():
    made = Pipe()
    yield made
    made.close()


def entry(lines, ends):
    return "".join(line + end for line, end in zip(lines, ends))


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(LINES, min_size=1, max_size=3), ends=st.lists(LINE_ENDS, min_size=3, max_size=3),
       blank=st.sampled_from(["", "\n", "\r\n", " \r\n"]))
def test_every_line_of_a_swipe_is_read_and_joined_by_newlines(lines, ends, blank):
    pipe = Pipe()
    try:
        pipe.send(blank + entry(lines, ends) + blank)
        pipe.close_writer()
        assert pipe.read() == "\n".join(lines)
    finally:
        pipe.close()


@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(LINES, min_size=1, max_size=8), ends=st.lists(LINE_ENDS, min_size=8, max_size=8))
def test_an_entry_longer_than_the_limit_in_total_is_refused(lines, ends):
    pipe = Pipe()
    try:
        pipe.send(entry(lines, ends))
        pipe.close_writer()
        text = "\n".join(lines)
        if len(text) > 60:
            with pytest.raises(InvalidInput, match="^card input is longer than 60 characters$"):
                pipe.read(limit=60)
        else:
            assert pipe.read(limit=60) == text
    finally:
        pipe.close()


def test_the_command_lines_example_reads_track_2_on_the_second_line(pipe):
    pipe.send("%E?\r\n;4111111111111111=29121010000000000000?\r\n")
    pipe.close_writer()
    assert pipe.read() == "%E?\n;4111111111111111=29121010000000000000?"


def test_endless_input_is_refused_without_being_read_to_its_end(pipe):
    pipe.send(("4242 " * 100 + "\n") * 100)  # 50 kB, well past what a refusal needs to see
    with pytest.raises(InvalidInput, match=f"^card input is longer than {MAX_INPUT} characters$"):
        pipe.read()
    assert len(pipe.left()) > 40_000


def test_input_that_is_not_text_is_refused(pipe):
    pipe.send(b"4242 \xff\xfe 4242\n")
    pipe.close_writer()
    with pytest.raises(InvalidInput, match="^card input is not text in the utf-8 encoding$"):
        pipe.read()


def read_in_background(pipe: Pipe) -> tuple[threading.Thread, list]:
    result: list = []
    reader = threading.Thread(target=lambda: result.append(pipe.read()), daemon=True)
    reader.start()
    return reader, result


def test_lines_that_come_a_few_tens_of_ms_apart_are_one_swipe(pipe):
    reader, result = read_in_background(pipe)
    for line in ("%B4111111111111111^DOE/JANE^2912101?\r\n", ";4111111111111111=2912101?\r\n", "+E?\r\n"):
        pipe.send(line)
        time.sleep(SWIPE_QUIET / 20)  # 25 ms: as a wedge reader types its tracks
    reader.join(timeout=60)
    assert result == ["%B4111111111111111^DOE/JANE^2912101?\n;4111111111111111=2912101?\n+E?"]


def test_a_writer_that_keeps_the_pipe_open_is_not_waited_for(pipe):
    pipe.send("4242 4242 4242 4242 12/29\n")  # and never closes: a script that stays attached
    reader, result = read_in_background(pipe)
    reader.join(timeout=60)  # a deadline against a hang, not a measure of speed
    assert not reader.is_alive() and result == ["4242 4242 4242 4242 12/29"]


def test_the_first_line_is_awaited_however_long_it_takes(pipe):
    reader, result = read_in_background(pipe)
    reader.join(timeout=SWIPE_QUIET * 2)
    assert reader.is_alive() and result == []  # still waiting: nothing was typed yet
    pipe.send("4242424242424242\n")
    pipe.close_writer()
    reader.join(timeout=60)
    assert result == ["4242424242424242"]
