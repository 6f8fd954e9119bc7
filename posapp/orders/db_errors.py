"""Database errors turned into the order store's sentences, and what each says about a write."""

from __future__ import annotations

import sqlalchemy as sa

from posapp.errors import Backend, ExitCode
from posapp.orders.base import OrderOutcomeUnknown, OrderStoreError, OrderStoreUnavailable

# MySQL client error codes that mean "fix the login", not "try again later".
_LOGIN_REFUSED = {1044, 1045, 1698}
# Server errors after which the statement, or the whole transaction, was rolled back: lock
# wait timeout, deadlock, a value the column refuses, a SIGNAL from a trigger.
_STATEMENT_ROLLED_BACK = {1205, 1213, 1264, 1366, 1406, 1644}


class OrderStoreLoginRefused(OrderStoreError):
    """The database refused the configured user or password: a person must fix it."""

    exit_code = ExitCode.BAD_INPUT

    def advice(self) -> str:
        """The cashier's sentence: the login is for an administrator to fix."""
        return (f"The {Backend.ORDERS.value} refused this till's login. Sales are not possible until it is fixed; "
                "call your administrator.")


def translate(error: BaseException, url: sa.URL, *, outcome_unknown: bool = False) -> OrderStoreError:
    """The OrderStoreError for the DB-API ``error`` raised by the database at ``url``; with
    ``outcome_unknown`` (an error while a write was on its way) always OrderOutcomeUnknown."""
    where = url.render_as_string(hide_password=True)
    args = getattr(error, "args", ())
    code, message = (args[0], args[1]) if len(args) >= 2 and isinstance(args[0], int) else (None, error)
    if outcome_unknown:
        return OrderOutcomeUnknown(f"order history at {where} failed while the order was being "
                                   f"written ({message}): it may or may not be recorded")
    if code in _LOGIN_REFUSED:
        return OrderStoreLoginRefused(
            f"the order database refused user {url.username!r} on database {url.database!r}: check "
            f"the database name, the user's rights on it and its password "
            f"(posapp setup keeps it in the system keyring; or set POSAPP_ORDERS_PASSWORD)")
    if code in (2003, 2005):
        return OrderStoreUnavailable(f"order history at {where} cannot be reached: {message}")
    if code in (2006, 2013):
        return OrderStoreUnavailable(f"the connection to order history at {where} was lost")
    return OrderStoreUnavailable(f"order history at {where} cannot be used: {message}")


def rolled_back(error: sa.exc.DBAPIError, *, local: bool) -> bool:
    """Whether a statement sent before COMMIT failed so that its transaction is known not to commit
    (so the order is not written); ``local``: SQLite."""
    if local or isinstance(error, (sa.exc.IntegrityError, sa.exc.DataError)):
        return True  # SQLite runs in this process; a refused row is refused
    if error.connection_invalidated:
        return True  # the connection is gone before COMMIT was sent: the server rolls the transaction back
    args = getattr(error.orig, "args", ())
    return bool(args) and args[0] in _STATEMENT_ROLLED_BACK
