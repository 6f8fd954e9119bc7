"""The day report (Z report) on SQLite and MariaDB: its totals equal sums the test makes itself over the
same orders, for a local business day that crosses UTC midnight, with orders a second inside and
outside its bounds, refunds in part and in full, declines, voids and authorizations; a day of a
till closes once, also when two tills close it at the same moment."""

import datetime
import threading
from collections import defaultdict

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kit import BACKOFFICE, CASHIER, SUPERVISOR, new_order
from orderstores import store_at, upgrade_to

from posapp.audit.chain import Event
from posapp.card import Brand
from posapp.errors import ExitCode, InvalidInput, NotPermitted
from posapp.localization import Localization
from posapp.money import Money
from posapp.orders.schema import order_history, row_of
from posapp.orders.status import OrderStatus, PaymentRecord
from posapp.reports.day import DayAlreadyClosed, DayReports

UTC = datetime.timezone.utc
AUCKLAND = Localization.named("en_NZ", "Pacific/Auckland")
DAY = datetime.date(2026, 11, 29)  # NZDT, UTC+13: 2026-11-28 11:00 UTC to 2026-11-29 11:00 UTC
START = datetime.datetime(2026, 11, 28, 11, 0, tzinfo=UTC)
END = datetime.datetime(2026, 11, 29, 11, 0, tzinfo=UTC)
SECOND = datetime.timedelta(seconds=1)
AFTER_THE_DAY = END + datetime.timedelta(hours=3)


def reports(store, localization=AUCKLAND, workstation="till-01", now=AFTER_THE_DAY):
    return DayReports(store, localization, workstation=workstation, clock=lambda: now)


def event(action="sale"):
    return Event(action, "ok", "sam")


class Orders:
    """Orders made through the store as a till makes them, and the test's own list of what each is."""

    def __init__(self, store):
        self.store = store
        self.made = []  # (created_at, workstation, operator, status, currency, brand, amount, captured, refunded)

    def add(self, at, status, minor=1000, currency="USD", brand=Brand.VISA, *, refund=0, workstation="till-01",
            operator="alice"):
        charged = status not in (OrderStatus.RECORDED, OrderStatus.VOIDED)
        order = self.store.add(new_order(amount=Money(minor, currency), created_at=at, card_brand=brand,
                                         workstation=workstation, operator=operator,
                                         status=OrderStatus.PENDING if charged else OrderStatus.RECORDED,
                                         processor="stripe" if charged else None), event())
        payments, captured = self.store.payments, 0
        if status is OrderStatus.VOIDED:
            payments.change_status(order.id, OrderStatus.RECORDED, OrderStatus.VOIDED, event("void"))
        elif status is OrderStatus.DECLINED:
            payments.settle(order, PaymentRecord(OrderStatus.DECLINED, "pi", decline_code="do_not_honor"), event())
        elif status is OrderStatus.AUTHORIZED:
            payments.settle(order, PaymentRecord(OrderStatus.AUTHORIZED, "pi"), event())
        elif status in (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED):
            captured = minor
            payments.settle(order, PaymentRecord(OrderStatus.PAID, "pi", captured_minor=minor), event())
            if refund:
                assert payments.reserve_refund(order.id, refund, event("refund")).status is status
        self.made.append((at, workstation, operator, status.value, currency, brand.value, minor, captured, refund))
        return order.id


