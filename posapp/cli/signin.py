"""Who runs a command: signing in from the environment or a terminal, overrides, new secrets.

Secrets come from the environment (scripts) or a prompt that does not echo them, never from
the command line, where every user of the machine can read them. A prompt is offered only when
standard input is a terminal: a script waiting on a question nobody sees would hang.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import sys

from posapp.access.operators import NoOperators, SignInRefused
from posapp.access.roles import Permission, SignedIn, require
from posapp.cli.input import read_line
from posapp.errors import InvalidInput, NotPermitted

OPERATOR_ENV, SECRET_ENV = "POSAPP_OPERATOR", "POSAPP_SECRET"
SUPERVISOR_ENV, SUPERVISOR_SECRET_ENV = "POSAPP_SUPERVISOR", "POSAPP_SUPERVISOR_SECRET"
NEW_SECRET_ENV = "POSAPP_NEW_SECRET"
INPUT_MAX = 1024  # characters of a typed login or secret; the secret policy refuses far less


def _on_terminal() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def _credentials(login_env: str, secret_env: str, prompt: str) -> tuple[str, str] | None:
    """(login, secret) from the environment, the terminal for what it lacks, or None."""
    login, secret = os.environ.get(login_env), os.environ.get(secret_env)
    if login and secret is not None:
        return login, secret
    if not _on_terminal():
        return None
    if not login:
        print(prompt, end="", file=sys.stderr, flush=True)
        login = read_line(sys.stdin, INPUT_MAX, "the login").strip()
    # Not "Secret for LOGIN": a PIN typed at the login prompt would be shown back.
    return login, getpass.getpass("Secret (not shown): ", stream=sys.stderr)


def sign_in(services, action: str, permission: Permission, *, overridable: bool = False) -> SignedIn:
    """The operator running ``action``, holding ``permission`` (or, where ``overridable``, approved for it
    by a supervisor). Raises NoOperators, SignInRefused or NotPermitted (exit 5), each journalled
    where an operator is known; nothing else is done before."""
    if not services.operators.exist():
        raise NoOperators()
    given = _credentials(OPERATOR_ENV, SECRET_ENV, "Operator login: ")
    if given is None:
        raise NotPermitted(f"sign in to {permission.value}: set {OPERATOR_ENV} and {SECRET_ENV}, "
                           f"or run the command in a terminal")
    with _naming(permission):
        operator = services.operators.sign_in(*given)
    if overridable and not operator.may(permission):
        supervisor = _credentials(SUPERVISOR_ENV, SUPERVISOR_SECRET_ENV,
                                  f"A supervisor approves ({permission.value}); supervisor login: ")
        if supervisor is not None:
            with _naming(permission):
                return services.operators.approve(operator, *supervisor, permission)
        if os.environ.get(SUPERVISOR_ENV):
            raise NotPermitted(f"{SUPERVISOR_ENV} is set but {SUPERVISOR_SECRET_ENV} is not: a supervisor's approval "
                               f"needs both (or a terminal to type the secret at)")
    return refused_if(services, operator, action, lambda: require(operator, permission))


@contextlib.contextmanager
def _naming(permission: Permission):
    """A refused sign-in's sentence also says what it was for (it names the operator already)."""
    try:
        yield
    except SignInRefused as refused:
        raise SignInRefused(f"{refused} (needed to {permission.value})") from None


def refused_if(services, operator: SignedIn, action: str, check):
    """``check()``'s result; a NotPermitted it raises is journalled as ``operator`` refused ``action``."""
    try:
        return check()
    except NotPermitted as error:
        services.operators.refused(operator, action, error)
        raise


def new_secret(login: str) -> str:
    """The new secret of operator ``login``: ``POSAPP_NEW_SECRET``, else typed twice at a hidden prompt.

    Raises InvalidInput when the two differ, or when neither the variable nor a terminal is there."""
    given = os.environ.get(NEW_SECRET_ENV)
    if given is not None:
        return given
    if not _on_terminal():
        raise InvalidInput(f"give the new secret in {NEW_SECRET_ENV}, or run the command in a terminal")
    first = getpass.getpass(f"New secret for {login}: ", stream=sys.stderr)
    if getpass.getpass("The same again: ", stream=sys.stderr) != first:
        raise InvalidInput("the two secrets typed differ: nothing was changed")
    return first
