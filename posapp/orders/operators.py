"""An operator as the order database keeps it, the rule for logins, and the store's refusals."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from posapp.clock import require_aware
from posapp.errors import NotFound
from posapp.orders.base import InvalidOrder, OrderStoreError, check_identifier

LOGIN_MAX = 64
NAME_MAX = 128


class DuplicateOperator(InvalidOrder):
    """An operator with this login exists already; nothing was added."""

    def __init__(self, login: str):
        super().__init__(f"there is an operator {login!r} already")


class OperatorNotFound(OrderStoreError, NotFound):
    """No operator has this login."""

    def __init__(self, login: str):
        super().__init__(f"there is no operator {login!r}")


@dataclass(frozen=True, repr=False)
class OperatorRecord:
    """One operator as stored. ``role`` is the role's name; times are UTC-aware; ``repr`` leaves
    the secret hash out, so that no log line carries it."""

    login: str
    name: str
    role: str
    secret_hash: str
    failed_attempts: int = 0
    locked_until: datetime.datetime | None = None
    disabled: bool = False
    created_at: datetime.datetime | None = None

    def __post_init__(self) -> None:
        require_aware("locked_until", self.locked_until)
        require_aware("created_at", self.created_at)

    def __repr__(self) -> str:
        return f"OperatorRecord(login={self.login!r}, role={self.role!r})"


def check_login(login: str) -> str:
    """``login`` if it can name an operator: 1 to 64 letters, digits, ``.``, ``_``, ``-`` or ``@``.

    Raises InvalidOrder saying why (never echoing more than the rule)."""
    if not (1 <= len(login) <= LOGIN_MAX and all(c.isascii() and (c.isalnum() or c in "._-@") for c in login)):
        raise InvalidOrder(f"a login is 1 to {LOGIN_MAX} letters, digits, '.', '_', '-' or '@'")
    check_identifier("login", login)
    return login
