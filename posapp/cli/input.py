"""Command-line input that a mistaken or hostile caller cannot turn into unbounded work.

Numbers are checked before any database sees them (SQLite and MySQL overflow past 64 bits);
lines from standard input are read with a length limit, so 100 MB without a newline costs a
few hundred bytes. No message repeats what was given: it may be a card number.

Card input is read whole: a keyboard-wedge reader types each track of a swipe as a line
("%B…?" Enter ";…?" Enter), and a line left unread would be read by the shell next, or
kept in its history.
"""

from __future__ import annotations

import argparse
import getpass
import os
import re
import select
import sys
from typing import TextIO

if sys.platform != "win32":
    import termios

from posapp.errors import InvalidInput

ID_MAX = 2**63 - 1  # the largest 64-bit signed integer, what SQLite and BIGINT hold
_DIGITS = re.compile(r"[+-]?[0-9]{1,30}", re.ASCII)  # ASCII only: int() would take "١٢" or "1_0"


def order_id(text: str) -> int:
    """argparse type for order IDs: 1 to 2**63-1; ArgumentTypeError otherwise."""
    number = _integer(text)
    if number is None or not 1 <= number <= ID_MAX:
        raise argparse.ArgumentTypeError(f"an order ID is a whole number from 1 to {ID_MAX}")
    return number


def till_id(text: str) -> str:
    """argparse type for till ids (``till_registration.check_till_id``); ArgumentTypeError saying why."""
    from posapp.till_registration import check_till_id

    try:
        return check_till_id(text)
    except InvalidInput as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def whole_number(text: str) -> int:
    """argparse type for counts, any sign (the command checks the range and says which one);
    ArgumentTypeError for anything but up to 30 ASCII digits."""
    number = _integer(text)
    if number is None:
        raise argparse.ArgumentTypeError("takes a whole number")
    return number


def _integer(text: str) -> int | None:
    text = text.strip()
    return int(text) if _DIGITS.fullmatch(text) else None


def read_line(stream: TextIO, limit: int, what: str) -> str:
    """One line of ``stream`` without its line ending ("" at end of input). Raises InvalidInput,
    naming ``what``, for more than ``limit`` characters or text not in the stream's encoding."""
    try:
        line = stream.readline(limit + 2)  # room for "\r\n"; a longer line is never read whole
    except UnicodeDecodeError:
        raise InvalidInput(f"{what} is not text in the {getattr(stream, 'encoding', None) or 'UTF-8'} encoding") \
            from None
    text = line.rstrip("\r\n")
    if len(text) > limit:
        raise InvalidInput(f"{what} is longer than {limit} characters")
    return text


# How long input may pause, after a first line, and still belong to the same card entry. A
# wedge reader types all tracks in one burst: the next line starts within a few tens of ms.
# Half a second is ten times that, allows for a busy machine, and is still too short for a
# cashier to notice after pressing Enter on a typed number.
SWIPE_QUIET = 0.5
_BYTES_PER_CHAR = 4  # the most any encoding of standard input spends on one character
_LINE_ENDS = b"\r\n"


def read_card_input(stream: TextIO, limit: int, what: str, *, prompt: str) -> str:
    """One card entry from ``stream``: a typed ``PAN [MM/YY]`` or every track line of a swipe.

    Returns its lines without line endings, blank ones dropped, joined by "\n". Reading ends
    at end of input, or when nothing more came for ``SWIPE_QUIET`` seconds after the first line
    ended (the first line itself is awaited as long as it takes). On a terminal the input is
    not echoed, ``prompt`` goes to stderr, and what the terminal still holds when reading ends
    (however it ends, Ctrl-C too) is discarded, so none of it reaches the shell.
    Raises InvalidInput for more than ``limit`` characters (never read further) or for input
    that is not text in the stream's encoding."""
    encoding = getattr(stream, "encoding", None) or "utf-8"
    descriptor = stream.fileno()
    if os.isatty(descriptor) and sys.platform == "win32":  # no termios: the console gives one line
        text = getpass.getpass(prompt)
    else:
        limit_bytes = limit * _BYTES_PER_CHAR
        try:
            data = _read_hidden(descriptor, limit_bytes, prompt) if os.isatty(descriptor) else \
                _read_entry(descriptor, limit_bytes)
        except _TooLong:
            raise InvalidInput(f"{what} is longer than {limit} characters") from None
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            raise InvalidInput(f"{what} is not text in the {encoding} encoding") from None
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    text = "\n".join(line for line in lines if line.strip())
    if len(text) > limit:
        raise InvalidInput(f"{what} is longer than {limit} characters")
    return text


