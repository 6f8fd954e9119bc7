"""8.3.6: no operator who can sign in has a default, short or guessable secret.

posapp keeps only each secret's salted Argon2id hash: no secret, no length, no "must change"
flag, and it creates no default operator (the first administrator chooses a password). What can
be known is checked: every secret set through posapp passed its rules when set (a cashier's PIN
at least 6 digits, every other role's password at least 12 characters with letters and digits),
so a hash that is not posapp's Argon2id was set some other way; and each hash is tried against
the secrets people set first (the login itself, "password", "123456"...). Guessable PINs were
allowed before posapp refused them, so this finds those too. Trying costs about 40 ms a secret.
"""

from __future__ import annotations

from posapp.access import credentials
from posapp.access.roles import Role
from posapp.app import Services
from posapp.pci.base import Status, counted

ARGON2ID = "$argon2id$"
# What people set first: installers' defaults and the PINs tried first on a keypad.
COMMON_PINS = ("123456", "000000", "111111", "654321", "123123", "121212")
COMMON_PASSWORDS = ("password", "admin", "changeme", "posapp", "password1234")


def secrets(services: Services) -> tuple[Status, str]:
    """FAIL naming each enabled operator whose hash is not posapp's or whose secret is a common one."""
    enabled = [record for record in services.orders.operators.all() if not record.disabled]
    if not enabled:
        return Status.PASS, "no operator can sign in yet (posapp creates no default operator)"
    found = []
    for record in enabled:
        if not record.secret_hash.startswith(ARGON2ID):
            found.append(f"{record.login} (a secret not set by posapp: reset it)")
            continue
        pin = record.role == Role.CASHIER.value
        tried = COMMON_PINS if pin else (*COMMON_PASSWORDS, record.login, record.login * 2)
        if any(credentials.matches(record.secret_hash, secret) for secret in tried):
            found.append(f"{record.login} (a {'PIN' if pin else 'password'} people try first: reset it)")
    if found:
        return Status.FAIL, "operators with a default or guessable secret: " + ", ".join(found)
    return Status.PASS, (f"{counted(len(enabled), 'operator')} can sign in; every secret is posapp's Argon2id hash "
                         f"(set under its rules: PIN ≥ {credentials.PIN_MIN} digits, password ≥ "
                         f"{credentials.PASSWORD_MIN} characters) and none is a common one; posapp keeps no secret's "
                         "length")
