"""Signing in, manager overrides and managing operators, every step journalled.

PCI DSS v4.0: 8.2.8 (idle sessions lock, in the window), 8.3.4 (6 failed attempts in a row
lock the operator for at least 30 minutes), 8.3.6 (secret strength, ``credentials``),
10.2.1 (sign-ins, failures and changes to operators are journalled). The order database
holds the operators; each sign-in's read, count and journal entry are one transaction, so
tills signing in at once never lose a failed attempt.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from posapp.access import credentials
from posapp.access.roles import Permission, Role, SignedIn, require
from posapp.audit.chain import Event
from posapp.clock import utc_now
from posapp.errors import InvalidInput, NotPermitted, PosappError
from posapp.orders.operators import OperatorRecord, check_login

if TYPE_CHECKING:  # the SQL adapters: SQLAlchemy stays off the window's start-up path
    from posapp.orders.journal import SqlJournal
    from posapp.orders.operators_sql import SqlOperators

log = logging.getLogger(__name__)

LOCK_AFTER = 6  # failed sign-ins in a row
LOCK_FOR = datetime.timedelta(minutes=30)
FIRST_ADMIN_HINT = "posapp operator add --role admin LOGIN"
# The same words for an unknown login and a wrong secret, and never the login typed: that
# would tell which logins exist, and a PIN typed in the login field would be shown back.
WRONG_LOGIN_OR_SECRET = "sign-in refused: wrong login or secret"


class SignInRefused(NotPermitted):
    """A wrong login or secret, a locked or a disabled operator (exit 5); nothing else changed."""


class NoOperators(NotPermitted):
    """No operator exists yet: the first administrator must be created first."""

    def __init__(self) -> None:
        super().__init__(f"no operator exists yet: create the first administrator with '{FIRST_ADMIN_HINT}'")


class Operators:
    """Sign-in and operator management over the order database's ``operators`` and ``journal``.

    ``clock`` returns aware UTC time (lockouts are tested with an injected one). Methods raise
    SignInRefused or NotPermitted (exit 5), InvalidInput for a refused login, name or secret, and
    the store's OrderStoreUnavailable."""

    def __init__(self, operators: SqlOperators, journal: SqlJournal, *,
                 clock: Callable[[], datetime.datetime] = utc_now):
        self._operators = operators
        self._journal = journal
        self._clock = clock

    def exist(self) -> bool:
        """Whether any operator exists."""
        return self._operators.exist()

    def sign_in(self, login: str, secret: str, *, action: str = "sign-in") -> SignedIn:
        """The operator ``login`` if ``secret`` is its secret and it is neither locked nor disabled.

        Every attempt is journalled as ``action`` ("sign-in", "unlock-screen", "override"); the
        sixth failure in a row locks the operator for 30 minutes."""
        try:
            check_login(login)
        except InvalidInput:
            login = ""  # never echoed or journalled: it may be a secret typed in the wrong field
        record = self._operators.find(login) if login else None
        if record is None:
            if not self._operators.exist():
                raise NoOperators()
            credentials.burn_time()
            self._journal.record(Event(action, "failed", details={"reason": "unknown login"}))
            raise SignInRefused(WRONG_LOGIN_OR_SECRET)
        outcome: dict[str, str] = {}

        def decide(current: OperatorRecord) -> tuple[OperatorRecord | None, Event]:
            now = self._clock()
            if current.locked_until is not None and current.locked_until > now:
                outcome["refusal"] = (f"operator {login} is locked after {LOCK_AFTER} failed sign-ins, until "
                                      f"{current.locked_until:%H:%M} UTC: wait, or ask an administrator to unlock it")
                return None, Event(action, "locked", login, login)
            if not credentials.matches(current.secret_hash, secret):
                earlier = current.failed_attempts if current.locked_until is None else 0  # a lock that ran out
                failures = earlier + 1
                locks = failures >= LOCK_AFTER
                outcome["refusal"] = WRONG_LOGIN_OR_SECRET + (
                    f"; operator {login} is now locked for {LOCK_FOR.seconds // 60} minutes" if locks else "")
                return (replace(current, failed_attempts=failures, locked_until=now + LOCK_FOR if locks else None),
                        Event(action, "locked-out" if locks else "failed", login, login,
                              {"failed_attempts": failures}))
            if current.disabled:
                outcome["refusal"] = f"operator {login} is disabled: ask an administrator"
                return None, Event(action, "refused", login, login, {"reason": "disabled"})
            if current.role not in {role.value for role in Role}:
                outcome["refusal"] = f"operator {login} has no known role: ask an administrator"
                return None, Event(action, "refused", login, login, {"reason": "unknown role"})
            cleared = replace(current, failed_attempts=0, locked_until=None)
            return (cleared if cleared != current else None), Event(action, "ok", login, login)

        signed = self._operators.change(login, decide)
        if "refusal" in outcome:
            raise SignInRefused(outcome["refusal"])
        return SignedIn(signed.login, signed.name, Role(signed.role))

    def approve(self, operator: SignedIn, login: str, secret: str, permission: Permission) -> SignedIn:
        """``operator`` for one action needing ``permission``, approved by supervisor ``login`` signing in
        with ``secret`` (a manager override); journalled with both names. Raises SignInRefused or NotPermitted."""
        try:
            supervisor = self.sign_in(login, secret, action="override")
        except SignInRefused as refused:  # the cashier's own sign-in was fine: say whose was not
            raise SignInRefused(f"the supervisor's approval was refused: {refused}") from None
        if not (supervisor.may(Permission.OVERRIDE) and supervisor.may(permission)):
            self._journal.record(Event("override", "refused", supervisor.login, operator.login,
                                       {"permission": permission.name}))
            raise NotPermitted(f"operator {supervisor.login} ({supervisor.role.value}) may not approve: "
                               f"{permission.value}")
        return operator.approved(supervisor)

    def sign_out(self, operator: SignedIn, *, action: str = "sign-out") -> None:
        """Journal that ``operator`` signed out (``action``: "sign-out", "idle-lock", "switch-user")."""
        self._journal.record(Event(action, "ok", operator.login, operator.login))

    def add(self, by: SignedIn | None, login: str, role: Role, name: str | None, secret: str) -> OperatorRecord:
        """Create operator ``login``. ``by`` None creates the first administrator, allowed only while
        no operator exists. Raises InvalidInput (login, name, secret), DuplicateOperator, NotPermitted."""
        check_login(login)
        credentials.check_new_secret(role, secret, login=login)
        record = OperatorRecord(login=login, name=(name or login).strip(), role=role.value,
                                secret_hash=credentials.hash_secret(secret), created_at=self._clock())
        if by is None:
            if role is not Role.ADMIN:
                raise NoOperators()
            self._operators.add(record, Event("operator-add", "ok", None, login, {"role": role.value,
                                                                                 "first": True}),
                                only_if_none=True)
        else:
            require(by, Permission.OPERATORS)
            self._operators.add(record, Event("operator-add", "ok", by.login, login, {"role": role.value}))
        log.info("operator %s (%s) added", login, role.value)
        return record

    def all(self, by: SignedIn) -> list[OperatorRecord]:
        """Every operator, by login (hashes stay inside; ``repr`` leaves them out)."""
        require(by, Permission.OPERATORS)
        return self._operators.all()

    def disable(self, by: SignedIn, login: str) -> OperatorRecord:
        """Stop ``login`` from signing in; refuses to disable the last enabled administrator."""
        require(by, Permission.OPERATORS)
        admins = [each.login for each in self._operators.all() if each.role == Role.ADMIN.value and not each.disabled]
        if admins == [login]:
            raise InvalidInput(f"{login} is the last enabled administrator: add another one first")
        return self._operators.change(login, lambda current: (replace(current, disabled=True),
                                                              Event("operator-disable", "ok", by.login, login)))

    def enable(self, by: SignedIn, login: str) -> OperatorRecord:
        """Let a disabled ``login`` sign in again (with the secret it had)."""
        require(by, Permission.OPERATORS)
        return self._operators.change(login, lambda current: (replace(current, disabled=False),
                                                              Event("operator-enable", "ok", by.login, login)))

    def reset(self, by: SignedIn, login: str, secret: str) -> OperatorRecord:
        """Give ``login`` a new secret (checked against its role's rules) and clear its lockout."""
        require(by, Permission.OPERATORS)

        def decide(current: OperatorRecord) -> tuple[OperatorRecord, Event]:
            credentials.check_new_secret(Role(current.role), secret, login=login)
            return (replace(current, secret_hash=credentials.hash_secret(secret), failed_attempts=0,
                            locked_until=None), Event("operator-reset", "ok", by.login, login))

        return self._operators.change(login, decide)

    def unlock(self, by: SignedIn, login: str) -> OperatorRecord:
        """Clear ``login``'s failed sign-ins and lockout."""
        require(by, Permission.OPERATORS)
        return self._operators.change(login, lambda current: (
            replace(current, failed_attempts=0, locked_until=None), Event("operator-unlock", "ok", by.login, login)))

    def refused(self, operator: SignedIn, action: str, error: PosappError) -> None:
        """Journal that ``operator`` was refused ``action`` (a missing permission); never raises."""
        try:
            self._journal.record(Event(action, "refused", operator.login, details={"reason": str(error)[:200]}))
        except PosappError:
            log.warning("the refusal of %s to %s could not be journalled", operator.login, action)

