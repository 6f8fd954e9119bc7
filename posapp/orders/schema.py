"""The order database's tables as posapp reads and writes them (Alembic creates them).

``OrderHistory`` keeps the reference design's name and columns (``UserPaymentAccountID``,
``OrderName``, ``Description``, ``AWS_PA_Token``) next to posapp's: amount in minor
units, currency, masked card, time (UTC), workstation, operator, status and an
idempotency key, and the name and description folded for search (``posapp.orders.search``).
``posapp_identity`` names the order history; ``posapp_orphans`` holds reconciliation's notes
(migration 0003 says why). ``posapp_operators`` and ``posapp_journal`` hold the operators and
the audit journal (migrations 0005 and 0006). Migration 0007 added what a payment needs;
``posapp_day_closes`` records each closed business day and till (migration 0008); migration
0010 when each order's card leaves the vault.

Every column but the free text and the numbers holds an identifier or a code (token,
idempotency key, workstation, operator, currency, brand...): those compare byte for byte on
every backend, case, trailing spaces and Unicode forms included. SQLite compares bytes by
default; on MySQL/MariaDB migration 0004 gives them a binary NO PAD collation (named
differently by each, so the migrations choose it, not these declarations).
"""

from __future__ import annotations

import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import mysql

from posapp.card import Brand
from posapp.money import InvalidAmount, Money
from posapp.orders.base import NewOrder, Order, OrderFilter
from posapp.orders.status import status_of
from posapp.orders.search import search_columns, text_matches
from posapp.clock import require_aware

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
    sa.Column("status", sa.String(32)),
    sa.Column("idempotency_key", sa.String(64)),
    sa.Column("name_search", sa.Text),
    sa.Column("description_search", sa.Text),
    sa.Column("processor", sa.String(16)),
    sa.Column("payment_reference", sa.String(64)),
    sa.Column("authorization_code", sa.String(16)),
    sa.Column("captured_minor", sa.BigInteger, nullable=False),
    sa.Column("refunded_minor", sa.BigInteger, nullable=False),
    sa.Column("decline_code", sa.String(64)),
    sa.Column("card_expires_at", sa.DateTime),  # UTC; when retention removes the card (migration 0010)
)
_SEARCH_COLUMNS = {"name_search", "description_search"}
identity = sa.Table(
    "posapp_identity",
    metadata,
    sa.Column("name", sa.String(32), primary_key=True),
    sa.Column("value", sa.String(64), nullable=False),
)
orphans = sa.Table(
    "posapp_orphans",
    metadata,
    sa.Column("token", sa.String(36), primary_key=True),
    sa.Column("first_seen", sa.DateTime, nullable=False),  # UTC, by the order database's clock
)

operators = sa.Table(
    "posapp_operators",
    metadata,
    sa.Column("login", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("secret_hash", sa.String(255), nullable=False),
    sa.Column("failed_attempts", sa.Integer, nullable=False),
    sa.Column("locked_until", sa.DateTime),  # UTC
    sa.Column("disabled", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),  # UTC
)
journal = sa.Table(
    "posapp_journal",
    metadata,
    sa.Column("workstation", sa.String(64), primary_key=True),
    sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("at", sa.DateTime, nullable=False),  # UTC, to the second
    sa.Column("operator", sa.String(64)),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("target", sa.String(128)),
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Column("details", sa.Text, nullable=False),
    sa.Column("chain", sa.String(64), nullable=False),
)
day_closes = sa.Table(
    "posapp_day_closes",
    metadata,
    sa.Column("business_day", sa.Date, primary_key=True),  # the merchant's local date
    sa.Column("workstation", sa.String(64), primary_key=True),
    sa.Column("closed_at", sa.DateTime, nullable=False),  # UTC
    sa.Column("operator", sa.String(64)),
    sa.Column("totals", sa.Text, nullable=False),  # JSON
)


def select_orders() -> sa.Select:
    """The columns an Order is made of: the search columns are compared, never read back."""
    return sa.select(*(column for column in order_history.c if column.name not in _SEARCH_COLUMNS))


def conditions(where: OrderFilter) -> list[sa.ColumnElement[bool]]:
    """The WHERE clauses of ``where`` on OrderHistory; ValueError for a naive ``since``/``until``."""
    table = order_history.c
    conditions = []
    found = text_matches(where.text, [(table.OrderName, table.name_search), (table.Description,
                                                                           table.description_search)]) \
        if where.text else None
    if found is not None and _is_last4(where.text):
        found = sa.or_(found, table.card_last4 == where.text.strip())  # "4242" is a card's end as often as a name's
    if found is not None:
        conditions.append(found)
    if where.since is not None:
        conditions.append(table.created_at >= naive_utc(where.since))
    if where.until is not None:
        conditions.append(table.created_at < naive_utc(where.until))
    if where.last4 is not None:
        conditions.append(table.card_last4 == where.last4)
    if where.brand is not None:
        conditions.append(table.card_brand == where.brand.value)
    if where.workstation is not None:
        conditions.append(table.workstation == where.workstation)
    if where.operator is not None:
        conditions.append(table.operator == where.operator)
    if where.status is not None:
        conditions.append(table.status == where.status.value)
    return conditions


def _is_last4(text: str) -> bool:
    text = text.strip()
    return len(text) == 4 and text.isascii() and text.isdigit()


def naive_utc(moment: datetime.datetime) -> datetime.datetime:
    """``moment`` in UTC without its zone, as DATETIME columns hold it.

    Raises ValueError for a naive ``moment``: which zone it meant is unknown, and taking it as
    local or as UTC would shift orders by hours (a programming error, not a user's).
    """
    require_aware("a time to store", moment)
    return moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)


