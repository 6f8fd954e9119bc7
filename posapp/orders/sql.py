"""The order store on SQLAlchemy Core; the same code serves MySQL (PyMySQL) and SQLite.

The tables are in ``posapp.orders.schema``; the schema is Alembic's
(``posapp.orders.migrations``). A store never creates its database by itself: a new
order history is made only by ``provision`` (in local mode, on the first run, when the
vault is new too), so one that vanished is reported, never silently replaced by an empty
one. A local SQLite file is upgraded on first use; a shared MySQL database only by
``posapp provision``, so that many tills never race to migrate it.
"""

from __future__ import annotations

import dataclasses
import datetime
import threading
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import sqlalchemy as sa

from posapp.audit.chain import Entry, Event
from posapp.orders import journal as journal_rows, listing_sql, migrate, orphans as orphan_rows
from posapp.orders.db_errors import rolled_back, translate
from posapp.orders.engine import Tls, create_private_file, make_engine
from posapp.orders.base import (DuplicateSale, JournalSetup, NewOrder, NotProvisioned, Order, OrderFilter,
                                OrderNotFound, OrderStoreUnavailable)
from posapp.orders.listing import NEWEST_FIRST, OrderPage, OrderSort, OrderTotals, PageKey
from posapp.orders.schema import aware_utc, identity, order_from_row, order_history, row_of, select_orders
from posapp.orders.export_sql import SqlExport
from posapp.orders.operators_sql import SqlOperators
from posapp.orders.payments_sql import SqlPayments
from posapp.orders.documents_sql import SqlOrderDocuments
from posapp.orders.reports_sql import SqlDayReports
from posapp.orders.retention_sql import SqlRetention
from posapp.orders.search import fill_search_columns
from posapp.orders.text_cells import SqlTextCells

_id = order_history.c.UserPaymentAccountID
_EPOCHS = ("reconcile_epoch", "previous_reconcile_epoch")


