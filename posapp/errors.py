"""posapp's error tree and the one mapping from an error to a sentence and an exit code.

Every layer raises subclasses of :class:`PosappError`; this module is the bottom of the
tree and imports nothing from posapp (``card`` and ``money`` derive their errors from
:class:`InvalidInput`). The CLI and the GUI each show :func:`describe` and nothing else:
no traceback reaches a user.
"""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    """The exit status of every ``posapp`` command, and what a script should do about each."""

    OK = 0  # done: everything asked was done and every check passed
    INTERNAL = 1  # a fault in posapp (details in the log file): retrying will not help; report it
    # Fix the input, the settings or the command line, then run again: the refused thing was not
    # done (argparse's usage errors are 2 too). ``vault import``: some lines refused, the rest stored.
    BAD_INPUT = 2
    UNAVAILABLE = 3  # a backend, the disk or the output cannot be used now: retrying later may work
    INTEGRITY = 4  # stored data failed a check (tampered, missing, older copy): restore, never retry blindly
    NOT_PERMITTED = 5  # not signed in, a wrong or locked sign-in, or a role without the permission: nothing was done
    DECLINED = 6  # the processor declined the card: nothing was charged; ask for another card
    INTERRUPTED = 130  # Ctrl-C, as shells report SIGINT


class PosappError(Exception):
    """Base of every error posapp raises on purpose; ``str()`` is the user's sentence."""

    exit_code = ExitCode.INTERNAL

    def sentence(self) -> str:
        """What the user reads: ``str()``, unless a subclass names what was refused."""
        return str(self)


class InvalidInput(PosappError, ValueError):
    """Something a user typed or passed cannot be accepted; nothing was changed."""

    exit_code = ExitCode.BAD_INPUT


class ConfigError(PosappError):
    """The configuration cannot be used; the message names the file and the key."""

    exit_code = ExitCode.BAD_INPUT


class NotFound(PosappError, LookupError):
    """What was asked for does not exist."""

    exit_code = ExitCode.BAD_INPUT


class NotPermitted(PosappError):
    """The operator is not signed in, could not sign in, or may not do this; nothing was changed."""

    exit_code = ExitCode.NOT_PERMITTED


class Declined(PosappError):
    """The card processor declined the card: nothing was charged; the sentence says what to do."""

    exit_code = ExitCode.DECLINED


class Unavailable(PosappError):
    """A backend (vault, database, key service) cannot be reached or refused to work."""

    exit_code = ExitCode.UNAVAILABLE


class IntegrityFailure(PosappError):
    """Stored data failed its integrity check."""

    exit_code = ExitCode.INTEGRITY


def describe(error: BaseException) -> tuple[str, ExitCode]:
    """The one sentence and exit code a user gets for ``error``."""
    if isinstance(error, PosappError):
        return error.sentence(), error.exit_code
    if isinstance(error, OSError):  # a disk, a pipe or a device, not a bug of posapp's
        where = f"{error.filename}: " if error.filename else ""
        return f"{where}{error.strerror or error}", ExitCode.UNAVAILABLE
    return "posapp hit an unexpected problem; the details are in the log file", ExitCode.INTERNAL
