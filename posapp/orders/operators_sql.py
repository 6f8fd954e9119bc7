"""Operators' rows in the order database; every change is journalled in its own transaction.

The store keeps what it is given: roles, secret policy, hashing and lockout are decided by
``posapp.access``, which hands each change in as a function of the row it read, so that a
read, its change and its journal entry are one step even when two tills sign in at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

import sqlalchemy as sa

from posapp.audit.chain import Event
from posapp.errors import NotPermitted
from posapp.orders.base import InvalidOrder, checked_text
from posapp.orders.operators import NAME_MAX, DuplicateOperator, OperatorNotFound, OperatorRecord, check_login
from posapp.orders.schema import aware_utc, naive_utc, operators

if TYPE_CHECKING:
    from posapp.orders.sql import SqlOrderStore


def _record(row: sa.Row) -> OperatorRecord:
    return OperatorRecord(login=row.login, name=row.name, role=row.role, secret_hash=row.secret_hash,
                          failed_attempts=row.failed_attempts, locked_until=aware_utc(row.locked_until),
                          disabled=bool(row.disabled), created_at=aware_utc(row.created_at))


def _values(record: OperatorRecord) -> dict[str, object]:
    return {"login": record.login, "name": record.name, "role": record.role, "secret_hash": record.secret_hash,
            "failed_attempts": record.failed_attempts,
            "locked_until": naive_utc(record.locked_until) if record.locked_until else None,
            "disabled": record.disabled, "created_at": naive_utc(record.created_at)}


class SqlOperators:
    """The operators of one order database (``store``); thread-safe. Every method may raise
    OrderStoreUnavailable; changes raise InvalidOrder for a field that cannot be stored."""

    def __init__(self, store: SqlOrderStore):
        self._store = store

    def find(self, login: str) -> OperatorRecord | None:
        """The operator ``login``, or None."""
        with self._store.connection() as connection:
            row = connection.execute(sa.select(operators).where(operators.c.login == login)).one_or_none()
        return None if row is None else _record(row)

    def all(self) -> list[OperatorRecord]:
        """Every operator, by login."""
        with self._store.connection() as connection:
            return [_record(row) for row in connection.execute(sa.select(operators).order_by(operators.c.login))]

    def exist(self) -> bool:
        """Whether any operator exists (none: only the first administrator may be created)."""
        with self._store.connection() as connection:
            return connection.execute(sa.select(sa.exists().where(operators.c.login.is_not(None)))).scalar_one()

    def add(self, record: OperatorRecord, event: Event, *, only_if_none: bool = False) -> None:
        """Store a new operator and journal ``event``, in one transaction.

        ``only_if_none``: refuse (InvalidOrder) unless no operator exists yet, checked in the same
        transaction, so that two first administrators can never both be made. Raises DuplicateOperator."""
        check_login(record.login)
        # Checked as an order's name is: no card number, no control or bidi character, nothing cut.
        name = checked_text("operator's name", record.name, required=True)
        if len(name) > NAME_MAX:
            raise InvalidOrder(f"an operator's name has at most {NAME_MAX} characters")
        record = replace(record, name=name)
        with self._store.transaction() as (connection, journal):
            if only_if_none and connection.execute(sa.select(sa.func.count()).select_from(operators)).scalar_one():
                raise NotPermitted("operators exist already: sign in as an administrator to add another")
            if connection.execute(sa.select(operators.c.login).where(
                    operators.c.login == record.login).with_for_update()).one_or_none() is not None:
                raise DuplicateOperator(record.login)
            connection.execute(operators.insert().values(**_values(record)))
            journal(event)

    def change(self, login: str, decide: Callable[[OperatorRecord], tuple[OperatorRecord | None, Event | None]]
               ) -> OperatorRecord:
        """Read ``login`` locked, store what ``decide(record)`` returns (None: unchanged) and journal
        its event (None: none), in one transaction; the record as it is afterwards.

        Raises OperatorNotFound, or what ``decide`` raises (then nothing is stored or journalled)."""
        with self._store.transaction() as (connection, journal):
            # A write first: SQLite then holds its write lock before reading, so two sign-ins at once
            # queue instead of failing to upgrade their read locks (MySQL locks the row either way).
            connection.execute(operators.update().where(operators.c.login == login).values(login=operators.c.login))
            row = connection.execute(sa.select(operators).where(
                operators.c.login == login).with_for_update()).one_or_none()
            if row is None:
                raise OperatorNotFound(login)
            current = _record(row)
            changed, event = decide(current)
            if changed is not None:
                changed = replace(changed, login=current.login, created_at=current.created_at)
                connection.execute(operators.update().where(operators.c.login == login).values(**_values(changed)))
            if event is not None:
                journal(event)
        return changed or current
