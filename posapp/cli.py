"""The ``posapp`` command: every action that matters, headless, over the same services.

Card data is read only from standard input (or the terminal, without echo), never from
arguments, the environment or a file named on the command line.
"""

from __future__ import annotations

import argparse
import errno
import contextlib
import logging
import os
import sys
from pathlib import Path
from typing import TextIO

from posapp import config, hardening, logs
from posapp.card import Brand
from posapp.cli_admin import doctor, provision, setup
from posapp.cli_input import order_id, whole_number
from posapp.cli_output import for_terminal
from posapp.cli_orders import order_list, order_new, order_show
from posapp.cli_vault import vault_import, vault_reconcile, vault_verify
from posapp.errors import ExitCode, Unavailable, describe
from posapp.orders.base import PAGE_MAX

log = logging.getLogger(__name__)

class _VersionAction(argparse.Action):
    """Reads the version only when asked: package metadata is slow to load at every start."""

    def __call__(self, parser, namespace, values, option_string=None):
        from importlib.metadata import version

        try:
            _Stdout().write(f"posapp {version('posapp')}\n")  # on stdout, as argparse's own version action does
            _Stdout().flush()
        except OutputUnavailable as error:
            _drop_unwritable_stdout()
            parser.exit(ExitCode.UNAVAILABLE, f"posapp: {error}\n")
        parser.exit()


class _Parser(argparse.ArgumentParser):
    """argparse repeats what it refuses ("unrecognized arguments: …"): a card typed there is masked."""

    def error(self, message: str):  # type: ignore[override]
        super().error(for_terminal(message))


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="posapp", description="posapp: card-safe point of sale and billing.")
    parser.add_argument("--version", action=_VersionAction, nargs=0, help="show posapp's version and exit")
    parser.add_argument("--config", type=Path, metavar="PATH",
                        help="settings file (also POSAPP_CONFIG); overrides the machine and user files")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    gui = commands.add_parser("gui", help="open the posapp window (the default)")
    gui.add_argument("--smoke", action="store_true", help="build the main window and exit 0 (installation check)")

    order = commands.add_parser("order", help="record and look up sales").add_subparsers(
        dest="action", metavar="ACTION", required=True)
    new = order.add_parser("new", help="record one sale; the card is read from standard input")
    new.add_argument("--name", required=True, help="order name (at most 255 bytes)")
    new.add_argument("--description", help="order description (at most 255 bytes)")
    new.add_argument("--amount", required=True, help="amount, like 12.34")
    new.add_argument("--currency", help="ISO 4217 currency code (default: the till's, [merchant] currency)")
    new.add_argument("--idempotency-key", metavar="KEY",
                     help="the same key on a retry records the sale once (default: a new key per run)")
    new.add_argument("--card-stdin", action="store_true", required=True,
                     help="read 'PAN [MM/YY]' or raw magnetic-stripe data from standard input")
    new.add_argument("--json", action="store_true", help="print the order as JSON")
    listing = order.add_parser("list", help="orders, newest first, cards masked")
    listing.add_argument("--limit", type=whole_number, default=50,
                         help=f"orders per page (1 to {PAGE_MAX}, default 50)")
    listing.add_argument("--before", type=order_id, metavar="ID", help="only orders older than order ID (next page)")
    listing.add_argument("--search", metavar="TEXT", help="text in the order name or description")
    listing.add_argument("--since", metavar="YYYY-MM-DD", help="orders from this day on (UTC)")
    listing.add_argument("--until", metavar="YYYY-MM-DD", help="orders up to and including this day (UTC)")
    listing.add_argument("--last4", metavar="NNNN", help="cards ending in these 4 digits")
    listing.add_argument("--brand", type=str.upper, choices=[brand.value for brand in Brand], metavar="BRAND",
                         help="one card brand: " + ", ".join(brand.value for brand in Brand))
    listing.add_argument("--workstation", metavar="ID", help="orders taken at this till")
    listing.add_argument("--json", action="store_true", help="print the page as JSON")
    show = order.add_parser("show", help="one order, card masked")
    show.add_argument("order_id", type=order_id, metavar="ID")
    show.add_argument("--json", action="store_true", help="print the order as JSON")

    vault = commands.add_parser("vault", help="check the card vault").add_subparsers(
        dest="action", metavar="ACTION", required=True)
    verify = vault.add_parser("verify", help="check the signatures of vault items (no card is shown)")
    targets = verify.add_mutually_exclusive_group(required=True)
    targets.add_argument("--all", action="store_true", help="every item in the vault")
    targets.add_argument("tokens", nargs="*", default=[], metavar="TOKEN")

    reconcile = vault.add_parser("reconcile", help="remove vault items that no order references")
    reconcile.add_argument("--grace", type=whole_number, default=60, metavar="MINUTES",
                           help="remove an unreferenced item only on a run at least this long after the run "
                                "that first saw it (10 minutes to 366 days; default 60)")
    reconcile.add_argument("--dry-run", action="store_true", help="count what would be removed, remove nothing")
    reconcile.add_argument("--accept-restored-history", action="store_true",
                           help="after restoring the order history from a backup on purpose: take it as the "
                                "vault's from now on (removes nothing on this run)")

    importing = vault.add_parser("import", help="tokenize a legacy card file: one NUMBER[,MM/YY] per line")
    importing.add_argument("cards", type=Path, metavar="CARDS.csv", help="the card file (read, never changed)")
    importing.add_argument("--out", type=Path, required=True, metavar="TOKENS.csv",
                           help="new file for line,token,brand,last4 in input order (never overwritten)")

    commands.add_parser("provision", help="create the vault's keys and tables and the order schema")
    commands.add_parser("doctor", help="check configuration, credentials and backends; one line per check")

    setup = commands.add_parser("setup", help="write this workstation's settings, keep the database password in "
                                              "the system keyring, then run the doctor's checks")
    setup.add_argument("--system", action="store_true",
                       help="write the machine-wide file for every user of this till (administrator rights)")
    setup.add_argument("--workstation-id", required=True, metavar="ID", help="name of this till, e.g. till-01")
    setup.add_argument("--vault-backend", choices=[backend.value for backend in config.VaultBackend])
    setup.add_argument("--vault-table", metavar="NAME")
    setup.add_argument("--vault-region", metavar="REGION")
    setup.add_argument("--vault-endpoint-url", metavar="URL")
    setup.add_argument("--kms-key-id", metavar="ARN")
    setup.add_argument("--vault-materials", choices=[materials.value for materials in config.Materials])
    setup.add_argument("--orders-url", metavar="URL", help="mysql+pymysql://USER@HOST:PORT/DATABASE")
    setup.add_argument("--ssl-ca", metavar="PATH")
    setup.add_argument("--ssl-cert", metavar="PATH")
    setup.add_argument("--ssl-key", metavar="PATH")
    setup.add_argument("--orders-password-stdin", action="store_true",
                       help="read the database password from standard input instead of asking for it")
    return parser


