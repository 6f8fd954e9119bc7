"""Compare identifiers byte for byte, and search folded text, on every database.

On MySQL/MariaDB, identifiers took the table's collation (``utf8mb4_unicode_ci``), which
calls ``kX9fQ2-a`` and ``Kx9Fq2-A``, ``k`` and ``k `` (PAD SPACE), "é" and "e" the same
string: a second sale with an idempotency key differing only in case was taken for a retry
of the first and silently not recorded. SQLite compares bytes. Now both do: every
identifier column gets a binary NO PAD collation. Each table is altered in one statement
(one rebuild), keeping every column's type and nullability as found.

Search: ``name_search`` and ``description_search`` hold the name and description folded by
``posapp.orders.search`` (case, accents, compatibility forms), filled here for the rows
already there; searches compare them with LIKE, the same on both backends.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

from posapp.orders.search import fill_search_columns

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SEARCH_COLUMNS = ("name_search", "description_search")
# Identifiers and codes, and the folded search text (compared with LIKE, byte for byte).
BYTEWISE = {
    "OrderHistory": ("AWS_PA_Token", "currency", "card_brand", "card_last4", "workstation", "operator", "status",
                     "idempotency_key", *SEARCH_COLUMNS),
    "posapp_identity": ("name", "value"),
    "posapp_orphans": ("token",),
}


def binary_collation(dialect: sa.engine.Dialect) -> str:
    # utf8mb4_bin is PAD SPACE on both ('k' = 'k '); each has its own NO PAD binary collation.
    return "utf8mb4_nopad_bin" if dialect.is_mariadb else "utf8mb4_0900_bin"


def upgrade() -> None:
    bind = op.get_bind()
    # MySQL commits each ALTER at once: a run cut short (a filling of millions of rows stopped)
    # must be able to run again, so nothing here assumes it starts from scratch.
    existing = {column["name"] for column in sa.inspect(bind).get_columns("OrderHistory")}
    for name in SEARCH_COLUMNS:
        if name not in existing:
            # Text: folded text can be longer than the 255 bytes of its source (ß → ss, ﬁ → fi).
            op.add_column("OrderHistory", sa.Column(name, sa.Text()))
    if bind.dialect.name == "mysql":
        _make_binary(bind, binary_collation(bind.dialect))
    fill_search_columns(bind)


def _make_binary(bind: sa.Connection, collation: str) -> None:
    for table, names in BYTEWISE.items():
        columns = bind.execute(sa.text(
            "SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE FROM information_schema.COLUMNS "
            "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = :table ORDER BY ORDINAL_POSITION"),
            {"table": table}).all()
        changes = [f"MODIFY `{name}` {kind} CHARACTER SET utf8mb4 COLLATE {collation} "
                   f"{'NULL' if nullable == 'YES' else 'NOT NULL'}"
                   for name, kind, nullable in columns if name in names]
        op.execute(f"ALTER TABLE `{table}` " + ", ".join(changes))


def downgrade() -> None:
    raise NotImplementedError("posapp migrations only go forward: restore a backup instead")
