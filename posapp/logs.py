"""Logging for posapp: a private rotating log file, posapp's warnings on stderr, and PAN
redaction on every record from every logger (posapp's and third parties' alike).

Redaction masks every card number that :mod:`posapp.pan_detect` finds, however it is
written, to ``•••• <last 4>``, in the message, its arguments, the exception text and the
stack. It happens twice on purpose: a log-record factory redacts
each record as it is made, whichever handler later gets it, and a filter on each of
posapp's handlers catches records made some other way (``logging.makeLogRecord``).
"""

from __future__ import annotations

import logging
import logging.handlers
import errno
import os
import stat
import sys
import time
from pathlib import Path

from posapp.pan_detect import redact

LOG_FILE_NAME = "posapp.log"


def redact_record(record: logging.LogRecord) -> None:
    """Redact a record in place: message with its arguments, exception and stack text. Never raises
    for a bad format string (the arguments are dropped instead)."""
    if getattr(record, "posapp_redacted", None) is record.msg and not record.args and not record.exc_info:
        return  # already redacted, and nothing replaced since
    try:
        message = record.getMessage()
    except Exception:  # a bad format string must not let raw arguments through
        message = f"{record.msg} (unformattable log arguments dropped)"
    record.msg, record.args = redact(str(message)), None
    if record.exc_info:
        if not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        # Without exc_info no later formatter can render the raw exception again.
        record.exc_info = None
    if record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    record.posapp_redacted = record.msg


class RedactingFilter(logging.Filter):
    """A handler filter that redacts each record (see :func:`redact_record`) and keeps them all."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact ``record`` in place; always True."""
        redact_record(record)
        return True


def install_redaction() -> None:
    """Make every log record, from any logger, redacted as it is created. Idempotent."""
    factory = logging.getLogRecordFactory()
    if getattr(factory, "posapp_redacting", False):
        return

    def redacting_factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        redact_record(record)
        return record

    redacting_factory.posapp_redacting = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(redacting_factory)


class _PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """Creates the log file and its rotations readable by the user alone.

    A log that cannot be written (full disk, I/O error, read-only) is said once on stderr and
    its records dropped: the library's default prints a traceback for every record.
    """

    failed = False

    def _open(self):  # type: ignore[override]
        # Never through a link another user planted in the log folder (as the kernel's
        # protected_symlinks does in sticky folders); one's own links are followed.
        try:
            link = os.lstat(self.baseFilename)
        except FileNotFoundError:
            link = None
        if link is not None and stat.S_ISLNK(link.st_mode) and link.st_uid not in (os.geteuid(), 0):
            raise OSError(errno.EPERM, "it is a link made by another user")
        descriptor = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        return open(descriptor, self.mode, encoding=self.encoding, errors=self.errors)

    def emit(self, record: logging.LogRecord) -> None:
        if not self.failed:
            super().emit(record)

    def handleError(self, record: logging.LogRecord) -> None:
        if self.failed:
            return
        self.failed = True
        _say(f"cannot write the log file {self.baseFilename} ({_reason(sys.exc_info()[1])}); "
             "further log records are dropped")
        stream, self.stream = self.stream, None
        if stream is not None:
            try:
                stream.close()  # closes even when the final flush fails; the unwritten rest is dropped
            except (OSError, ValueError):
                pass


def _reason(error: BaseException | None) -> str:
    return getattr(error, "strerror", None) or str(error) or type(error).__name__


def _say(warning: str) -> None:
    """One line on stderr, not through logging: the log itself is what failed."""
    if sys.stderr is not None:  # a windowed app may have none
        try:
            print(f"posapp: warning: {warning}", file=sys.stderr, flush=True)
        except (OSError, ValueError):
            pass


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is when a record comes (it may be replaced)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override]
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


class _OneLineFormatter(logging.Formatter):
    """For the terminal: the message alone, never a traceback."""

    def format(self, record: logging.LogRecord) -> str:
        return f"posapp: {record.levelname.lower()}: {record.getMessage()}"


def _for_terminal(record: logging.LogRecord) -> bool:
    """posapp's own messages; tracebacks and third-party chatter stay in the log file."""
    own = record.name == "posapp" or record.name.startswith("posapp.")
    return own and not record.exc_text


def _utc_formatter() -> logging.Formatter:
    # Local time without its offset could not be lined up with another till's log or an order's time.
    formatter = logging.Formatter("%(asctime)s.%(msecs)03dZ %(levelname)s %(name)s [%(threadName)s] %(message)s",
                                  "%Y-%m-%dT%H:%M:%S")
    formatter.converter = time.gmtime
    return formatter


def setup(log_dir: Path, *, stderr_level: int = logging.WARNING) -> Path | None:
    """Route all logging to ``log_dir/posapp.log`` and posapp's warnings to stderr.

    Creates ``log_dir`` (mode 0700). Times in the file are UTC (``2026-11-29T18:18:00.123Z``),
    like the orders'. Returns the log file, or None when it cannot be opened: posapp then works
    on without one, after one warning on stderr; never raises OSError.
    """
    install_redaction()
    log_file: Path | None = log_dir / LOG_FILE_NAME
    handlers: list[logging.Handler] = []
    try:
        log_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        file_handler = _PrivateRotatingFileHandler(log_file, maxBytes=5_000_000, backupCount=5, encoding="utf-8")
    except OSError as error:
        reason = "it is a file, not a folder" if log_dir.is_file() else _reason(error)
        _say(f"cannot keep a log in {log_dir} ({reason}); posapp goes on without a log file")
        log_file = None
    else:
        file_handler.setFormatter(_utc_formatter())
        handlers.append(file_handler)
    stderr_handler = _StderrHandler()
    stderr_handler.setLevel(stderr_level)
    stderr_handler.setFormatter(_OneLineFormatter())

    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "posapp_handler", False)]:
        root.removeHandler(handler)
        handler.close()
    for handler in (*handlers, stderr_handler):
        handler.addFilter(RedactingFilter())
        handler.posapp_handler = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    stderr_handler.addFilter(_for_terminal)  # after redaction, which renders exc_text
    root.setLevel(logging.INFO)
    # Request-level chatter of the AWS and SQL libraries stays out unless asked for.
    for noisy in ("botocore", "boto3", "urllib3", "sqlalchemy.engine", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    logging.captureWarnings(True)
    return log_file
