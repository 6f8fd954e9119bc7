"""Adopt the reference OrderHistory table in place, or create it, and add posapp's columns.

A merchant coming from the reference billing design already has
``OrderHistory (UserPaymentAccountID, OrderName, Description, AWS_PA_Token)`` full of
rows. They stay where they are and stay listed; posapp adds its columns next to them.
A fresh database gets the reference table first, so both end with the same schema.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TABLE = "OrderHistory"
TEXT_COLUMNS = ("OrderName", "Description", "AWS_PA_Token")


def tiny_text() -> sa.types.TypeEngine:
    return sa.Text().with_variant(mysql.TINYTEXT(charset="utf8mb4", collation="utf8mb4_unicode_ci"),
                                  "mysql", "mariadb")


def added_columns() -> list[sa.Column]:
    return [
        sa.Column("amount_minor", sa.BigInteger),
        sa.Column("currency", sa.String(3)),
        sa.Column("card_brand", sa.String(16)),
        sa.Column("card_last4", sa.String(4)),
        sa.Column("created_at", sa.DateTime),  # UTC
        sa.Column("workstation", sa.String(64)),
        sa.Column("operator", sa.String(64)),
        sa.Column("status", sa.String(16)),
        sa.Column("idempotency_key", sa.String(64)),
    ]


INDEXES = [
    ("ix_OrderHistory_created_at", ["created_at"], False),
    ("ix_OrderHistory_card_last4", ["card_last4"], False),
    ("ix_OrderHistory_workstation", ["workstation"], False),
    ("uq_OrderHistory_idempotency_key", ["idempotency_key"], True),
]


def upgrade() -> None:
    bind = op.get_bind()
    on_mysql = bind.dialect.name in ("mysql", "mariadb")
    if not sa.inspect(bind).has_table(TABLE):
        op.create_table(
            TABLE,
            sa.Column("UserPaymentAccountID", sa.Integer, primary_key=True, autoincrement=True),
            *(sa.Column(name, tiny_text()) for name in TEXT_COLUMNS),
            mysql_engine="InnoDB", mysql_charset="utf8mb4", mysql_collate="utf8mb4_unicode_ci",
        )
    elif on_mysql:
        _make_text_utf8mb4(bind)
    inspector = sa.inspect(bind)
    existing = {column["name"] for column in inspector.get_columns(TABLE)}
    for column in added_columns():
        if column.name not in existing:
            op.add_column(TABLE, column)
    indexes = {index["name"] for index in inspector.get_indexes(TABLE)}
    for name, columns, unique in INDEXES:
        if name not in indexes:
            op.create_index(name, TABLE, columns, unique=unique)


def _make_text_utf8mb4(bind) -> None:
    """Reference tables are often latin1; names with emoji or CJK need utf8mb4.

    Each text column is changed in place and stays TINYTEXT (CONVERT TO CHARACTER SET
    would silently widen it); strict mode refuses a legacy value that no longer fits.
    """
    charsets = dict(bind.execute(sa.text(
        "SELECT COLUMN_NAME, CHARACTER_SET_NAME FROM information_schema.COLUMNS "
        "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = :table"), {"table": TABLE}).all())
    op.execute(f"ALTER TABLE `{TABLE}` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    for name in TEXT_COLUMNS:
        if name in charsets and charsets[name] != "utf8mb4":
            op.execute(f"ALTER TABLE `{TABLE}` MODIFY `{name}` TINYTEXT "
                       "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")


def downgrade() -> None:
    raise NotImplementedError("posapp migrations only go forward: restore a backup instead")
