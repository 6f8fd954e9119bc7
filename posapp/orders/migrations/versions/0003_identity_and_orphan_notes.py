"""Give the order history an identity, and a place for reconciliation's orphan notes.

``posapp_identity`` holds one row, ``history_id``: a random id made when the schema is
created. The vault records the id of the order history its sales go to, so a command that
deletes cards can tell the vault's own order history from any other one (a local file, an
empty replacement, another shop's database). A database copied by a backup keeps its id.

``posapp_orphans`` holds, for each vault token that no order referenced when
reconciliation last looked, the time (UTC, the order database's clock) it was first seen
so. Reconciliation removes an orphan only on a later run, a grace period after that.

Revision ID: 0003
Revises: 0002
"""

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    identity = op.create_table(
        "posapp_identity",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("value", sa.String(64), nullable=False),
        mysql_engine="InnoDB", mysql_charset="utf8mb4",
    )
    op.bulk_insert(identity, [{"name": "history_id", "value": str(uuid.uuid4())}])
    op.create_table(
        "posapp_orphans",
        sa.Column("token", sa.String(36), primary_key=True),
        sa.Column("first_seen", sa.DateTime, nullable=False),  # UTC
        mysql_engine="InnoDB", mysql_charset="utf8mb4",
    )


def downgrade() -> None:
    raise NotImplementedError("posapp migrations only go forward: restore a backup instead")
