"""Orders take payments: a status for each step of a payment, and what the processor answered.

``status`` becomes one of ``posapp.orders.base.OrderStatus``: the sales recorded so far were card on
file, charged nothing, so ``completed`` (and an adopted row's empty status) becomes ``recorded``.
New columns: the processor's name and reference for the payment, its authorisation code, the
minor units captured and refunded (refunds are counted up before they are sent, so two tills
refunding at once can never refund more than was captured), and a decline's code. An index on
status lets ``posapp payments recover`` find the pending orders without reading the history.
Identifiers compare byte for byte, as in migration 0004.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    binary = {}
    if bind.dialect.name == "mysql":
        binary = {"collation": "utf8mb4_nopad_bin" if bind.dialect.is_mariadb else "utf8mb4_0900_bin"}
    for name, length in (("processor", 16), ("payment_reference", 64), ("authorization_code", 16),
                         ("decline_code", 64)):
        op.add_column("OrderHistory", sa.Column(name, sa.String(length, **binary)))
    op.add_column("OrderHistory", sa.Column("captured_minor", sa.BigInteger, nullable=False, server_default="0"))
    op.add_column("OrderHistory", sa.Column("refunded_minor", sa.BigInteger, nullable=False, server_default="0"))
    if binary:  # "partially_refunded" is longer than the 16 characters status had; SQLite has no limit
        op.execute(f"ALTER TABLE `OrderHistory` MODIFY `status` VARCHAR(32) CHARACTER SET utf8mb4 "
                   f"COLLATE {binary['collation']}")
    history = sa.table("OrderHistory", sa.column("status", sa.String))
    op.execute(history.update().where(sa.or_(history.c.status == "completed", history.c.status.is_(None)))
               .values(status="recorded"))
    op.create_index("ix_OrderHistory_status", "OrderHistory", ["status"])


def downgrade() -> None:
    raise NotImplementedError("posapp migrations only go forward: restore a backup instead")
