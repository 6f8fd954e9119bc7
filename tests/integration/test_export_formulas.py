"""Whatever text other programs left in the order history, no cell of an export is one a spreadsheet
would evaluate, and every text reads back as the store holds it (hypothesis; SQLite)."""

import itertools

import pytest
from exportcsv import HEADER, read_export, restored, spreadsheet_would_evaluate, write_rows, written_row
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kit import BACKOFFICE, order_store

from posapp.localization import Localization
from posapp.orders import OrderFilter
from posapp.reports.export import export_csv

UTC = Localization.named("en_US", "UTC")
TEXT = st.lists(st.one_of(st.sampled_from(list("=+-@\t\r\n '\",;") + ["\u00a0", "\u200b", "\uff1d", "\uff0d"]),
                          st.characters(codec="utf-8")), min_size=1, max_size=10).map("".join)
COLUMNS = {"OrderName": "name", "Description": "description", "operator": "operator", "workstation": "workstation",
           "processor": "processor", "payment_reference": "payment_reference", "authorization_code":
           "authorization_code", "decline_code": "decline_code", "card_last4": "card_last4"}
_numbers = itertools.count(1)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    store = order_store(f"sqlite:///{tmp_path_factory.mktemp('formulas')}/orders.db")
    store.provision()
    return store


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.fixed_dictionaries({column: TEXT for column in COLUMNS}))
def test_no_exported_cell_is_evaluated_and_every_text_reads_back(store, tmp_path, texts):
    number = next(_numbers)
    write_rows(store, [written_row(number, **texts)])
    target = tmp_path / f"export-{number}.csv"
    export_csv(store, BACKOFFICE, OrderFilter(), target, localization=UTC)
    row = read_export(target)[-1]
    assert not [column for column in HEADER if spreadsheet_would_evaluate(row[column])], row
    order = store.get(number)
    stored = {"name": order.name, "description": order.description, "operator": order.operator,
              "workstation": order.workstation, "processor": order.processor,
              "payment_reference": order.payment_reference, "authorization_code": order.authorization_code,
              "decline_code": order.decline_code, "card_last4": order.card_last4}
    assert {column: restored(row[column]) for column in stored} == stored
