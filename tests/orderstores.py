"""Order stores on both backends, for tests that must give the same answers on each."""

import datetime
import uuid

from alembic import command
from alembic.config import Config
from mariadbtest import POS_PASSWORD

from posapp.card import Brand
from posapp.money import Money
from posapp.orders import NewOrder
from posapp.orders.migrate import SCRIPTS
from posapp.orders.sql import SqlOrderStore

NOW = datetime.datetime(2026, 11, 29, 12, 0, tzinfo=datetime.timezone.utc)
BACKENDS = ["sqlite", "mariadb"]


def database_url(backend, request, tmp_path):
    """A new, empty order database on ``backend``, as a till's config names it."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path}/orders.db"
    return request.getfixturevalue("mysql_db").url


def store_at(url):
    return SqlOrderStore(url, password=lambda: POS_PASSWORD)


def upgrade_to(store, revision):
    """Bring a database to an older schema revision, as an earlier posapp left it."""
    config = Config()
    config.set_main_option("script_location", SCRIPTS)
    with store._engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def new_order(name="Coffee", description=None, **changes):
    values = dict(name=name, description=description, amount=Money(350, "USD"), token=str(uuid.uuid4()),
                  card_brand=Brand.VISA, card_last4="4242", workstation="till-01", created_at=NOW,
                  idempotency_key=str(uuid.uuid4()))
    return NewOrder(**{**values, **changes})
