"""Every text value of the order database, table by table, for the cardholder-data discovery scan.

Tables and columns are found by inspection, posapp's and any other program's alike: every
column of a text type (CHAR, VARCHAR, TEXT and its TINY/MEDIUM/LONG kinds, JSON stored as
text). Rows are read in keyset batches by primary key (``WHERE key > last ORDER BY key
LIMIT n``), each on a connection given back before its values are handed on, so memory holds
one batch whatever the table's size. A table without a primary key is read as one stream.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, NamedTuple

import sqlalchemy as sa

if TYPE_CHECKING:
    from posapp.orders.sql import SqlOrderStore

BATCH = 1000  # rows per query


class TextCell(NamedTuple):
    """One non-empty text value: its table, column, row (the primary key's values, or the row's
    position in a table without one) and the text itself."""

    table: str
    column: str
    row: tuple[object, ...]
    text: str


class SqlTextCells:
    """The text values of ``store``'s database; iterating raises the store's errors
    (OrderStoreUnavailable, NotProvisioned)."""

    def __init__(self, store: SqlOrderStore):
        self._store = store

    def tables(self) -> list[sa.Table]:
        """Every table holding a text column, with its primary key columns first, then its text columns."""
        with self._store.connection() as connection:
            inspector = sa.inspect(connection)
            found = []
            for name in sorted(inspector.get_table_names()):
                columns = inspector.get_columns(name)
                key = inspector.get_pk_constraint(name).get("constrained_columns") or []
                texts = [column["name"] for column in columns if isinstance(column["type"], sa.String)]
                if texts:
                    kept = dict.fromkeys([*key, *texts])
                    found.append(sa.Table(name, sa.MetaData(), *(
                        sa.Column(column, primary_key=column in key, info={"text": column in texts})
                        for column in kept)))
        return found

    def cells(self, *, batch: int = BATCH) -> Iterator[TextCell]:
        """Every non-empty text value of every table, table by table, by ascending primary key."""
        for table in self.tables():
            key = list(table.primary_key.columns)
            columns = list(table.columns)
            at = {column.name: index for index, column in enumerate(columns)}
            texts = [(column.name, at[column.name]) for column in columns if column.info["text"]]
            keys = [at[column.name] for column in key]
            rows = self._by_key(table, key, batch) if key else self._streamed(table)
            for number, row in enumerate(rows, 1):
                place = tuple(row[index] for index in keys) if keys else (number,)
                for name, index in texts:
                    value = row[index]
                    if isinstance(value, str) and value:
                        yield TextCell(table.name, name, place, value)

    def _by_key(self, table: sa.Table, key: list[sa.Column], batch: int) -> Iterator[sa.Row]:
        query = sa.select(table).order_by(*key).limit(batch)
        page = query
        while True:
            with self._store.connection() as connection:
                rows = connection.execute(page).all()
            yield from rows
            if len(rows) < batch:
                return
            last = rows[-1][:len(key)]  # the key's columns come first (see tables())
            page = query.where(key[0] > last[0] if len(key) == 1 else sa.tuple_(*key) > sa.tuple_(*last))

    def _streamed(self, table: sa.Table) -> Iterator[sa.Row]:
        with self._store.connection() as connection:
            yield from connection.execution_options(yield_per=BATCH).execute(sa.select(table))
