"""Asking an order database for its revision needs no Alembic, and agrees with Alembic's reading."""

import subprocess
import sys

import sqlalchemy as sa
from alembic.config import Config
from alembic.script import ScriptDirectory

from posapp.orders import migrate


def _alembic_scripts() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", migrate.SCRIPTS)
    return ScriptDirectory.from_config(config)


def test_the_revisions_read_from_file_names_are_alembics_chain_in_order():
    chain = [script.revision for script in _alembic_scripts().walk_revisions()][::-1]
    assert migrate.revisions() == chain
    assert migrate.head() == _alembic_scripts().get_current_head()


def test_a_revision_of_a_newer_posapp_is_unknown():
    assert migrate.known(migrate.head())
    assert not migrate.known(f"{int(migrate.head()) + 1:04d}")
    assert not migrate.known("")


def test_current_reads_nothing_before_the_schema_and_the_head_after_an_upgrade(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'orders.db'}")
    with engine.connect() as connection:
        assert migrate.current(connection) is None
    migrate.upgrade(engine)
    with engine.connect() as connection:
        assert migrate.current(connection) == migrate.head()
    engine.dispose()


def test_checking_the_revision_does_not_import_alembic(tmp_path):
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, sqlalchemy as sa\nfrom posapp.orders import migrate\n"
         f"engine = sa.create_engine('sqlite:///{tmp_path / 'x.db'}')\n"
         "with engine.connect() as c: migrate.current(c)\n"
         "migrate.known(migrate.head())\nprint('alembic' in sys.modules)"],
        capture_output=True, text=True, check=True).stdout
    assert loaded == "False\n"