class _TooLong(Exception):
    pass


def _read_entry(descriptor: int, limit_bytes: int, keys: _TerminalKeys | None = None) -> bytes:
    """The bytes of one entry (see read_card_input); raises _TooLong past ``limit_bytes``."""
    data = bytearray()
    while True:
        if any(end in data for end in _LINE_ENDS) and not _more_within(descriptor, SWIPE_QUIET):
            return bytes(data)
        chunk = os.read(descriptor, limit_bytes + 1 - len(data))
        if not chunk:
            return bytes(data)
        if keys is None:
            data += chunk
            ended = False
        else:
            ended = keys.apply(data, chunk)
        if len(data) > limit_bytes:
            raise _TooLong
        if ended:
            return bytes(data)


def _more_within(descriptor: int, seconds: float) -> bool:
    if sys.platform == "win32":  # select() takes only sockets there: a pipe is read to its end (bounded)
        return True
    return bool(select.select([descriptor], [], [], seconds)[0])


def _read_hidden(descriptor: int, limit_bytes: int, prompt: str) -> bytes:
    """An entry typed or swiped at the terminal, without echo; the terminal is restored after."""
    saved = termios.tcgetattr(descriptor)
    quiet = [*saved[:6], list(saved[6])]
    # Byte by byte (not line by line) so that the pause between lines is what ends a swipe;
    # erase, kill and end-of-file keep working (_TerminalKeys), Ctrl-C still interrupts.
    quiet[3] &= ~(termios.ECHO | termios.ICANON)
    quiet[6][termios.VMIN], quiet[6][termios.VTIME] = 1, 0
    termios.tcsetattr(descriptor, termios.TCSANOW, quiet)
    try:
        _say(prompt)
        return _read_entry(descriptor, limit_bytes, _TerminalKeys(saved[6]))
    except BaseException:
        _drain(descriptor)  # a refused or interrupted swipe may still be arriving
        raise
    finally:
        termios.tcflush(descriptor, termios.TCIFLUSH)  # before echo is back: nothing left for the shell
        termios.tcsetattr(descriptor, termios.TCSANOW, saved)
        _say("\n")  # the Enter that was not echoed


def _say(text: str) -> None:
    if sys.stderr is not None:  # closed (2>&-): print() would write to stdout instead
        print(text, end="", file=sys.stderr, flush=True)


def _drain(descriptor: int) -> None:
    """Read and drop input until it pauses (at most a few swipes' worth: a terminal is not endless)."""
    for _ in range(64):
        if not _more_within(descriptor, SWIPE_QUIET) or not os.read(descriptor, 4096):
            return


class _TerminalKeys:
    """The line-editing keys the terminal driver handles itself in line mode."""

    def __init__(self, control_chars: list):
        self.erase, self.kill, self.end = (control_chars[index] for index in
                                           (termios.VERASE, termios.VKILL, termios.VEOF))

    def apply(self, data: bytearray, chunk: bytes) -> bool:
        """Append ``chunk`` to ``data`` with its editing keys applied; True at end-of-file."""
        for value in chunk:
            key = bytes([value])
            if key == self.end:
                return True
            if key == self.erase:
                while data and data[-1] & 0xC0 == 0x80:  # a UTF-8 character's trailing bytes
                    data.pop()
                if data and data[-1] not in _LINE_ENDS:
                    data.pop()
            elif key == self.kill:
                while data and data[-1] not in _LINE_ENDS:
                    data.pop()
            else:
                data.append(value)
        return False
