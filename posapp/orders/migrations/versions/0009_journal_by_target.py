"""Find an order's journal entries by action and target without reading the whole journal.

Every receipt asks which receipts its order had before (the first is the original, the rest
are copies: ``orders/documents_sql.py``), and the journal grows by several entries a sale.
Without this index each receipt costs a scan of the whole journal on MySQL.

Revision ID: 0009
Revises: 0008
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_posapp_journal_action_target", "posapp_journal", ["action", "target"])


def downgrade() -> None:
    raise NotImplementedError("posapp migrations only go forward: restore a backup instead")
