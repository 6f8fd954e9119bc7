"""Indexes that keep a sorted order history cheap at any depth (``posapp.orders.listing_sql``).

The history sorts by time, amount or status, on the database, a page at a time (keyset on the sort
key and the id). Each page is a short range scan only if an index holds the key in order, followed by
the id: InnoDB and SQLite append the primary key to every index, so one column (or two) is enough.
``ix_OrderHistory_status`` (migration 0007) serves the status; these serve the time and the amount
(currency first: amounts are sorted within their currency). ``ix_OrderHistory_day`` (migration 0008)
begins with ``created_at`` but goes on with the till, so it cannot give a day's orders in time and id
order; one more index per sale is the price of a deep page that costs what the first one does.

Revision ID: 0011
Revises: 0010
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_OrderHistory_time", "OrderHistory", ["created_at"])
    op.create_index("ix_OrderHistory_amount", "OrderHistory", ["currency", "amount_minor"])


def downgrade() -> None:
    raise NotImplementedError("posapp migrations only go forward: restore a backup instead")
