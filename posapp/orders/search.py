"""Order search that ignores case and accents the same way on every database.

Collations disagree: MariaDB's ``utf8mb4_unicode_ci`` finds "Café" for "cafe", SQLite's
LIKE folds only ASCII letters. So posapp folds text itself: each order keeps its name and
description folded in two search columns (written with the order, filled by migration 0004
and by ``provision`` for rows other programs wrote), the user's text is folded alike, and
the database only compares folded bytes with LIKE. Both backends give the same answers.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa

# Letters with a stroke or ligatures that Unicode does not decompose but users type without
# (as MariaDB's UCA 5.2 collation does); dotted and dotless i alike, whatever the keyboard.
_LETTERS = str.maketrans({"ı": "i", "ł": "l", "ø": "o", "đ": "d", "ħ": "h", "æ": "ae", "œ": "oe"})
_ESCAPE = "\\"
_BATCH = 1000


def fold(text: str) -> str:
    """``text`` as search compares it: compatibility forms, case and accents folded.

    >>> fold("Crème BRÛLÉE"), fold("Straße"), fold("Ｃａｆé"), fold("İstanbul")
    ('creme brulee', 'strasse', 'cafe', 'istanbul')
    """
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    bare = "".join(char for char in decomposed if unicodedata.category(char) != "Mn")
    # NFC puts Hangul syllables back together: "하" must not match inside "한".
    return unicodedata.normalize("NFC", bare.translate(_LETTERS))


def search_columns(name: str | None, description: str | None) -> dict[str, str | None]:
    """The search columns of an order with this name and description."""
    return {"name_search": None if name is None else fold(name),
            "description_search": None if description is None else fold(description)}


def like_pattern(text: str) -> str | None:
    """A LIKE pattern (escape character ``\\``) matching folded text that contains ``text``
    literally (``%`` and ``_`` are plain characters); None where ``text`` folds to nothing."""
    folded = fold(text)
    return _contains(folded) if folded else None


def _contains(text: str) -> str:
    for special in (_ESCAPE, "%", "_"):
        text = text.replace(special, _ESCAPE + special)
    return f"%{text}%"


def text_matches(text: str, columns: Sequence[tuple[sa.ColumnElement[str], sa.ColumnElement[str]]]
                 ) -> sa.ColumnElement[bool] | None:
    """Rows whose text contains ``text``, for each (text column, its search column) pair; None
    where ``text`` folds to nothing (it filters nothing).

    Rows another program wrote since the last ``provision`` have no folded copy yet: those are
    compared as written, by the database's own rules, rather than never found.
    """
    pattern = like_pattern(text)
    if pattern is None:
        return None
    as_written = _contains(text.strip())
    return sa.or_(*(sa.or_(matches(search, pattern), sa.and_(search.is_(None), matches(column, as_written)))
                    for column, search in columns))


def matches(column: sa.ColumnElement[str], pattern: str) -> sa.ColumnElement[bool]:
    """``column LIKE pattern`` with posapp's escape character (see :func:`like_pattern`)."""
    return column.like(pattern, escape=_ESCAPE)


# Only the columns filling needs: migration 0004 fills with it too, whatever later revisions add.
_rows = sa.table("OrderHistory", sa.column("UserPaymentAccountID"), sa.column("OrderName"),
                 sa.column("Description"), sa.column("name_search"), sa.column("description_search"))


def fill_search_columns(connection: sa.Connection) -> None:
    """Fold the text of the orders whose search columns are missing (rows written before
    migration 0004, or since by other programs).

    Reads in keyset batches of ids, so a large history is never held in memory at once.
    """
    table, after = _rows.c, 0
    missing = sa.or_(sa.and_(table.OrderName.is_not(None), table.name_search.is_(None)),
                     sa.and_(table.Description.is_not(None), table.description_search.is_(None)))
    while rows := connection.execute(
            sa.select(table.UserPaymentAccountID, table.OrderName, table.Description)
            .where(missing, table.UserPaymentAccountID > after)
            .order_by(table.UserPaymentAccountID).limit(_BATCH)).all():
        connection.execute(
            _rows.update().where(table.UserPaymentAccountID == sa.bindparam("row_id")),
            [{"row_id": row_id, **search_columns(name, description)} for row_id, name, description in rows])
        after = rows[-1][0]
