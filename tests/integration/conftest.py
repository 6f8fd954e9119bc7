"""Fixtures that run one test on each order-history backend."""

import pytest
from orderstores import BACKENDS, database_url, store_at


@pytest.fixture(params=BACKENDS)
def backend_url(request, tmp_path):
    """An empty order database, once on SQLite and once on MariaDB."""
    return database_url(request.param, request, tmp_path)


@pytest.fixture
def order_store(backend_url):
    store = store_at(backend_url)
    store.provision()
    return store
