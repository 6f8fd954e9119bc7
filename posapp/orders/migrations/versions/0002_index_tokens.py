"""Index the vault token column: reconciliation asks which tokens orders reference.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Tokens are UUIDs (36 characters); MySQL needs a prefix length to index TINYTEXT.
    op.create_index("ix_OrderHistory_token", "OrderHistory", ["AWS_PA_Token"], mysql_length=36)


def downgrade() -> None:
    raise NotImplementedError("posapp migrations only go forward: restore a backup instead")