def aware_utc(stored: datetime.datetime | str | None) -> datetime.datetime | None:
    """A DATETIME column's value (UTC, naive, or ISO 8601 text from SQLite) as a UTC-aware datetime."""
    if stored is None:
        return None
    moment = stored if isinstance(stored, datetime.datetime) else datetime.datetime.fromisoformat(stored)
    if moment.utcoffset() is None:
        return moment.replace(tzinfo=datetime.timezone.utc)  # every posapp column holds UTC
    return moment.astimezone(datetime.timezone.utc)


def row_of(order: NewOrder) -> dict[str, object]:
    """The OrderHistory row that records ``order``; ValueError if its ``created_at`` is naive."""
    return {
        "OrderName": order.name,
        "Description": order.description,
        "AWS_PA_Token": order.token,
        "amount_minor": order.amount.minor,
        "currency": order.amount.currency,
        "card_brand": order.card_brand.value,
        "card_last4": order.card_last4,
        "created_at": naive_utc(order.created_at).replace(microsecond=0),  # DATETIME keeps seconds
        "workstation": order.workstation,
        "operator": order.operator,
        "status": order.status.value,
        "processor": order.processor,
        "payment_reference": None,
        "authorization_code": None,
        "captured_minor": 0,
        "refunded_minor": 0,
        "decline_code": None,
        "card_expires_at": naive_utc(order.card_expires_at) if order.card_expires_at else None,
        "idempotency_key": order.idempotency_key,
        **search_columns(order.name, order.description),
    }


def order_from_row(row: sa.Row) -> Order:
    """The Order an OrderHistory row (``select_orders`` columns) holds, its time UTC-aware.

    Columns other programs left empty or unreadable (amount, brand, time) become None.
    """
    amount = None
    if row.amount_minor is not None and row.currency is not None:
        try:
            amount = Money(row.amount_minor, row.currency)
        except InvalidAmount:
            amount = None  # shown as unknown rather than failing the whole list
    brand = Brand.__members__.get(row.card_brand) if row.card_brand else None
    created = aware_utc(row.created_at)
    return Order(id=row.UserPaymentAccountID, name=row.OrderName, description=row.Description, amount=amount,
                 token=row.AWS_PA_Token, card_brand=brand, card_last4=row.card_last4,
                 workstation=row.workstation, created_at=created, operator=row.operator,
                 status=status_of(row.status), idempotency_key=row.idempotency_key,
                 processor=row.processor, payment_reference=row.payment_reference,
                 authorization_code=row.authorization_code, captured_minor=row.captured_minor or 0,
                 refunded_minor=row.refunded_minor or 0, decline_code=row.decline_code,
                 card_expires_at=aware_utc(row.card_expires_at))
