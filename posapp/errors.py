"""posapp's error tree and the one mapping from an error to a sentence and an exit code.

Every layer raises subclasses of :class:`PosappError`; this module is the bottom of the
tree and imports nothing from posapp (``card`` and ``money`` derive their errors from
:class:`InvalidInput`). The CLI and the GUI each show :func:`describe` and nothing else:
no traceback reaches a user. The command line is for administrators and shows an error's detail
(a host, a table, a library's text); a cashier reads what to do instead (``describe(error,
cashier=True)``), and the detail goes to the log and to administrators only.
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


class Backend(enum.Enum):
    """What posapp relies on and may find not answering; the value names it for a cashier."""

    ORDERS = "order database"
    VAULT = "card vault"
    KMS = "key service"
    PROCESSOR = "card processor"
    PRINTER = "printer"
    DISK = "disk"
    KEYRING = "system keyring"


# What a cashier reads when a backend does not answer: what it means for the sale and what to do.
_NOT_ANSWERING = {
    Backend.ORDERS: "The order database is not answering. Sales are not possible until it is back; call your "
                    "administrator.",
    Backend.VAULT: "The card vault is not answering. Card sales are not possible until it is back; call your "
                   "administrator.",
    Backend.KMS: "The key service that protects card numbers is not answering. Card sales are not possible until "
                 "it is back; call your administrator.",
    Backend.PROCESSOR: "The card processor is not answering. Cards cannot be charged until it is back: try again "
                       "in a few minutes, or call your administrator.",
    Backend.PRINTER: "The printer is not answering. Check that it is on, connected and has paper, then try again.",
    Backend.DISK: "The file could not be written: the disk may be full, removed or read-only. Choose another "
                  "place, or call your administrator.",
    Backend.KEYRING: "The system keyring is not available, so posapp cannot use its stored secrets. Call your "
                     "administrator.",
}
# What a cashier reads when a backend stopped answering after it was asked to change something.
_NOT_CONFIRMED = {
    Backend.ORDERS: "The order database stopped answering before it confirmed this, so it may or may not be "
                    "recorded. Look the order up in the history before you try again; call your administrator if "
                    "it happens again.",
    Backend.VAULT: "The card vault stopped answering before it confirmed the card. Try again; call your "
                   "administrator if it happens again.",
    Backend.PROCESSOR: "The card processor stopped answering before it confirmed this, so whether it was done is not "
                       "known yet. Look the order up in the history before you try again; call your administrator "
                       "if it happens again.",
}


class PosappError(Exception):
    """Base of every error posapp raises on purpose; ``str()`` is the user's sentence."""

    exit_code = ExitCode.INTERNAL

    def sentence(self) -> str:
        """What the user reads: ``str()``, unless a subclass names what was refused."""
        return str(self)

    def advice(self) -> str:
        """What a cashier reads: ``sentence()``, unless it holds detail only an administrator can
        use (a host, a URL, an error number, a library's text)."""
        return self.sentence()


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
    """A backend (vault, database, key service) cannot be reached or refused to work.

    ``str()`` is the detail an administrator acts on (the command line prints it, the log keeps it);
    ``backend`` names the kind of backend, class-wide or given per error, and with it ``advice()``
    is the cashier's sentence. None: no backend of ours (``advice()`` is then the detail)."""

    exit_code = ExitCode.UNAVAILABLE
    backend: Backend | None = None
    outcome_unknown = False  # the backend was asked to change something and its answer was lost

    def __init__(self, detail: str, *, backend: Backend | None = None):
        super().__init__(detail)
        if backend is not None:
            self.backend = backend

    def advice(self) -> str:
        """What a cashier reads: the backend's sentence, never the detail."""
        if self.backend is None:
            return self.sentence()
        return (_NOT_CONFIRMED if self.outcome_unknown else _NOT_ANSWERING)[self.backend]


class IntegrityFailure(PosappError):
    """Stored data failed its integrity check."""

    exit_code = ExitCode.INTEGRITY


def describe(error: BaseException, *, cashier: bool = False) -> tuple[str, ExitCode]:
    """The one sentence and exit code a user gets for ``error``: with its detail for the command
    line (administrators); ``cashier``: what to do, with no host, URL, path or error number."""
    if isinstance(error, PosappError):
        return (error.advice() if cashier else error.sentence()), error.exit_code
    if isinstance(error, OSError):  # a disk, a pipe or a device, not a bug of posapp's
        if cashier:
            return _NOT_ANSWERING[Backend.DISK], ExitCode.UNAVAILABLE
        where = f"{error.filename}: " if error.filename else ""
        return f"{where}{error.strerror or error}", ExitCode.UNAVAILABLE
    return "posapp hit an unexpected problem; the details are in the log file", ExitCode.INTERNAL
