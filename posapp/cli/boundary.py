"""The ``posapp`` command: every action that matters, headless, over the same services.

This is the command line's one error boundary: every failure becomes one line on stderr
and an exit code (``posapp.errors.ExitCode``); only an unexpected one leaves a traceback,
in the log file. It is also the one gate: every command but ``setup``, ``doctor`` and
``provision`` runs as a signed-in operator holding the permission declared in PERMISSIONS.
Card data is read only from standard input (or the terminal, without echo), never from
arguments, the environment or a file named on the command line.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
from pathlib import Path
from typing import Protocol

from posapp import config, hardening, logs
from posapp.access.roles import Permission, SignedIn
from posapp.cli.admin import doctor, provision, setup
from posapp.cli.audit import audit_list, audit_verify
from posapp.cli.export import order_export
from posapp.cli.operators import (operator_add, operator_disable, operator_enable, operator_list, operator_reset,
                                  operator_unlock)
from posapp.cli.orders import order_list, order_new, order_show, order_void
from posapp.cli.payments import order_capture, order_charge, order_refund, payments_recover
from posapp.cli.receipts import receipt
from posapp.cli.output import Stdout, drop_unwritable_stdout, for_terminal
from posapp.cli.parser import build_parser
from posapp.cli.reports import report_day
from posapp.cli.signin import refused_if, sign_in
from posapp.cli.tills import till_list, till_register, till_revoke
from posapp.cli.vault import vault_import, vault_reconcile, vault_verify
from posapp.cli.vault_keys import vault_rekey, vault_rotate_materials
from posapp.cli.purge import vault_purge
from posapp.config import Settings
from posapp.errors import ExitCode, describe

log = logging.getLogger(__name__)


class Window(Protocol):
    """The graphical front end, handed in by the entry point: the command line never imports it."""

    def open(self, settings: Settings, *, smoke: bool, explicit: Path | None) -> int:
        """Run the window until it closes; returns the exit code."""

    def show_startup_error(self, message: str) -> None:
        """Tell a cashier, who sees no terminal, why the window cannot open."""


def main(argv: list[str] | None, *, window: Window) -> int:
    """Run one ``posapp`` command line (``sys.argv[1:]`` when None); returns the exit code.

    ``window`` opens for ``posapp`` alone and ``posapp gui``. Never raises, except
    SystemExit for ``--help``, ``--version`` and usage errors (exit 2).
    """
    hardening.harden()  # before anything is read or written: no core file, no file others can change
    args = build_parser().parse_args(argv)
    wants_window = args.command in (None, "gui")
    log_file = logs.setup(config.Paths.from_env(os.environ).log_dir)
    try:
        if args.command == "setup":  # before loading: the settings it replaces may be broken
            return setup(args, sys.stdout)
        settings = config.load(args.config)
        if wants_window:
            return window.open(settings, smoke=getattr(args, "smoke", False), explicit=args.config)
        from posapp import app

        services = app.build(settings)
        command = (args.command, getattr(args, "action", None))
        name = "-".join(part for part in command if part)  # as the journal names it: "order-list"
        out = Stdout()
        try:
            operator = _operator(services, command, name)
            run = functools.partial(COMMANDS[command], services, args, out, operator)
            code = refused_if(services, operator, name, run) if operator else run()
        finally:
            services.anchor_journal()  # this command's entries, a refused sign-in's too: deleting them is caught
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
        drop_unwritable_stdout()
        message = for_terminal(message)
        print(f"posapp: {message}", file=sys.stderr)
        if wants_window and not getattr(args, "smoke", False):
            window.show_startup_error(message)
        return code


COMMANDS = {
    ("order", "new"): order_new,
    ("order", "list"): order_list,
    ("order", "show"): order_show,
    ("order", "void"): order_void,
    ("order", "refund"): order_refund,
    ("order", "capture"): order_capture,
    ("order", "charge"): order_charge,
    ("order", "export"): order_export,
    ("payments", "recover"): payments_recover,
    ("receipt", None): receipt,
    ("vault", "verify"): vault_verify,
    ("vault", "reconcile"): vault_reconcile,
    ("vault", "import"): vault_import,
    ("vault", "rekey"): vault_rekey,
    ("vault", "rotate-materials"): vault_rotate_materials,
    ("vault", "purge"): vault_purge,
    ("operator", "add"): operator_add,
    ("operator", "list"): operator_list,
    ("operator", "disable"): operator_disable,
    ("operator", "enable"): operator_enable,
    ("operator", "reset"): operator_reset,
    ("operator", "unlock"): operator_unlock,
    ("till", "register"): till_register,
    ("till", "revoke"): till_revoke,
    ("till", "list"): till_list,
    ("report", "day"): report_day,
    ("audit", "list"): audit_list,
    ("audit", "verify"): audit_verify,
    ("provision", None): provision,
    ("doctor", None): doctor,
}

# What each command needs the operator to hold; None: runs without signing in (it makes or
# checks what sign-in needs). ``order list``/``show`` narrow to this till without ALL_ORDERS.
PERMISSIONS: dict[tuple[str, str | None], Permission | None] = {
    ("order", "new"): Permission.SELL,
    ("order", "list"): Permission.OWN_TILL_ORDERS,
    ("order", "show"): Permission.OWN_TILL_ORDERS,
    ("order", "void"): Permission.VOID,
    ("order", "refund"): Permission.REFUND,
    ("order", "capture"): Permission.SELL,
    ("order", "charge"): Permission.CHARGE_STORED_CARD,
    ("order", "export"): Permission.EXPORT,
    ("payments", "recover"): Permission.OWN_TILL_ORDERS,
    ("receipt", None): Permission.PRINT_RECEIPTS,  # another till's order needs ALL_ORDERS too
    ("vault", "verify"): Permission.VAULT,
    ("vault", "reconcile"): Permission.VAULT,
    ("vault", "import"): Permission.VAULT,
    ("vault", "rekey"): Permission.VAULT,
    ("vault", "rotate-materials"): Permission.VAULT,
    ("vault", "purge"): Permission.VAULT,
    ("operator", "add"): Permission.OPERATORS,
    ("operator", "list"): Permission.OPERATORS,
    ("operator", "disable"): Permission.OPERATORS,
    ("operator", "enable"): Permission.OPERATORS,
    ("operator", "reset"): Permission.OPERATORS,
    ("operator", "unlock"): Permission.OPERATORS,
    ("till", "register"): Permission.TILLS,
    ("till", "revoke"): Permission.TILLS,
    ("till", "list"): Permission.TILLS,
    ("report", "day"): Permission.REPORTS,
    ("audit", "list"): Permission.AUDIT,
    ("audit", "verify"): Permission.AUDIT,
    ("provision", None): None,
    ("doctor", None): None,
}
OVERRIDABLE = {("order", "void"), ("order", "refund")}  # a cashier may do these with a supervisor's approval


def _operator(services, command: tuple[str, str | None], name: str) -> SignedIn | None:
    """The signed-in operator for ``command``, or None where it runs without one: the commands
    that need no sign-in, and ``operator add`` while no operator exists (the first administrator)."""
    permission = PERMISSIONS[command]
    if permission is None or (command == ("operator", "add") and not services.operators.exist()):
        return None
    return sign_in(services, name, permission, overridable=command in OVERRIDABLE)
