"""The order database's tables as posapp reads and writes them (Alembic creates them).

``OrderHistory`` keeps the reference design's name and columns (``UserPaymentAccountID``,
``OrderName``, ``Description``, ``AWS_PA_Token``) next to posapp's: amount in minor
units, currency, masked card, time (UTC), workstation, operator, status and an
idempotency key. ``posapp_identity`` names the order history; ``posapp_orphans`` holds
reconciliation's notes (migration 0003 says why).
"""

from __future__ import annotations

import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import mysql

from posapp.card import Brand
from posapp.money import InvalidAmount, Money
from posapp.orders.base import Order, OrderFilter

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


def conditions(where: OrderFilter) -> list[sa.ColumnElement[bool]]:
    table = order_history.c
    conditions = []
    if where.text:
        pattern = "%" + where.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions.append(sa.or_(table.OrderName.like(pattern, escape="\\"),
                                 table.Description.like(pattern, escape="\\")))
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
    return conditions


def naive_utc(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)


def order_from_row(row: sa.Row) -> Order:
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