class SqlOrderStore:
    """The OrderStore at ``url`` (``sqlite:///path`` or ``mysql+pymysql://user@host/db``).

    ``password`` is called when a connection opens (None: none, or the URL's); ``journal`` says
    how this till journals (None: the store writes no journal entry; asking it to raises
    ValueError). Thread-safe; building it does no I/O. Times go in and come out UTC-aware; a
    naive one raises ValueError.
    """

    def __init__(self, url: str, *, tls: Tls = Tls(), password: Callable[[], str | None] = lambda: None,
                 journal: JournalSetup | None = None):
        self.url = sa.make_url(url)
        self._local = self.url.get_backend_name() == "sqlite"
        self._engine = make_engine(self.url, tls=tls, password=password)
        self._schema_ready = False
        self._schema_lock = threading.Lock()
        self._journal = journal
        self._heads = journal_rows.HeadGuesses()
        self.operators = SqlOperators(self)
        self.journal = journal_rows.SqlJournal(self)
        self.payments, self.reports, self.retention = SqlPayments(self), SqlDayReports(self), SqlRetention(self)
        self.documents = SqlOrderDocuments(self)
        self.export = SqlExport(self)
        self.text_cells = SqlTextCells(self)

    @property
    def display_url(self) -> str:
        """The URL without its password, for messages and logs."""
        return self.url.render_as_string(hide_password=True)

    @property
    def is_local(self) -> bool:
        """A SQLite file beside a local vault, rather than a database shared by tills."""
        return self._local

    @contextmanager
    def connection(self) -> Iterator[sa.Connection]:
        """A connection to the current schema, its errors translated to OrderStoreErrors."""
        with self._errors():
            self._ensure_schema()
            with self._engine.connect() as connection:
                yield connection

    def _setup(self) -> JournalSetup:
        if self._journal is None:
            raise ValueError("this order store was built without a journal")
        return self._journal

    @contextmanager
    def transaction(self) -> Iterator[tuple[sa.Connection, Callable[[Event], Entry]]]:
        """One transaction and the function that journals an event in it; committed on a clean exit.

        Entries are handed to the journal's ``committed`` only after the COMMIT succeeded."""
        setup = self._setup()
        key = setup.key()  # before anything is sent: a vault that cannot answer stops nothing half-done
        written: list[Entry] = []

        def record(event: Event) -> Entry:
            guess = (written[-1].seq, written[-1].chain) if written else self._heads.get(setup.workstation)
            written.append(journal_rows.append(connection, key, setup.workstation, setup.clock(), event, guess))
            return written[-1]

        with self.connection() as connection, connection.begin():
            if self._local:
                # pysqlite sends BEGIN only before the first write, so a read before it (a sign-in's
                # failed-attempt count) would go stale under a concurrent writer: take the write
                # lock first, as MySQL's SELECT ... FOR UPDATE does.
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            yield connection, record
        for entry in written:
            self._committed(setup, entry)

    def _committed(self, setup: JournalSetup, entry: Entry) -> None:
        self._heads.put(entry.workstation, entry.seq, entry.chain)  # a rolled-back entry is no guess
        setup.committed(entry, self.journal)

    @contextmanager
    def _errors(self, *, outcome_unknown: bool = False) -> Iterator[None]:
        try:
            yield
        except sa.exc.DBAPIError as error:
            # str(error) would carry the statement and its parameters; say what failed, no more.
            raise translate(error.orig, self.url, outcome_unknown=outcome_unknown) from None
        except OSError as error:
            raise OrderStoreUnavailable(f"order history at {self.display_url} cannot be used: {error}") from None
        except migrate.MigrationFailed as error:
            raise OrderStoreUnavailable(f"order history at {self.display_url} cannot be migrated: {error}") from None

    def _file_missing(self) -> bool:
        return self._local and bool(self.url.database) and not Path(self.url.database).exists()

    def _revision(self) -> str | None:
        """The schema revision, None where there is no posapp schema; creates nothing."""
        if self._file_missing() or (self._local and Path(self.url.database).stat().st_size == 0):
            return None  # connecting would create or write the file: nothing is there to read
        with self._engine.connect() as connection:
            current = migrate.current(connection)
        if current is not None and not migrate.known(current):
            raise OrderStoreUnavailable(
                f"order history at {self.display_url} is at schema revision {current!r}, which this posapp "
                "does not know: a newer posapp upgraded it; install that version here too")
        return current

    def _ensure_schema(self) -> None:
        with self._schema_lock:
            if self._schema_ready:
                return
            current, head = self._revision(), migrate.head()
            if current is None:
                raise NotProvisioned(f"order history at {self.display_url} has no posapp schema: run 'posapp "
                                     "provision' (if it held orders, restore it from a backup instead)")
            if current != head:
                if not self._local:
                    raise NotProvisioned(f"order history at {self.display_url} is at schema {current}, "
                                         f"not {head}: run 'posapp provision'")
                migrate.upgrade(self._engine)  # a till's own file follows its posapp version
            self._schema_ready = True

    def provision(self) -> None:
        """Create or upgrade the schema (adopting a reference OrderHistory table in place), and
        make the orders that other programs wrote searchable."""
        with self._errors():
            self._revision()  # refuses a schema from a newer posapp before touching it
            if self._local and self.url.database:
                create_private_file(Path(self.url.database))
            migrate.upgrade(self._engine)
            self._ensure_schema()
            with self._engine.begin() as connection:
                fill_search_columns(connection)  # rows other programs wrote since the last time

    def history_id(self) -> str | None:
        """This order history's identity; None where the database holds no posapp schema."""
        with self._errors():
            if self._revision() is None:
                return None
            self._ensure_schema()
            with self._engine.connect() as connection:
                return connection.execute(sa.select(identity.c.value).where(
                    identity.c.name == "history_id")).scalar_one_or_none()

    def reconcile_epochs(self) -> tuple[str | None, str | None]:
        """The epoch the last reconciliation set here and the vault's one before it (None: none)."""
        with self.connection() as connection:
            rows = dict(connection.execute(sa.select(identity.c.name, identity.c.value).where(
                identity.c.name.in_(_EPOCHS))).all())
        return rows.get(_EPOCHS[0]), rows.get(_EPOCHS[1])

    def set_reconcile_epochs(self, epoch: str, previous: str | None) -> None:
        with self.connection() as connection, connection.begin():
            connection.execute(identity.delete().where(identity.c.name.in_(_EPOCHS)))
            connection.execute(identity.insert(), [{"name": name, "value": value}
                                                   for name, value in zip(_EPOCHS, (epoch, previous)) if value])

    def checks(self) -> list[tuple[str, Callable[[], str]]]:
        return [("order history", self._check_reachable)]

    def _check_reachable(self) -> str:
        newest = self.page(limit=1).orders
        return f"{self.display_url} reachable, " + (f"newest order {newest[0].id}" if newest else "no orders yet")

    def add(self, order: NewOrder, event: Event | None = None) -> Order:
        """Record the order, and journal ``event`` (its target set to the new order id) in the same
        transaction: there is no sale without its entry.

        Raises DuplicateSale or another OrderStoreError when the order is known not to be written
        (a refused statement, a connection lost before COMMIT), OrderOutcomeUnknown when it may or
        may not have been (an error of another kind, or at COMMIT: not seeing the order from
        another connection is no proof that it will never be committed)."""
        values = row_of(order)
        setup = self._setup() if event is not None else None
        key = setup.key() if setup is not None else b""  # before anything is sent
        entry = None
        with self._errors():  # nothing is sent before the connection is up
            self._ensure_schema()
            connection = self._engine.connect()
        try:
            with self._errors(outcome_unknown=True), connection.begin():
                # The journal entry's statements are refused like the order's INSERT: either refusal
                # rolls both back, so the sale is known not to be written.
                try:
                    order_id = connection.execute(order_history.insert(), values).inserted_primary_key[0]
                    if setup is not None:
                        entry = journal_rows.append(connection, key, setup.workstation, order.created_at,
                                                    dataclasses.replace(event, target=str(order_id)),
                                                    self._heads.get(setup.workstation))
                except sa.exc.DBAPIError as error:
                    if not rolled_back(error, local=self._local):
                        raise
                    if "idempotency_key" in str(error.orig) and isinstance(error, sa.exc.IntegrityError):
                        raise DuplicateSale(order.idempotency_key) from None
                    raise translate(error.orig, self.url) from None
        finally:
            with self._errors():
                connection.close()
        if entry is not None:
            self._committed(setup, entry)
        # Built from what was written: a read-back that failed would hide a recorded sale.
        return order_from_row(SimpleNamespace(UserPaymentAccountID=order_id, **values))

    def find_sale(self, idempotency_key: str) -> Order | None:
        with self.connection() as connection:
            row = connection.execute(select_orders().where(
                order_history.c.idempotency_key == idempotency_key)).one_or_none()
        return None if row is None else order_from_row(row)

    def referenced_tokens(self, tokens: Collection[str]) -> set[str]:
        if not tokens:
            return set()
        token = order_history.c.AWS_PA_Token
        with self.connection() as connection:
            return set(connection.execute(sa.select(token).where(token.in_(list(tokens)))).scalars())

    def newest_order_id(self) -> int:
        """The highest order id (0 where there is none): it only grows as orders are recorded."""
        with self.connection() as connection:
            return connection.execute(sa.select(sa.func.max(_id))).scalar_one() or 0

    def clock(self) -> datetime.datetime:
        """The order database's time (UTC): one clock for every till that reconciles."""
        now = sa.func.utc_timestamp() if not self._local else sa.func.datetime("now")
        with self.connection() as connection:
            value = connection.execute(sa.select(now)).scalar_one()
        return aware_utc(value)  # both functions answer in UTC

    def orphan_notes(self, tokens: Collection[str]) -> dict[str, datetime.datetime]:
        with self.connection() as connection:
            return orphan_rows.notes(connection, tokens)

    def note_orphans(self, tokens: Collection[str], seen: datetime.datetime) -> None:
        with self.connection() as connection, connection.begin():
            orphan_rows.note(connection, tokens, seen)

    def forget_orphans(self, tokens: Collection[str]) -> None:
        with self.connection() as connection, connection.begin():
            orphan_rows.forget(connection, tokens)

    def get(self, order_id: int) -> Order:
        with self.connection() as connection:
            row = connection.execute(select_orders().where(_id == order_id)).one_or_none()
        if row is None:
            raise OrderNotFound(order_id)
        return order_from_row(row)

    def page(self, *, before: int | None = None, after: PageKey | None = None, limit: int = 50,
             where: OrderFilter = OrderFilter(), sort: OrderSort = NEWEST_FIRST) -> OrderPage:
        with self.connection() as connection:
            return listing_sql.page(connection, before=before, after_key=after, limit=limit, where=where, sort=sort)

    def totals(self, where: OrderFilter = OrderFilter()) -> OrderTotals:
        with self.connection() as connection:
            return listing_sql.totals(connection, where)