def a_day_of_orders(store):
    """Orders at two tills in two currencies over the day, its bounds and the hours either side."""
    orders = Orders(store)
    orders.add(START - SECOND, OrderStatus.PAID, 70000)  # the day before, locally
    first = orders.add(START, OrderStatus.PAID, 1250)  # local midnight: the day's first second
    orders.add(START + datetime.timedelta(hours=2), OrderStatus.PARTIALLY_REFUNDED, 2000, refund=500)
    orders.add(datetime.datetime(2026, 11, 28, 23, 59, 59, tzinfo=UTC), OrderStatus.REFUNDED, 999, "NZD",
               Brand.MASTERCARD, refund=999, operator="bob")  # UTC midnight is mid-day in Auckland
    orders.add(datetime.datetime(2026, 11, 29, 0, 0, 0, tzinfo=UTC), OrderStatus.DECLINED, 4200, "NZD",
               Brand.MASTERCARD, operator="bob")
    orders.add(datetime.datetime(2026, 11, 29, 1, 30, tzinfo=UTC), OrderStatus.VOIDED, 350)
    orders.add(datetime.datetime(2026, 11, 29, 2, 0, tzinfo=UTC), OrderStatus.RECORDED, 800, brand=Brand.AMEX)
    orders.add(datetime.datetime(2026, 11, 29, 3, 0, tzinfo=UTC), OrderStatus.AUTHORIZED, 5000, "NZD")
    orders.add(datetime.datetime(2026, 11, 29, 4, 0, tzinfo=UTC), OrderStatus.PENDING, 650)
    orders.add(datetime.datetime(2026, 11, 29, 5, 0, tzinfo=UTC), OrderStatus.PAID, 3300, "NZD",
               workstation="till-02", operator="carol")
    orders.add(datetime.datetime(2026, 11, 29, 6, 0, tzinfo=UTC), OrderStatus.PARTIALLY_REFUNDED, 10000, "NZD",
               Brand.AMEX, refund=2575, operator="bob")
    last = orders.add(END - SECOND, OrderStatus.PAID, 100)  # the day's last second
    orders.add(END, OrderStatus.PAID, 80000)  # the next day, locally
    return orders, first, last


def sums(made, zone, day, workstation="till-01"):
    """What the report must say, summed here over the test's own list: an order belongs to the day
    when its local date (in ``zone``) is the day."""
    mine = [order for order in made if order[0].astimezone(zone).date() == day
            and (workstation is None or order[1] == workstation)]
    by_status, by_brand = defaultdict(lambda: [0, 0]), defaultdict(lambda: [0, 0])
    net, captured, refunded, recorded = defaultdict(int), defaultdict(int), defaultdict(int), defaultdict(int)
    for _at, _till, _operator, status, currency, brand, amount, taken, given_back in mine:
        by_status[(status, currency)][0] += 1
        by_status[(status, currency)][1] += amount
        if status not in ("declined", "voided", "pending"):
            by_brand[(brand, currency)][0] += 1
            by_brand[(brand, currency)][1] += amount
        captured[currency] += taken
        refunded[currency] += given_back
        net[currency] += taken - given_back
        recorded[currency] += amount if status == "recorded" else 0
    return {"orders": len(mine), "by_status": {key: tuple(value) for key, value in by_status.items()},
            "by_brand": {key: tuple(value) for key, value in by_brand.items()}, "net": dict(net),
            "captured": dict(captured), "refunded": dict(refunded), "recorded": dict(recorded),
            "operators": sorted({order[2] for order in mine})}


def said(report):
    """The same figures as the report has them."""
    takings = {entry.currency: entry for entry in report.takings}
    return {"orders": report.orders,
            "by_status": {(tally.key, tally.currency): (tally.count, tally.amount_minor) for tally in report.by_status},
            "by_brand": {(tally.key, tally.currency): (tally.count, tally.amount_minor) for tally in report.by_brand},
            "net": {currency: entry.net_minor for currency, entry in takings.items()},
            "captured": {currency: entry.captured_minor for currency, entry in takings.items()},
            "refunded": {currency: entry.refunded_minor for currency, entry in takings.items()},
            "recorded": {currency: entry.recorded_minor for currency, entry in takings.items()},
            "operators": [login for login, _count in report.operators]}


