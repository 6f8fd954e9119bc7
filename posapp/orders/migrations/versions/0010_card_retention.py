"""When each order's card leaves the vault (retention, PCI DSS 3.2.1).

``card_expires_at`` (UTC) is written at the sale from the same value as the vault item's
``expires_at``; ``posapp vault purge`` sets it on the orders of cards stored before retention
existed when it removes them. From that time on the order shows "card no longer stored", and
``vault verify --all`` does not count its card as missing. NULL: the card is kept.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("OrderHistory", sa.Column("card_expires_at", sa.DateTime))


def downgrade() -> None:
    raise NotImplementedError("posapp migrations only go forward: restore a backup instead")
