"""``posapp provision``, ``setup`` and ``doctor``: making a till ready and checking it."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import TextIO

from posapp import config
from posapp.cli.input import read_line
from posapp.cli.output import for_terminal
from posapp.errors import ExitCode, InvalidInput


def provision(services, args, out: TextIO) -> int:
    services.provision()
    print(f"Ready: {services.backends_text}", file=out)
    return ExitCode.OK


def setup(args: argparse.Namespace, out: TextIO) -> int:
    paths = config.Paths.from_env(os.environ)
    target = args.config or (config.machine_config_file() if args.system else paths.user_config_file)
    values = {
        "workstation": {"id": args.workstation_id},
        "vault": {"backend": args.vault_backend, "table": args.vault_table, "region": args.vault_region,
                  "endpoint_url": args.vault_endpoint_url, "kms_key_id": args.kms_key_id,
                  "materials": args.vault_materials},
        "orders": {"url": args.orders_url, "ssl_ca": args.ssl_ca, "ssl_cert": args.ssl_cert, "ssl_key": args.ssl_key},
    }
    config.check(target, values)  # a mistake is reported before anything is asked or written
    needs_password = bool(args.orders_url and args.orders_url.startswith("mysql"))
    password = _read_orders_password(from_stdin=args.orders_password_stdin) if needs_password else None
    config.save(target, values, shared=args.system)
    print(f"Settings written to {target}", file=out)
    if password is not None:
        _store_orders_password(args.orders_url, password)
        print("The order database password is in the system keyring.", file=out)
    from posapp import app

    return doctor(app.build(config.load(args.config)), args, out)


PASSWORD_MAX = 1024


def _read_orders_password(*, from_stdin: bool) -> str:
    if from_stdin:
        password = read_line(sys.stdin, PASSWORD_MAX, "the order database password")
    elif sys.stdin is not None and sys.stdin.isatty():
        password = getpass.getpass("Order database password (kept in the system keyring): ")
    else:
        raise InvalidInput("give the order database password on standard input with --orders-password-stdin, "
                           "or run setup in a terminal")
    if not password:
        raise InvalidInput("the order database password is empty")
    return password


def _store_orders_password(url: str, password: str) -> None:
    try:
        config.write_secret(config.orders_password_name(url), password)
    except config.KeyringUnavailable:
        raise config.KeyringUnavailable(
            "the system keyring cannot be used here, so the password was not stored: give posapp the "
            f"password in {config.ORDERS_PASSWORD_ENV} instead") from None


def doctor(services, args, out: TextIO) -> int:
    from posapp import doctor as health

    worst = ExitCode.OK
    for result in health.run(services):
        print(f"{'ok' if result.ok else 'FAIL':5} {result.name}: {for_terminal(result.detail)}", file=out, flush=True)
        worst = max(worst, result.exit_code)
    return worst
