"""Schema migrations of the order history (Alembic, shipped inside the package).

Every posapp process asks whether its database is at the newest revision, and only
``provision`` (or a till's own SQLite file falling behind) ever migrates. Asking reads the
revision ids from the scripts' file names (``0010_card_retention.py`` is revision ``0010``) and
the database's version table with SQLAlchemy, so that a command's start-up does not import
Alembic (about 0.2 s here) nor parse every migration script; ``tests/unit/test_migrate.py``
checks that this agrees with Alembic's own reading.
"""

from __future__ import annotations

from importlib.resources import files

import sqlalchemy as sa

# Its own name, so a merchant database that also holds other applications' Alembic
# history keeps both apart.
VERSION_TABLE = "posapp_schema_version"
SCRIPTS = "posapp.orders:migrations"


class MigrationFailed(Exception):
    """Alembic refused to migrate; ``str()`` is its reason."""


def revisions() -> list[str]:
    """The revision ids this posapp ships, oldest first (each script is named after its id)."""
    scripts = files("posapp.orders").joinpath("migrations", "versions").iterdir()
    return sorted(script.name.split("_", 1)[0] for script in scripts
                  if script.name.endswith(".py") and script.name[:4].isdigit())


def head() -> str:
    """The newest revision id this posapp ships."""
    return revisions()[-1]


def known(revision: str) -> bool:
    """Whether ``revision`` is one of this posapp's migrations (not one of a newer posapp)."""
    return revision in revisions()


def current(connection: sa.Connection) -> str | None:
    """The database's revision id from ``posapp_schema_version``; None where the table is absent or empty."""
    if not sa.inspect(connection).has_table(VERSION_TABLE):
        return None
    versions = sa.table(VERSION_TABLE, sa.column("version_num"))
    return connection.execute(sa.select(versions.c.version_num)).scalars().first()


def upgrade(engine: sa.Engine) -> None:
    """Bring the schema to the newest revision in one transaction; nothing happens when it is there
    already. Raises MigrationFailed or SQLAlchemy's DBAPIError (``SqlOrderStore`` translates them)."""
    from alembic import command
    from alembic.config import Config
    from alembic.util import CommandError

    with engine.begin() as connection:
        config = Config()
        config.set_main_option("script_location", SCRIPTS)
        config.attributes["connection"] = connection
        try:
            command.upgrade(config, "head")
        except CommandError as error:
            raise MigrationFailed(str(error)) from None
