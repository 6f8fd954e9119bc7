"""``posapp provision``, ``setup`` and ``doctor``: making a till ready and checking it."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import TextIO

from posapp import config, workstation_setup
from posapp.cli.input import read_line
from posapp.cli.journalling import journal
from posapp.cli.output import for_terminal
from posapp.errors import ExitCode, InvalidInput


def provision(services, args, out: TextIO, operator: None = None) -> int:
    """Create or upgrade the vault and the order history and pair them; print where they are.
    Returns ExitCode.OK; the backends' PosappErrors propagate to the CLI's one error handler.
    Runs before anyone can sign in (the operators live in what it creates): journalled as nobody's."""
    services.provision()
    journal(services, None, "provision")
    print(f"Ready: {services.backends_text}", file=out)
    return ExitCode.OK


def setup(args: argparse.Namespace, out: TextIO) -> int:
    """Write the settings file from the command line (the machine-wide one with ``--system``),
    keep the MySQL password in the keyring, then run :func:`doctor` and return its exit code.
    Raises ConfigError or InvalidInput before anything is written."""
    paths = config.Paths.from_env(os.environ)
    target = args.config or (config.machine_config_file() if args.system else paths.user_config_file)
    values = {
        "workstation": {"id": args.workstation_id, "role": args.workstation_role},
        "vault": {"backend": args.vault_backend, "table": args.vault_table, "region": args.vault_region,
                  "endpoint_url": args.vault_endpoint_url, "kms_key_id": args.kms_key_id,
                  "materials": args.vault_materials},
        "orders": {"url": args.orders_url, "ssl_ca": args.ssl_ca, "ssl_cert": args.ssl_cert, "ssl_key": args.ssl_key},
    }
    written = []
    stored = workstation_setup.set_up(
        target, values, shared=args.system,
        password=lambda: _read_orders_password(from_stdin=args.orders_password_stdin),
        saved=lambda path: (written.append(path), print(f"Settings written to {path}", file=out)))
    if stored.password is not None:
        print("The order database password is in the system keyring.", file=out)
    from posapp import app

    services = app.build(config.load(args.config))
    for path in written:
        services.note_settings_saved(path)
    return doctor(services, args, out)


PASSWORD_MAX = 1024


def _read_orders_password(*, from_stdin: bool) -> str:
    """Asked by workstation_setup only when the order history is on MySQL; it refuses an empty one."""
    if from_stdin:
        return read_line(sys.stdin, PASSWORD_MAX, "the order database password")
    if sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass("Order database password (kept in the system keyring): ")
    raise InvalidInput("give the order database password on standard input with --orders-password-stdin, "
                       "or run setup in a terminal")


def doctor(services, args, out: TextIO, operator: None = None) -> int:
    """Print one line per health check (ok or FAIL, never a secret or card); returns the worst
    check's ExitCode, OK when every check passed."""
    from posapp import doctor as health

    worst = ExitCode.OK
    for result in health.run(services):
        print(f"{'ok' if result.ok else 'FAIL':5} {result.name}: {for_terminal(result.detail)}", file=out, flush=True)
        worst = max(worst, result.exit_code)
    return worst
