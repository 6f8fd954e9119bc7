"""What the command line prints from stored or foreign text: masked, and inert on a terminal.

Rows may hold what posapp never wrote (legacy rows, rows edited with SQL): card numbers,
and terminal control sequences that could forge a line, retitle the window or hide text
(``\\x1b]0;…\\x07``, ``\\x1b[2K\\r``). Both are made harmless here, on every path out.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import sys
import unicodedata
from typing import TextIO

from posapp.errors import Unavailable
from posapp.pan_detect import redact

# Control and format characters, line and paragraph separators: shown, never obeyed.
_INERT_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})


def for_terminal(value: object) -> str:
    """``value`` as one line of terminal text: card numbers masked, controls shown as ``\\x1b``."""
    return _escape_controls(redact(str(value)), lambda code: f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def print_json(out: TextIO, document: object) -> None:
    """``document`` as JSON, card numbers masked in every string, no raw control character."""
    text = json.dumps(_masked(document), ensure_ascii=False, indent=2)
    # json escapes C0 controls only; DEL, C1 (U+009B is a CSI too) and bidi overrides pass.
    out.write(_escape_controls(text, lambda code: f"\\u{code:04x}", keep="\n") + "\n")


def _masked(document: object) -> object:
    if isinstance(document, str):
        return redact(document)
    if isinstance(document, dict):
        return {_masked(key): _masked(value) for key, value in document.items()}
    if isinstance(document, list):
        return [_masked(item) for item in document]
    return document


def _escape_controls(text: str, escape, keep: str = "") -> str:
    if text.isprintable() and not keep:
        return text
    return "".join(escape(ord(char)) if char not in keep and unicodedata.category(char) in _INERT_CATEGORIES
                   else char for char in text)


class OutputUnavailable(Unavailable):
    """Standard output cannot be written (a full disk, a closed file)."""


class Stdout:
    """``sys.stdout`` for the commands, whose write errors say that it was the output that failed.

    Raises OutputUnavailable (a BrokenPipeError passes: the reader left, which is no error)."""

    def write(self, text: str) -> int:
        """Write ``text`` as given (no masking); the number of characters written."""
        with self._errors():
            return _stdout().write(text)

    def flush(self) -> None:
        """Flush ``sys.stdout``: a full disk is reported here, not at exit."""
        with self._errors():
            _stdout().flush()

    @staticmethod
    @contextlib.contextmanager
    def _errors():
        try:
            yield
        except BrokenPipeError:
            raise
        except OSError as error:
            raise OutputUnavailable(f"standard output cannot be written: {error.strerror or error}") from None


def _stdout() -> TextIO:
    if sys.stdout is None:  # started with standard output closed (``>&-``)
        raise OSError(errno.EBADF, "it is closed")
    return sys.stdout


def drop_unwritable_stdout() -> None:
    """Send what is left for a full or closed stdout to nowhere, so exit adds no traceback."""
    if sys.stdout is None:
        return
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
