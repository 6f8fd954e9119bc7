"""Reconciliation's notes of vault tokens no order referenced (``posapp_orphans``, migration 0003).

Each function works in the caller's connection (and transaction, for writes)."""

from __future__ import annotations

import datetime
from collections.abc import Collection

import sqlalchemy as sa

from posapp.orders.schema import aware_utc, naive_utc, orphans


def notes(connection: sa.Connection, tokens: Collection[str]) -> dict[str, datetime.datetime]:
    """When reconciliation first saw each of ``tokens`` unreferenced (UTC), for those it noted."""
    if not tokens:
        return {}
    rows = connection.execute(sa.select(orphans.c.token, orphans.c.first_seen).where(
        orphans.c.token.in_(list(tokens)))).all()
    return {token: aware_utc(seen) for token, seen in rows}


def note(connection: sa.Connection, tokens: Collection[str], seen: datetime.datetime) -> None:
    """Note ``tokens`` as first seen unreferenced at ``seen`` (aware; ValueError if naive);
    earlier notes stay as they are."""
    first_seen = naive_utc(seen)  # before the early return: a naive time is refused even with no tokens
    if not tokens:
        return
    # Two reconciliations may note the same token at once: the first note wins.
    insert = orphans.insert().prefix_with("OR IGNORE", dialect="sqlite").prefix_with("IGNORE", dialect="mysql")
    connection.execute(insert, [{"token": token, "first_seen": first_seen} for token in tokens])


def forget(connection: sa.Connection, tokens: Collection[str]) -> None:
    """Drop the notes of ``tokens`` (referenced by an order now, or removed)."""
    if tokens:
        connection.execute(orphans.delete().where(orphans.c.token.in_(list(tokens))))
