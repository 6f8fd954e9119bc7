"""Operators and the audit journal, in the order database that every till of a shop shares.

``posapp_operators``: one row per operator (login, display name, role, Argon2id hash of the
secret, failed sign-ins in a row, locked until, disabled). ``posapp_journal``: the audit
journal, one chain per workstation (``posapp.audit.chain``); ``posapp_journal_heads`` holds
each chain's latest seq and value, the row a new entry locks so that seq stays gap-free
without a shop-wide lock. Identifiers compare byte for byte, as in migration 0004.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    collation = {}
    if bind.dialect.name == "mysql":
        collation = {"mysql_collate": "utf8mb4_nopad_bin" if bind.dialect.is_mariadb else "utf8mb4_0900_bin"}
    table = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4", **collation}
    op.create_table(
        "posapp_operators",
        sa.Column("login", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("secret_hash", sa.String(255), nullable=False),
        sa.Column("failed_attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("locked_until", sa.DateTime),  # UTC
        sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime, nullable=False),  # UTC
        **table,
    )
    op.create_table(
        "posapp_journal",
        sa.Column("workstation", sa.String(64), primary_key=True),
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("at", sa.DateTime, nullable=False),  # UTC, to the second
        sa.Column("operator", sa.String(64)),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("target", sa.String(128)),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("details", sa.Text, nullable=False),
        sa.Column("chain", sa.String(64), nullable=False),
        **table,
    )
    op.create_index("ix_posapp_journal_at", "posapp_journal", ["at"])
    op.create_index("ix_posapp_journal_operator", "posapp_journal", ["operator"])
    op.create_table(
        "posapp_journal_heads",
        sa.Column("workstation", sa.String(64), primary_key=True),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("chain", sa.String(64), nullable=False),
        **table,
    )


def downgrade() -> None:
    raise NotImplementedError("posapp migrations only go forward: restore a backup instead")
