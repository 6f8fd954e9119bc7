"""Issuing receipts against a real order history (SQLite and MariaDB): the first receipt of an order
is the original and every later one a COPY, at any till and even when two tills print at once;
each is journalled with its format, copy flag and destination; one that was not delivered leaves
the next the original; a receipt holding a card-like number is refused, journalled and never
written; who may print which till's receipts."""

import datetime
import threading

import pytest
import sqlalchemy as sa
from cardgen import random_pan
from kit import ADMIN, BACKOFFICE, CASHIER, NOW, new_order
from kit import order_store as store_of
from leakscan import find_leaks

from posapp.audit.chain import Event
from posapp.errors import InvalidInput, NotPermitted, Unavailable
from posapp.localization import Localization
from posapp.orders.base import OrderNotFound
from posapp.orders.journal import JournalFilter
from posapp.orders.operators import OperatorRecord
from posapp.reports.guard import CardDataInDocument
from posapp.reports.merchant import Merchant
from posapp.reports.receipts import NewFile, ReceiptFormat, Receipts


class Kept:
    """A destination that keeps what it is given (or fails, as a printer that is off does)."""

    def __init__(self, name="test printer", fails=False):
        self.name, self.fails, self.delivered = name, fails, []

    def check(self):
        pass

    def deliver(self, rendered):
        if self.fails:
            raise Unavailable("the receipt printer test printer cannot be used: connection refused")
        self.delivered.append(rendered)


def receipts_of(store, workstation="till-01"):
    merchant = Merchant("Café Zürich", (), None, "Danke", workstation)
    return Receipts(store, merchant=merchant, localization=Localization.named("de_DE", "Europe/Berlin"),
                    clock=lambda: NOW)


def journalled(store):
    return [(entry.workstation, entry.operator, entry.target, entry.outcome, entry.details_dict())
            for entry in store.journal.page(JournalFilter(action="receipt"))]


def add_operator(store, login, name):
    store.operators.add(OperatorRecord(login, name, "cashier", "not a hash", created_at=NOW),
                        Event("operator-add", "ok", target=login))


def test_the_first_receipt_is_the_original_every_later_one_a_copy_and_each_is_journalled(order_store):
    order = order_store.add(new_order("Flat white", operator="cashier-1"))
    add_operator(order_store, "cashier-1", "Cara Doe")
    printer = Kept()
    issued = [receipts_of(order_store).issue(CASHIER, order.id, ReceiptFormat.TEXT, printer) for _ in range(3)]
    assert [each.copy for each in issued] == [False, True, True]
    texts = [rendered.data.decode() for rendered in printer.delivered]
    assert ["COPY" in text for text in texts] == [False, True, True]
    assert "Cara Doe" in texts[0]  # the operator's display name, looked up
    assert journalled(order_store) == [
        ("till-01", "cashier-1", str(order.id), "ok", {"format": "text", "copy": copy, "to": "test printer"})
        for copy in (False, True, True)]


def test_a_copy_asked_for_is_a_copy_and_the_next_one_too(order_store):
    order = order_store.add(new_order())
    receipts = receipts_of(order_store)
    assert receipts.issue(CASHIER, order.id, ReceiptFormat.TEXT, Kept(), copy=True).copy
    assert receipts.issue(CASHIER, order.id, ReceiptFormat.TEXT, Kept()).copy


def test_another_till_reprinting_an_order_prints_a_copy(order_store, backend_url):
    order = order_store.add(new_order())
    receipts_of(order_store).issue(CASHIER, order.id, ReceiptFormat.PDF, Kept())
    other_till = store_of(backend_url, workstation="till-02")
    issued = receipts_of(other_till, "till-02").issue(ADMIN, order.id, ReceiptFormat.ESCPOS, Kept())
    assert issued.copy
    assert [(workstation, details["copy"]) for workstation, *_, details in journalled(order_store)] == [
        ("till-01", False), ("till-02", True)]