def test_the_totals_of_a_day_across_utc_midnight_are_the_sums_of_its_orders(order_store):
    orders, first, last = a_day_of_orders(order_store)
    report = reports(order_store).report(BACKOFFICE, DAY, "till-01")
    assert (report.start, report.end, report.zone) == (START, END, "Pacific/Auckland")
    assert said(report) == sums(orders.made, AUCKLAND.zone, DAY)
    assert (report.first_order, report.last_order) == (first, last)
    # Written out once by hand, so that a mistake shared by the sums above and the report shows.
    usd = {entry.currency: entry for entry in report.takings}["USD"]
    assert (usd.captured_minor, usd.refunded_minor, usd.net_minor) == (1250 + 2000 + 100, 500, 2850)
    assert (usd.recorded_minor, usd.pending_orders, usd.refunded_orders, usd.fully_refunded_orders) == (800, 1, 1, 0)
    nzd = {entry.currency: entry for entry in report.takings}["NZD"]
    assert (nzd.captured_minor, nzd.refunded_minor, nzd.net_minor) == (999 + 10000, 999 + 2575, 7425)
    assert (nzd.authorized_minor, nzd.refunded_orders, nzd.fully_refunded_orders) == (5000, 2, 1)
    assert report.operators == (("alice", 7), ("bob", 3))

    every_till = reports(order_store).report(BACKOFFICE, DAY, None)
    assert said(every_till) == sums(orders.made, AUCKLAND.zone, DAY, workstation=None)
    assert {entry.currency: entry.net_minor for entry in every_till.takings} == {"USD": 2850, "NZD": 7425 + 3300}


def test_the_same_orders_make_other_days_in_another_zone(order_store):
    orders, _first, _last = a_day_of_orders(order_store)
    los_angeles = Localization.named("en_US", "America/Los_Angeles")  # PST, UTC-8
    for day in (datetime.date(2026, 11, 27), datetime.date(2026, 11, 28), datetime.date(2026, 11, 29)):
        report = reports(order_store, los_angeles).report(BACKOFFICE, day, None)
        assert said(report) == sums(orders.made, los_angeles.zone, day, workstation=None)
    # PST is UTC-8: the Auckland day's last order and the one after it fall on the 29th there.
    assert reports(order_store, los_angeles).report(BACKOFFICE, datetime.date(2026, 11, 28), None).orders == 11


def test_a_day_closes_once_and_later_reports_are_reprints(order_store):
    orders, _first, _last = a_day_of_orders(order_store)
    service = reports(order_store)
    before = service.report(SUPERVISOR, DAY, "till-01")
    assert (before.kind, before.closed, before.reprint) == ("X", None, False)
    closed = service.close(SUPERVISOR, DAY, "till-01")
    assert (closed.kind, closed.reprint, closed.closed.operator) == ("Z", False, "supervisor-1")
    assert closed.closed.totals == before.totals() and not closed.changed_since_close()
    with pytest.raises(DayAlreadyClosed, match="2026-11-29 at till-01 was closed already, at .* by supervisor-1") \
            as refused:
        service.close(BACKOFFICE, DAY, "till-01")
    assert refused.value.exit_code is ExitCode.BAD_INPUT
    [entry] = [entry for entry in order_store.journal.chain("till-01") if entry.action == "day-close"
               and entry.outcome == "ok"]
    assert (entry.target, entry.operator) == ("2026-11-29 till-01", "supervisor-1")
    assert entry.details_dict()["net"] == {"USD": 2850, "NZD": 7425}
    assert [e.outcome for e in order_store.journal.chain("till-01") if e.action == "day-close"] == ["ok", "refused"]

    reprint = service.report(BACKOFFICE, DAY, "till-01")
    assert (reprint.kind, reprint.reprint, reprint.closed) == ("Z", True, closed.closed)
    assert not reprint.changed_since_close()
    other_till = service.close(BACKOFFICE, DAY, "till-02")  # each till closes its own day
    assert other_till.closed.workstation == "till-02"
    # A refund given after the close counts on its order's day: the reprint says what changed.
    late = orders.add(END - datetime.timedelta(hours=1), OrderStatus.PAID, 400)
    order_store.payments.reserve_refund(late, 400, event("refund"))
    assert service.report(BACKOFFICE, DAY, "till-01").changed_since_close()


