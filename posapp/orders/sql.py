"""The order store on SQLAlchemy Core; the same code serves SQLite and MySQL.

The table keeps the reference design's name and columns (``OrderHistory``,
``UserPaymentAccountID``, ``OrderName``, ``Description``, ``AWS_PA_Token``) and adds
posapp's: amount in minor units, currency, masked card, time and workstation.
"""

from __future__ import annotations

import datetime
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import mysql

from posapp.card import Brand
from posapp.money import InvalidAmount, Money
from posapp.orders.base import PAGE_MAX, NewOrder, Order, OrderNotFound, OrderPage, OrderStoreUnavailable

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
    sa.Index("ix_OrderHistory_created_at", "created_at"),
)
_id = order_history.c.UserPaymentAccountID


class SqlOrderStore:
    """Thread-safe; the schema is created on first use (local mode needs no provisioning)."""

    def __init__(self, url: str):
        self.url = sa.make_url(url)
        self._engine = sa.create_engine(self.url, pool_pre_ping=True)
        if self.url.get_backend_name() == "sqlite":
            event.listen(self._engine, "connect", _sqlite_pragmas)
        self._schema_ready = False
        self._schema_lock = threading.Lock()

    @property
    def display_url(self) -> str:
        return self.url.render_as_string(hide_password=True)

    @contextmanager
    def _connect(self, *, write: bool = False) -> Iterator[sa.Connection]:
        try:
            self._ensure_schema()
            with self._engine.begin() if write else self._engine.connect() as connection:
                yield connection
        except sa.exc.DBAPIError as error:
            # str(error) would carry the statement and its parameters; say what failed, no more.
            raise OrderStoreUnavailable(f"order history at {self.display_url} cannot be used: {error.orig}") from None
        except OSError as error:
            raise OrderStoreUnavailable(f"order history at {self.display_url} cannot be used: {error}") from None

    def _ensure_schema(self) -> None:
        with self._schema_lock:
            if not self._schema_ready:
                if self.url.get_backend_name() == "sqlite" and self.url.database:
                    _create_private_file(Path(self.url.database))
                metadata.create_all(self._engine)
                self._schema_ready = True

    def provision(self) -> None:
        with self._connect():
            pass

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
            "created_at": order.created_at.astimezone(datetime.timezone.utc).replace(tzinfo=None),
            "workstation": order.workstation,
        }
        with self._connect(write=True) as connection:
            order_id = connection.execute(order_history.insert().values(**values)).inserted_primary_key[0]
            row = connection.execute(order_history.select().where(_id == order_id)).one()
        return _order(row)

    def get(self, order_id: int) -> Order:
        with self._connect() as connection:
            row = connection.execute(order_history.select().where(_id == order_id)).one_or_none()
        if row is None:
            raise OrderNotFound(order_id)
        return _order(row)

    def page(self, *, before: int | None = None, limit: int = 50, search: str | None = None) -> OrderPage:
        limit = max(1, min(limit, PAGE_MAX))
        query = order_history.select().order_by(_id.desc()).limit(limit + 1)
        if before is not None:
            query = query.where(_id < before)
        if search:
            pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            query = query.where(sa.or_(order_history.c.OrderName.like(pattern, escape="\\"),
                                       order_history.c.Description.like(pattern, escape="\\")))
        with self._connect() as connection:
            rows = connection.execute(query).all()
        orders = [_order(row) for row in rows[:limit]]
        return OrderPage(orders, orders[-1].id if len(rows) > limit else None)


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
                 workstation=row.workstation, created_at=created)


def _sqlite_pragmas(connection, _record) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # the GUI and the CLI may use one file at once
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _create_private_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
