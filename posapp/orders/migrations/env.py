"""Alembic environment: posapp runs migrations in process on a connection it passes in."""

from alembic import context

from posapp.orders.migrate import VERSION_TABLE

context.configure(connection=context.config.attributes["connection"], version_table=VERSION_TABLE)
with context.begin_transaction():
    context.run_migrations()
