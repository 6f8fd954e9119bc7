"""The audit journal's head rows go: the primary key (workstation, seq) alone keeps seq gap-free.

``posapp_journal_heads`` was locked and moved on by every entry, a round trip on each sale.
An entry now goes in at the seq after the newest one its process knows, and a seq taken
meanwhile is refused by the primary key (``posapp.orders.journal.append``). What the heads
also held, the newest entry, is the anchors' job (beside the audit key, out of this database).

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table("posapp_journal_heads")


def downgrade() -> None:
    raise NotImplementedError("posapp migrations only go forward: restore a backup instead")