def test_a_receipt_that_was_not_delivered_leaves_the_next_one_the_original(order_store):
    order = order_store.add(new_order())
    receipts = receipts_of(order_store)
    with pytest.raises(Unavailable, match="connection refused"):
        receipts.issue(CASHIER, order.id, ReceiptFormat.ESCPOS, Kept(fails=True))
    assert not receipts.issue(CASHIER, order.id, ReceiptFormat.ESCPOS, Kept()).copy
    entries = order_store.journal.page(JournalFilter(action="receipt"))
    assert [(entry.outcome, entry.details_dict().get("copy")) for entry in entries] == [
        ("ok", False), ("failed", False), ("ok", False)]
    assert entries[1].details_dict()["claim"] == entries[0].seq
    assert "connection refused" in entries[1].details_dict()["reason"]
    assert receipts.issue(CASHIER, order.id, ReceiptFormat.ESCPOS, Kept()).copy


def test_two_tills_printing_the_first_receipt_at_once_print_one_original(order_store, backend_url, monkeypatch):
    order = order_store.add(new_order())
    other_till = store_of(backend_url, workstation="till-02")
    inside, release, results = threading.Event(), threading.Event(), {}
    issue = order_store.documents.issue

    def held(action, order_id, decide):
        def decide_and_wait(locked, earlier):
            event = decide(locked, earlier)
            inside.set()
            assert release.wait(30)
            return event
        return issue(action, order_id, decide_and_wait)

    monkeypatch.setattr(order_store.documents, "issue", held)

    def print_at(name, store, workstation):
        results[name] = receipts_of(store, workstation).issue(ADMIN, order.id, ReceiptFormat.TEXT, Kept()).copy

    first = threading.Thread(target=print_at, args=("first", order_store, "till-01"))
    first.start()
    assert inside.wait(30)
    second = threading.Thread(target=print_at, args=("second", other_till, "till-02"))
    second.start()
    second.join(1.0)
    # Whatever the machine's speed: it waits for the first till's entry, or it has not got there yet.
    assert second.is_alive()
    release.set()
    first.join(30)
    second.join(30)
    assert results == {"first": False, "second": True}


def test_a_card_number_in_the_operators_name_stops_the_receipt_and_no_file_is_made(order_store, tmp_path):
    pan = random_pan("4")
    order = order_store.add(new_order(operator="cashier-1"))
    add_operator(order_store, "cashier-1", "Cara")
    with order_store._engine.begin() as connection:  # edited with SQL: posapp refuses such names itself
        connection.execute(sa.text("UPDATE posapp_operators SET name = :name WHERE login = 'cashier-1'"),
                           {"name": f"Cara {pan}"})
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "receipt.pdf"  # beside orders.db, which holds the number put there
    with pytest.raises(CardDataInDocument) as refused:
        receipts_of(order_store).issue(CASHIER, order.id, ReceiptFormat.PDF, NewFile(out))
    assert str(refused.value).startswith(f"the receipt of order {order.id} was not written: its operator holds")
    assert not out.exists()
    [(_, login, target, outcome, details)] = journalled(order_store)
    assert (login, target, outcome, details["format"]) == ("cashier-1", str(order.id), "refused", "pdf")
    assert "its operator holds" in details["reason"]
    assert list(out.parent.iterdir()) == []
    assert find_leaks([pan], [], blobs={"journal": repr(journalled(order_store)).encode()}) == []


def test_a_card_number_in_an_adopted_order_name_is_printed_masked(order_store, tmp_path):
    pan = random_pan("4")
    with order_store._engine.begin() as connection:  # a row the reference billing design wrote
        connection.execute(sa.text("INSERT INTO OrderHistory (OrderName, Description, AWS_PA_Token) "
                                   "VALUES (:name, 'legacy', 'tok')"), {"name": f"Invoice {pan}"})
        order_id = connection.execute(sa.text("SELECT MAX(UserPaymentAccountID) FROM OrderHistory")).scalar_one()
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "receipt.txt"
    receipts_of(order_store).issue(ADMIN, order_id, ReceiptFormat.TEXT, NewFile(out))
    text = out.read_text()
    assert f"Invoice •••• {pan[-4:]}" in text and "card unknown" in text and "amount unknown" in text
    assert find_leaks([pan], [out.parent]) == []


