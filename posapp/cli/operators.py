"""``posapp operator …``: add, list, disable, enable, reset and unlock the operators who sign in."""

from __future__ import annotations

from typing import TextIO

from posapp.access.operators import NoOperators
from posapp.access.roles import Role, SignedIn
from posapp.cli.output import for_terminal, print_json
from posapp.cli.signin import new_secret
from posapp.errors import ExitCode


def operator_add(services, args, out: TextIO, operator: SignedIn | None) -> int:
    """Create operator ``args.login`` with ``args.role``; ``operator`` None creates the first
    administrator. The secret comes from :func:`new_secret`. Raises WeakSecret, InvalidInput,
    DuplicateOperator, NoOperators (a first operator that is not an administrator)."""
    role = Role.named(args.role)
    if operator is None and role is not Role.ADMIN:  # before asking for a secret that cannot be used
        raise NoOperators()
    added = services.operators.add(operator, args.login, role, args.name, new_secret(args.login))
    print(f"Operator {for_terminal(added.login)} ({role.value}) added.", file=out)
    return ExitCode.OK


def operator_list(services, args, out: TextIO, operator: SignedIn) -> int:
    """Print every operator (never a secret or its hash); JSON with ``--json``."""
    everyone = services.operators.all(operator)
    rows = [{"login": each.login, "name": each.name, "role": each.role, "disabled": each.disabled,
             "failed_attempts": each.failed_attempts,
             "locked_until": each.locked_until.isoformat() if each.locked_until else None,
             "created_at": each.created_at.isoformat() if each.created_at else None} for each in everyone]
    if args.json:
        print_json(out, {"operators": rows})
        return ExitCode.OK
    for row in rows:
        state = "disabled" if row["disabled"] else f"locked until {row['locked_until']}" if row["locked_until"] else ""
        print(f"{for_terminal(row['login']):24}  {row['role']:10}  {for_terminal(row['name']):30}  {state}".rstrip(),
              file=out)
    return ExitCode.OK


def operator_disable(services, args, out: TextIO, operator: SignedIn) -> int:
    """Stop ``args.login`` from signing in."""
    services.operators.disable(operator, args.login)
    print(f"Operator {for_terminal(args.login)} disabled: it can no longer sign in.", file=out)
    return ExitCode.OK


def operator_enable(services, args, out: TextIO, operator: SignedIn) -> int:
    """Let a disabled ``args.login`` sign in again."""
    services.operators.enable(operator, args.login)
    print(f"Operator {for_terminal(args.login)} enabled: it can sign in again.", file=out)
    return ExitCode.OK


def operator_reset(services, args, out: TextIO, operator: SignedIn) -> int:
    """Give ``args.login`` a new secret (see :func:`new_secret`), which also ends its lockout."""
    services.operators.reset(operator, args.login, new_secret(args.login))
    print(f"Operator {for_terminal(args.login)} has a new secret.", file=out)
    return ExitCode.OK


def operator_unlock(services, args, out: TextIO, operator: SignedIn) -> int:
    """Clear ``args.login``'s failed sign-ins and lockout."""
    services.operators.unlock(operator, args.login)
    print(f"Operator {for_terminal(args.login)} unlocked.", file=out)
    return ExitCode.OK
