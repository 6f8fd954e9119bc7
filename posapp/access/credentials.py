"""Operators' secrets: what a new one must be, and its Argon2id hash (argon2-cffi).

Cashiers sign in with a PIN at the till's keypad; every other role with a password
(PCI DSS v4.0 8.3.6: at least 12 characters, letters and digits). The secret itself is never
kept, logged or shown: only its salted Argon2id hash, with the parameters of the OWASP Password
Storage Cheat Sheet (2023 and later: 19 MiB, 2 passes, 1 lane). argon2-cffi's own default
(64 MiB, 3 passes, 4 lanes) took 0.26-0.31 s per sign-in on a 2-core till against 0.04 s;
every hash names its parameters, so hashes made with either keep working.
"""

from __future__ import annotations

import functools

from posapp.access.roles import Role
from posapp.errors import InvalidInput
from posapp.pan_detect import contains_pan

PIN_MIN = 6
PASSWORD_MIN = 12
SECRET_MAX = 128  # characters: a longer one is a paste gone wrong, and costs hashing time


class WeakSecret(InvalidInput):
    """A new secret does not meet the policy; the sentence says which rule, never the secret."""


PIN_DIFFERENT_DIGITS_MIN = 4


def is_guessable(digits: str) -> bool:
    """A run (each digit the next or the previous one: 123456, 987654, 890123), a repeated block
    (121212, 123123, 12341234), or fewer than 4 different digits (000000, 112233): what people
    pick first, and so what is tried first."""
    steps = {(int(b) - int(a)) % 10 for a, b in zip(digits, digits[1:])}
    run = len(steps) == 1 and steps <= {0, 1, 9}
    repeated = any(len(digits) % size == 0 and digits == digits[:size] * (len(digits) // size)
                   for size in range(1, len(digits) // 2 + 1))
    return run or repeated or len(set(digits)) < PIN_DIFFERENT_DIGITS_MIN


def check_new_secret(role: Role, secret: str, *, login: str) -> str:
    """``secret`` if it may be the new secret of an operator ``login`` with ``role``; raises WeakSecret."""
    if len(secret) > SECRET_MAX:
        raise WeakSecret(f"a secret has at most {SECRET_MAX} characters")
    if not secret.isprintable():
        raise WeakSecret("a secret cannot hold control characters")
    if role.uses_pin:
        if not (secret.isascii() and secret.isdigit()):
            raise WeakSecret("a cashier's PIN is digits only")
        if len(secret) < PIN_MIN:
            raise WeakSecret(f"a cashier's PIN has at least {PIN_MIN} digits")
        if is_guessable(secret):
            # No example digits in the sentence: the example might be the very PIN typed.
            raise WeakSecret(f"that PIN is easy to guess: use at least {PIN_DIFFERENT_DIGITS_MIN} different digits, "
                             f"not counting up or down or repeating a pattern")
        if contains_pan(secret):
            raise WeakSecret("a PIN cannot be a card number")
        return secret
    if len(secret) < PASSWORD_MIN:
        raise WeakSecret(f"a password (every role but cashier signs in with one) has at least {PASSWORD_MIN} "
                         f"characters")
    if not (any(c.isalpha() for c in secret) and any(c.isdigit() for c in secret)):
        raise WeakSecret("a password holds both letters and digits")
    if login.casefold() in secret.casefold():
        raise WeakSecret("a password cannot contain the login")
    return secret


@functools.cache
def _hasher():
    from argon2 import PasswordHasher, Type  # only when a secret is checked: not on the window's start-up path

    return PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, type=Type.ID)


def hash_secret(secret: str) -> str:
    """The Argon2id hash of ``secret`` (a PHC string with its own salt and parameters)."""
    return _hasher().hash(secret)


def matches(secret_hash: str, secret: str) -> bool:
    """Whether ``secret`` is the one ``secret_hash`` was made from; False for a damaged hash."""
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return _hasher().verify(secret_hash, secret)
    except (VerificationError, InvalidHashError):
        return False


@functools.cache
def _unknown_login_hash() -> str:
    return hash_secret("posapp: no operator has this login")


def burn_time() -> None:
    """Spend what checking a secret costs, for a login that does not exist: the time a refusal
    takes must not tell which logins exist."""
    matches(_unknown_login_hash(), "")
