"""Day reports: an index that answers a day's totals by itself, and the record of each day's close.

``ix_OrderHistory_day`` covers every column a day report groups and sums, from ``created_at`` on:
a day's totals are one range scan of that index, never a read of the orders' rows, and the same
range serves a single till (``workstation`` is its second column). It replaces
``ix_OrderHistory_created_at``, of which it is an extension: one index less to write per sale.

``posapp_day_closes`` holds one row per closed business day (the merchant's local date) and till,
the primary key: two tills or processes closing the same day of the same till at once cannot both
succeed. A close is inserted with its journal entry in one transaction; ``totals`` keeps what the
report said at the close (JSON), so a reprint can tell what changed since. Identifiers compare byte
for byte, as in migration 0004.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

DAY_COLUMNS = ["created_at", "workstation", "status", "currency", "card_brand", "operator", "amount_minor",
               "captured_minor", "refunded_minor"]


def upgrade() -> None:
    bind = op.get_bind()
    collation = {}
    if bind.dialect.name == "mysql":
        collation = {"mysql_collate": "utf8mb4_nopad_bin" if bind.dialect.is_mariadb else "utf8mb4_0900_bin"}
    op.create_index("ix_OrderHistory_day", "OrderHistory", DAY_COLUMNS)
    op.drop_index("ix_OrderHistory_created_at", "OrderHistory")
    op.create_table(
        "posapp_day_closes",
        sa.Column("business_day", sa.Date, primary_key=True),  # the merchant's local date
        sa.Column("workstation", sa.String(64), primary_key=True),
        sa.Column("closed_at", sa.DateTime, nullable=False),  # UTC
        sa.Column("operator", sa.String(64)),
        sa.Column("totals", sa.Text, nullable=False),  # JSON: the totals the close reported
        mysql_engine="InnoDB", mysql_charset="utf8mb4", **collation,
    )


def downgrade() -> None:
    raise NotImplementedError("posapp migrations only go forward: restore a backup instead")