def main(argv: list[str] | None = None) -> int:
    hardening.harden()  # before anything is read or written: no core file, no file others can change
    args = build_parser().parse_args(argv)
    log_file = logs.setup(config.Paths.from_env(os.environ).log_dir)
    try:
        if args.command == "setup":  # before loading: the settings it replaces may be broken
            return setup(args, sys.stdout)
        settings = config.load(args.config)
        if args.command in (None, "gui"):
            from posapp.ui.application import run  # Qt loads only for the window

            return run(settings, smoke=getattr(args, "smoke", False), explicit=args.config)
        from posapp import app

        services = app.build(settings)
        out = _Stdout()
        code = COMMANDS[(args.command, getattr(args, "action", None))](services, args, out)
        out.flush()  # here, not at exit, so that a full disk gets a sentence
        return code
    except BrokenPipeError:
        # The reader went away (``posapp order list | head``): not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return ExitCode.OK
    except KeyboardInterrupt:
        # Ctrl-C: what was done stays done, what was half done was taken back (a sale's card
        # stays for reconciliation, an import's cards are removed again).
        print("posapp: interrupted", file=sys.stderr)
        return ExitCode.INTERRUPTED
    except Exception as error:
        message, code = describe(error)
        if code is ExitCode.INTERNAL:
            log.error("unexpected error", exc_info=error)
            message += f" ({log_file})" if log_file else " (none is written: see the warning above)"
        _drop_unwritable_stdout()
        message = for_terminal(message)
        print(f"posapp: {message}", file=sys.stderr)
        if args.command in (None, "gui") and not getattr(args, "smoke", False):
            from posapp.ui.application import show_startup_error

            show_startup_error(message)
        return code


def _drop_unwritable_stdout() -> None:
    """Send what is left for a full or closed stdout to nowhere, so exit adds no traceback."""
    if sys.stdout is None:
        return
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _stdout() -> TextIO:
    if sys.stdout is None:  # started with standard output closed (``>&-``)
        raise OSError(errno.EBADF, "it is closed")
    return sys.stdout


class OutputUnavailable(Unavailable):
    """Standard output cannot be written (a full disk, a closed file)."""


class _Stdout:
    """``sys.stdout`` for the commands, whose write errors say that it was the output that failed."""

    def write(self, text: str) -> int:
        with self._errors():
            return _stdout().write(text)

    def flush(self) -> None:
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


COMMANDS = {
    ("order", "new"): order_new,
    ("order", "list"): order_list,
    ("order", "show"): order_show,
    ("vault", "verify"): vault_verify,
    ("vault", "reconcile"): vault_reconcile,
    ("vault", "import"): vault_import,
    ("provision", None): provision,
    ("doctor", None): doctor,
}


if __name__ == "__main__":
    sys.exit(main())