def test_an_existing_file_is_never_overwritten_and_nothing_is_journalled(order_store, tmp_path):
    order = order_store.add(new_order())
    out = tmp_path / "receipt.pdf"
    out.write_bytes(b"the customer's own file")
    with pytest.raises(InvalidInput, match="exists already: posapp never overwrites a file"):
        receipts_of(order_store).issue(CASHIER, order.id, ReceiptFormat.PDF, NewFile(out))
    with pytest.raises(InvalidInput, match="there is no folder"):
        receipts_of(order_store).issue(CASHIER, order.id, ReceiptFormat.PDF, NewFile(tmp_path / "no" / "r.pdf"))
    assert out.read_bytes() == b"the customer's own file"
    assert journalled(order_store) == []


def test_a_file_that_appears_meanwhile_is_not_replaced_and_the_next_receipt_is_the_original(order_store, tmp_path):
    order = order_store.add(new_order())
    out = tmp_path / "receipt.pdf"

    class Racing(NewFile):
        def deliver(self, rendered):
            out.write_bytes(b"written by someone else meanwhile")
            super().deliver(rendered)

    with pytest.raises(InvalidInput, match="exists already"):
        receipts_of(order_store).issue(CASHIER, order.id, ReceiptFormat.PDF, Racing(out))
    assert out.read_bytes() == b"written by someone else meanwhile"
    assert not receipts_of(order_store).issue(CASHIER, order.id, ReceiptFormat.PDF, NewFile(tmp_path / "r.pdf")).copy


def test_who_may_print_which_tills_receipts(order_store):
    here = order_store.add(new_order("Here", workstation="till-01"))
    elsewhere = order_store.add(new_order("Elsewhere", workstation="till-02"))
    receipts = receipts_of(order_store)
    with pytest.raises(NotPermitted, match="operator bo \\(backoffice\\) may not print receipts"):
        receipts.issue(BACKOFFICE, here.id, ReceiptFormat.TEXT, Kept())
    with pytest.raises(NotPermitted, match="may not look up the orders of every till"):
        receipts.issue(CASHIER, elsewhere.id, ReceiptFormat.TEXT, Kept())
    assert journalled(order_store) == []
    assert not receipts.issue(CASHIER, here.id, ReceiptFormat.TEXT, Kept()).copy
    assert not receipts.issue(ADMIN, elsewhere.id, ReceiptFormat.TEXT, Kept()).copy
    with pytest.raises(OrderNotFound):
        receipts.issue(ADMIN, 999_999, ReceiptFormat.TEXT, Kept())


def test_a_destination_named_like_a_card_is_refused_before_anything(order_store, tmp_path):
    order = order_store.add(new_order())
    (tmp_path / "out").mkdir()
    with pytest.raises(InvalidInput, match="looks like a card number"):
        receipts_of(order_store).issue(CASHIER, order.id, ReceiptFormat.PDF, NewFile(tmp_path / "out" / random_pan()))
    assert journalled(order_store) == [] and list((tmp_path / "out").iterdir()) == []


def test_the_receipt_shows_the_order_as_it_is_when_printed(order_store):
    order = order_store.add(new_order(created_at=datetime.datetime(2026, 7, 1, 10, 0, tzinfo=datetime.timezone.utc)))
    printer = Kept()
    receipts_of(order_store).issue(CASHIER, order.id, ReceiptFormat.TEXT, printer)
    text = printer.delivered[0].data.decode().replace("\u00a0", " ")
    assert "12:00:00 MESZ" in text or "12:00:00 CEST" in text  # summer time in Berlin
    assert "3,50 $" in text and "VISA •••• 4242" in text


def test_an_orders_earlier_receipts_are_found_by_index_not_by_reading_the_journal(order_store):
    """Every receipt asks for its order's earlier ones: with a journal of many entries a sale, a scan
    would make each receipt slower than the last (migration 0009)."""
    from posapp.orders.documents_sql import _entries

    with order_store.connection() as connection:
        compiled = _entries("receipt", 17).compile(connection, compile_kwargs={"literal_binds": True})
        if connection.dialect.name == "sqlite":
            plan = " ".join(row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}"))
            assert "USING INDEX ix_posapp_journal_action_target" in plan, plan
        else:
            [row] = connection.exec_driver_sql(f"EXPLAIN {compiled}").mappings().all()
            assert row["key"] == "ix_posapp_journal_action_target", row
