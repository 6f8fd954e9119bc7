"""The order store on SQLAlchemy Core; the same code serves MySQL (PyMySQL) and SQLite.

The table keeps the reference design's name and columns (``OrderHistory``,
``UserPaymentAccountID``, ``OrderName``, ``Description``, ``AWS_PA_Token``) next to
posapp's: amount in minor units, currency, masked card, time, workstation, operator,
status and an idempotency key. The schema is Alembic's (``posapp.orders.migrations``):
a local SQLite file is upgraded on first use; a shared MySQL database only by
``posapp provision``, so that many tills never race to migrate it.
"""

from __future__ import annotations

import datetime
import os
import threading
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import mysql

from posapp.card import Brand
from posapp.errors import ExitCode
from posapp.money import InvalidAmount, Money
from posapp.orders import migrate
from posapp.orders.base import (
    COMPLETED,
    PAGE_MAX,
    DuplicateSale,
    NewOrder,
    Order,
    OrderFilter,
    OrderNotFound,
    OrderOutcomeUnknown,
    OrderPage,
    OrderStoreError,
    OrderStoreUnavailable,
)

TinyText = sa.Text().with_variant(mysql.TINYTEXT(charset="utf8mb4"), "mysql", "mariadb")

metadata = sa.MetaData()
order_history = sa.Table(
    "OrderHistory",
    metadata,
    sa.Column("UserPaymentAccountID", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("OrderName", TinyText),
    sa.Column("Description", TinyText),
    sa.Column("AWS_PA_Token", TinyText),
    sa.Column("amount_minor", sa.BigInteger),
    sa.Column("currency", sa.String(3)),
    sa.Column("card_brand", sa.String(16)),
    sa.Column("card_last4", sa.String(4)),
    sa.Column("created_at", sa.DateTime),  # UTC
    sa.Column("workstation", sa.String(64)),
    sa.Column("operator", sa.String(64)),
    sa.Column("status", sa.String(16)),
    sa.Column("idempotency_key", sa.String(64)),
)
_id = order_history.c.UserPaymentAccountID

# MySQL client error codes that mean "fix the login", not "try again later".
_LOGIN_REFUSED = {1044, 1045, 1698}


class OrderStoreLoginRefused(OrderStoreError):
    """The database refused the configured user or password: a person must fix it."""

    exit_code = ExitCode.BAD_INPUT


@dataclass(frozen=True)
class Tls:
    """TLS to MySQL: with a CA bundle the server's certificate and host name are checked."""

    ca: str | None = None
    cert: str | None = None
    key: str | None = None

    def connect_args(self) -> dict[str, object]:
        if not (self.ca or self.cert):
            return {}
        args: dict[str, object] = {"ssl_ca": self.ca, "ssl_cert": self.cert, "ssl_key": self.key}
        if self.ca:
            args.update(ssl_verify_cert=True, ssl_verify_identity=True)
        return {key: value for key, value in args.items() if value is not None}


class SqlOrderStore:
    """Thread-safe; building it does no I/O (not even reading the password)."""

    def __init__(self, url: str, *, tls: Tls = Tls(), password: Callable[[], str | None] = lambda: None):
        self.url = sa.make_url(url)
        self._local = self.url.get_backend_name() == "sqlite"
        if self._local:
            self._engine = sa.create_engine(self.url, pool_pre_ping=True)
            event.listen(self._engine, "connect", _sqlite_pragmas)
        else:
            # Bounded waits: a dead server must fail a sale in seconds, not hang a till.
            self._engine = sa.create_engine(
                self.url, pool_pre_ping=True, pool_recycle=3600,
                connect_args={"charset": "utf8mb4", "connect_timeout": 5, "read_timeout": 15,
                              "write_timeout": 15, **tls.connect_args()})
            event.listen(self._engine, "do_connect", self._add_password)
        self._password = password
        self._schema_ready = False
        self._schema_lock = threading.Lock()

    @property
    def display_url(self) -> str:
        return self.url.render_as_string(hide_password=True)

    def _add_password(self, dialect, connection_record, cargs, cparams) -> None:
        # Read when a connection is made, never stored in the URL, the engine or a log.
        password = self._password()
        if password is not None:
            cparams["password"] = password

    @contextmanager
    def _connect(self, *, write: bool = False) -> Iterator[sa.Connection]:
        with self._errors(write=write):
            self._ensure_schema()
            with self._engine.begin() if write else self._engine.connect() as connection:
                yield connection

    @contextmanager
    def _errors(self, *, write: bool = False) -> Iterator[None]:
        try:
            yield
        except sa.exc.DBAPIError as error:
            # str(error) would carry the statement and its parameters; say what failed, no more.
            raise self._translate(error.orig, write=write) from None
        except OSError as error:
            raise OrderStoreUnavailable(f"order history at {self.display_url} cannot be used: {error}") from None

    def _translate(self, error: BaseException, *, write: bool = False) -> OrderStoreError:
        args = getattr(error, "args", ())
        code, message = (args[0], args[1]) if len(args) >= 2 and isinstance(args[0], int) else (None, error)
        if code in _LOGIN_REFUSED:
            return OrderStoreLoginRefused(
                f"the order database refused user {self.url.username!r}: check its password "
                f"(posapp setup keeps it in the system keyring; or set POSAPP_ORDERS_PASSWORD)")
        if code in (2003, 2005):
            return OrderStoreUnavailable(f"order history at {self.display_url} cannot be reached: {message}")
        if code in (2006, 2013):
            if write:
                return OrderOutcomeUnknown(f"the connection to order history at {self.display_url} was lost "
                                           "while an order was being written")
            return OrderStoreUnavailable(f"the connection to order history at {self.display_url} was lost; "
                                         "nothing was changed")
        return OrderStoreUnavailable(f"order history at {self.display_url} cannot be used: {message}")

    def _ensure_schema(self) -> None:
        with self._schema_lock:
            if self._schema_ready:
                return
            if self._local:
                if self.url.database:
                    _create_private_file(Path(self.url.database))
                migrate.upgrade(self._engine)
            else:
                with self._engine.connect() as connection:
                    current, head = migrate.current(connection), migrate.head()
                if current != head:
                    state = "has no posapp schema" if current is None else f"is at schema {current}, not {head}"
                    raise OrderStoreUnavailable(f"order history at {self.display_url} {state}: "
                                                "run 'posapp provision'")
            self._schema_ready = True

    def provision(self) -> None:
        """Create or upgrade the schema; adopts a reference OrderHistory table in place."""
        with self._errors():
            if not self._local:
                migrate.upgrade(self._engine)
            self._ensure_schema()

    def checks(self) -> list[tuple[str, Callable[[], str]]]:
        return [("order history", self._check_reachable)]

    def _check_reachable(self) -> str:
        newest = self.page(limit=1).orders
        return f"{self.display_url} reachable, " + (f"newest order {newest[0].id}" if newest else "no orders yet")

    def add(self, order: NewOrder) -> Order:
        values = {
            "OrderName": order.name,
            "Description": order.description,
            "AWS_PA_Token": order.token,
            "amount_minor": order.amount.minor,
            "currency": order.amount.currency,
            "card_brand": order.card_brand.value,
            "card_last4": order.card_last4,
            "created_at": _naive_utc(order.created_at).replace(microsecond=0),  # DATETIME keeps seconds
            "workstation": order.workstation,
            "operator": order.operator,
            "status": COMPLETED,
            "idempotency_key": order.idempotency_key,
        }
        with self._connect(write=True) as connection:
            try:
                order_id = connection.execute(order_history.insert().values(**values)).inserted_primary_key[0]
            except sa.exc.IntegrityError as error:
                # MySQL and SQLite both name the violated unique index or column.
                if "idempotency_key" not in str(error.orig):
                    raise
                raise DuplicateSale(order.idempotency_key) from None
        # Built from what was written: a read-back that failed would hide a recorded sale.
        return _order(SimpleNamespace(UserPaymentAccountID=order_id, **values))

    def find_sale(self, idempotency_key: str) -> Order | None:
        with self._connect() as connection:
            row = connection.execute(order_history.select().where(
                order_history.c.idempotency_key == idempotency_key)).one_or_none()
        return None if row is None else _order(row)

    def referenced_tokens(self, tokens: Collection[str]) -> set[str]:
        if not tokens:
            return set()
        token = order_history.c.AWS_PA_Token
        with self._connect() as connection:
            return set(connection.execute(sa.select(token).where(token.in_(list(tokens)))).scalars())

    def get(self, order_id: int) -> Order:
        with self._connect() as connection:
            row = connection.execute(order_history.select().where(_id == order_id)).one_or_none()
        if row is None:
            raise OrderNotFound(order_id)
        return _order(row)

    def page(self, *, before: int | None = None, limit: int = 50, where: OrderFilter = OrderFilter()) -> OrderPage:
        limit = max(1, min(limit, PAGE_MAX))
        # Keyset paging: a deep page costs what the first one costs, unlike OFFSET.
        query = order_history.select().where(*_conditions(where)).order_by(_id.desc()).limit(limit + 1)
        if before is not None:
            query = query.where(_id < before)
        with self._connect() as connection:
            rows = connection.execute(query).all()
        orders = [_order(row) for row in rows[:limit]]
        return OrderPage(orders, orders[-1].id if len(rows) > limit else None)


def _conditions(where: OrderFilter) -> list[sa.ColumnElement[bool]]:
    table = order_history.c
    conditions = []
    if where.text:
        pattern = "%" + where.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions.append(sa.or_(table.OrderName.like(pattern, escape="\\"),
                                 table.Description.like(pattern, escape="\\")))
    if where.since is not None:
        conditions.append(table.created_at >= _naive_utc(where.since))
    if where.until is not None:
        conditions.append(table.created_at < _naive_utc(where.until))
    if where.last4 is not None:
        conditions.append(table.card_last4 == where.last4)
    if where.brand is not None:
        conditions.append(table.card_brand == where.brand.value)
    if where.workstation is not None:
        conditions.append(table.workstation == where.workstation)
    return conditions


def _naive_utc(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)


def _order(row: sa.Row) -> Order:
    amount = None
    if row.amount_minor is not None and row.currency is not None:
        try:
            amount = Money(row.amount_minor, row.currency)
        except InvalidAmount:
            amount = None  # shown as unknown rather than failing the whole list
    brand = Brand.__members__.get(row.card_brand) if row.card_brand else None
    created = row.created_at.replace(tzinfo=datetime.timezone.utc) if row.created_at else None
    return Order(id=row.UserPaymentAccountID, name=row.OrderName, description=row.Description, amount=amount,
                 token=row.AWS_PA_Token, card_brand=brand, card_last4=row.card_last4,
                 workstation=row.workstation, created_at=created, operator=row.operator, status=row.status,
                 idempotency_key=row.idempotency_key)


def _sqlite_pragmas(connection, _record) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # the GUI and the CLI may use one file at once
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _create_private_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
