"""Order stores on both backends, for tests that must give the same answers on each."""

from alembic import command
from alembic.config import Config
from kit import order_store

from posapp.orders.migrate import SCRIPTS

BACKENDS = ["sqlite", "mariadb"]


def database_url(backend, request, tmp_path):
    """A new, empty order database on ``backend``, as a till's config names it."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path}/orders.db"
    return request.getfixturevalue("mysql_db").url


def store_at(url):
    return order_store(url)


def upgrade_to(store, revision):
    """Bring a database to an older schema revision, as an earlier posapp left it."""
    config = Config()
    config.set_main_option("script_location", SCRIPTS)
    with store._engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