def test_a_close_of_a_day_not_begun_or_by_someone_without_reports_is_refused(order_store):
    service = reports(order_store, now=START - datetime.timedelta(minutes=1))  # still the 28th in Auckland
    with pytest.raises(InvalidInput, match="2026-11-29 has not begun yet in Pacific/Auckland"):
        service.close(BACKOFFICE, DAY, "till-01")
    with pytest.raises(NotPermitted, match=r"operator cashier-1 \(cashier\) may not run reports"):
        reports(order_store).report(CASHIER, DAY, "till-01")
    with pytest.raises(NotPermitted, match=r"operator supervisor-1 \(supervisor\) may not look up the orders of every"):
        reports(order_store).close(SUPERVISOR, DAY, "till-02")  # a supervisor's reports are this till's
    with pytest.raises(NotPermitted):
        reports(order_store).report(SUPERVISOR, DAY, None)
    assert reports(order_store).tills(SUPERVISOR, DAY) == ["till-01"]
    assert order_store.reports.closes(DAY) == []


def test_two_tills_closing_the_same_day_at_once_close_it_once(backend_url):
    stores = [store_at(backend_url) for _ in range(2)]
    stores[0].provision()
    Orders(stores[0]).add(START + datetime.timedelta(hours=5), OrderStatus.PAID, 1500)
    start = threading.Barrier(2)
    outcomes = [None, None]

    def close(index):
        service = reports(stores[index])
        start.wait()
        try:
            outcomes[index] = service.close(BACKOFFICE, DAY, "till-01").closed
        except DayAlreadyClosed as refused:
            outcomes[index] = refused

    threads = [threading.Thread(target=close, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["DayAlreadyClosed", "DayClose"]
    assert len(stores[0].reports.closes(DAY)) == 1
    assert [e.outcome for e in stores[0].journal.chain("till-01") if e.action == "day-close"].count("ok") == 1


def test_the_day_totals_are_read_from_the_index_alone(order_store):
    """The GROUP BY is answered by ix_OrderHistory_day, never by reading the orders' rows."""
    from posapp.orders.reports_sql import group_query

    Orders(order_store).add(START + datetime.timedelta(hours=5), OrderStatus.PAID, 1500)
    with order_store.connection() as connection:
        compiled = group_query(START, END, "till-01").compile(connection, compile_kwargs={"literal_binds": True})
        if connection.dialect.name == "sqlite":
            plan = " ".join(row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}"))
            assert "USING COVERING INDEX ix_OrderHistory_day" in plan, plan
        else:
            [row] = connection.exec_driver_sql(f"EXPLAIN {compiled}").mappings().all()
            assert (row["key"], "Using index" in row["Extra"]) == ("ix_OrderHistory_day", True), row


def test_an_order_history_of_the_revision_before_keeps_its_orders_and_gains_the_day_index(backend_url):
    store = store_at(backend_url)
    upgrade_to(store, "0007")
    with store._engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO OrderHistory (OrderName, AWS_PA_Token, amount_minor, currency, workstation, status, "
            "created_at, captured_minor, refunded_minor) VALUES ('Tea', 'tok', 250, 'EUR', 'till-01', 'paid', :at, "
            "250, 0)"), {"at": datetime.datetime(2026, 11, 28, 20, 0)})
    store.provision()
    indexes = {index["name"]: index["column_names"] for index in sa.inspect(store._engine).get_indexes("OrderHistory")}
    assert indexes["ix_OrderHistory_day"] == ["created_at", "workstation", "status", "currency", "card_brand",
                                              "operator", "amount_minor", "captured_minor", "refunded_minor"]
    assert "ix_OrderHistory_created_at" not in indexes  # ix_OrderHistory_day begins with its column
    assert sa.inspect(store._engine).get_pk_constraint("posapp_day_closes")["constrained_columns"] == [
        "business_day", "workstation"]
    report = reports(store).report(BACKOFFICE, DAY, "till-01")
    assert [(entry.currency, entry.net_minor) for entry in report.takings] == [("EUR", 250)]


ZONES = ["Pacific/Auckland", "America/Los_Angeles", "Pacific/Chatham", "Asia/Kolkata", "Europe/Berlin", "UTC"]
# Days the clocks change in some of those zones, and an ordinary one.
DAYS = [datetime.date(2026, 4, 5), datetime.date(2026, 9, 27), datetime.date(2026, 3, 8), datetime.date(2026, 11, 1),
        datetime.date(2026, 3, 29), datetime.date(2026, 7, 14)]
STATUSES = [status.value for status in OrderStatus] + ["SETTLED", None]  # and what another program wrote


@st.composite
def orders_of_a_day(draw, zone, day):
    """Rows around ``day`` in ``zone``: at its bounds' seconds or anywhere in the hours either side."""
    start, end = Localization.named("en_US", zone).business_day(day)
    bounds = [start - SECOND, start, end - SECOND, end]
    rows = []
    for _ in range(draw(st.integers(0, 25))):
        at = draw(st.one_of(st.sampled_from(bounds), st.integers(-30 * 3600, 54 * 3600).map(
            lambda seconds: start + datetime.timedelta(seconds=seconds))))
        status = draw(st.sampled_from(STATUSES))
        amount = draw(st.integers(2, 1_000_000))
        captured = amount if status in ("paid", "partially_refunded", "refunded") else 0
        refunded = {"refunded": amount, "partially_refunded": draw(st.integers(1, amount - 1))}.get(status, 0)
        rows.append((at, draw(st.sampled_from(["till-01", "till-02"])), draw(st.sampled_from(["ann", "ben", None])),
                     status, draw(st.sampled_from(["USD", "EUR", "JPY"])), draw(st.sampled_from(list(Brand))).value,
                     amount, captured, refunded))
    return rows


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), zone=st.sampled_from(ZONES), day=st.sampled_from(DAYS), every_till=st.booleans())
def test_random_orders_make_a_report_equal_to_the_sums_over_them(order_store, data, zone, day, every_till):
    rows = data.draw(orders_of_a_day(zone, day))
    with order_store._engine.begin() as connection:
        connection.execute(order_history.delete())
        if rows:
            connection.execute(order_history.insert(), [_row(*row) for row in rows])
    localization = Localization.named("en_US", zone)
    workstation = None if every_till else "till-01"
    report = reports(order_store, localization).report(BACKOFFICE, day, workstation)
    expected = sums([(at, till, operator or "", status if status in STATUSES[:-2] else "unknown", *rest)
                     for at, till, operator, status, *rest in rows], localization.zone, day, workstation)
    expected["operators"] = [login for login in expected["operators"] if login]
    assert said(report) == expected
    mine = [row for row in rows if row[0].astimezone(localization.zone).date() == day
            and (workstation is None or row[1] == workstation)]
    ids = _ids(order_store, localization.business_day(day), workstation)
    assert (report.first_order, report.last_order) == ((min(ids), max(ids)) if mine else (None, None))


def _row(at, workstation, operator, status, currency, brand, amount, captured, refunded):
    values = row_of(new_order(amount=Money(amount, currency), created_at=at, workstation=workstation))
    return {**values, "operator": operator, "status": status, "card_brand": brand, "captured_minor": captured,
            "refunded_minor": refunded}


def _ids(store, bounds, workstation):
    table = order_history.c
    query = sa.select(table.UserPaymentAccountID).where(table.created_at >= bounds[0].replace(tzinfo=None),
                                                        table.created_at < bounds[1].replace(tzinfo=None))
    if workstation:
        query = query.where(table.workstation == workstation)
    with store.connection() as connection:
        return list(connection.execute(query).scalars())
