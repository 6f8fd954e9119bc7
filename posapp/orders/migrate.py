"""Schema migrations of the order history (Alembic, shipped inside the package)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError

# Its own name, so a merchant database that also holds other applications' Alembic
# history keeps both apart.
VERSION_TABLE = "posapp_schema_version"
SCRIPTS = "posapp.orders:migrations"


def _config(connection: sa.Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", SCRIPTS)
    config.attributes["connection"] = connection
    return config


def head() -> str:
    """The newest revision id this posapp ships (read from its migration scripts)."""
    return ScriptDirectory.from_config(_config()).get_current_head()


def known(revision: str) -> bool:
    """Whether ``revision`` is one of this posapp's migrations (not one of a newer posapp)."""
    try:
        return ScriptDirectory.from_config(_config()).get_revision(revision) is not None
    except CommandError:
        return False


def current(connection: sa.Connection) -> str | None:
    """The database's revision id from ``posapp_schema_version``; None where the table is absent or empty."""
    return MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE}).get_current_revision()


def upgrade(engine: sa.Engine) -> None:
    """Bring the schema to the newest revision in one transaction; nothing happens when it is there
    already. Raises Alembic's CommandError or SQLAlchemy's DBAPIError (``SqlOrderStore`` translates them)."""
    with engine.begin() as connection:
        command.upgrade(_config(connection), "head")
