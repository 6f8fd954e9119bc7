"""Orders exported as CSV for the back office: one row per order, safe to open in a spreadsheet.

The file is RFC 4180 CSV (comma, double quotes where needed, CRLF line ends) in UTF-8 with a
byte-order mark, so that spreadsheet programs read accents, CJK and emoji right. Times are given
twice, in the merchant's zone with its offset and in UTC; amounts are decimals with a dot
("10.50"), in the currency's own decimals. Cards appear as brand and last 4 only.

A cell a spreadsheet would take for a formula (CWE-1236, "CSV injection": ``=HYPERLINK(…)`` as an
order name) gets an apostrophe in front, as OWASP recommends, so that it shows as text. Every
row is checked for card numbers before it is written; one found stops the export and nothing is
left behind (``reports.guard``, ``reports.new_file``). Orders are read in batches
(``OrderStore.export``), so memory stays flat however many are exported.
"""

from __future__ import annotations

import csv
import datetime
import decimal
import logging
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path

from posapp.access.roles import Permission, SignedIn, require
from posapp.audit.chain import Event
from posapp.errors import InvalidInput, PosappError, describe
from posapp.localization import Localization
from posapp.money import exponent
from posapp.orders import Order, OrderFilter, OrderStore
from posapp.pan_detect import contains_pan, redact
from posapp.reports.guard import refuse_card_data
from posapp.reports.new_file import NewFile, disk_errors

log = logging.getLogger(__name__)

# The vault token is left out on purpose: an accountant reconciles with the processor's reference,
# and a token is what the vault gives a card back for. What leaves posapp should not lead to a card.
COLUMNS = ("order_id", "created_local", "created_utc", "workstation", "operator", "name", "description", "status",
           "amount", "currency", "card_brand", "card_last4", "processor", "payment_reference", "authorization_code",
           "captured", "refunded", "decline_code")
# posapp writes these itself (digits, ISO 8601 times, decimals): no formula can start one. The
# other columns hold stored text, which rows other programs wrote can fill with anything.
_OWN_COLUMNS = frozenset({"order_id", "created_local", "created_utc", "amount", "captured", "refunded"})
PROGRESS_EVERY = 50_000  # orders between two progress calls
# OWASP's list is these, a tab and a carriage return; the full-width forms count too (NFKC).
FORMULA_STARTS = frozenset("=+-@")
_QUOTE = "'"


def neutralised(cell: str) -> str:
    """``cell`` as a spreadsheet will show it as text: an apostrophe is put in front where, after any
    apostrophes, it starts with a tab or a carriage return, or, after white space and invisible
    characters too, with ``= + - @`` (or their full-width forms: "＝1+1"). Anything else is unchanged.

    The apostrophes are skipped so that the rule can be undone: a cell starting with an apostrophe
    is one with an apostrophe put in front exactly where the rest would be neutralised."""
    return _QUOTE + cell if _formula_like(cell.lstrip(_QUOTE)) else cell


def _formula_like(text: str) -> bool:
    if text[:1] in ("\t", "\r"):
        return True
    for char in text:
        if unicodedata.normalize("NFKC", char) in FORMULA_STARTS:
            return True
        if not (char.isspace() or unicodedata.category(char) in ("Cc", "Cf")):
            return False
    return False


def export_csv(orders: OrderStore, operator: SignedIn, where: OrderFilter, target: Path, *,
               localization: Localization, progress: Callable[[int], None] | None = None,
               every: int | None = None) -> int:
    """Write every order matching ``where`` (oldest first) as CSV to the new file ``target``; the
    number of orders written. ``progress(count)`` is called every ``every`` orders (default
    PROGRESS_EVERY), on this thread.

    Journalled as "order-export" with the filter and the row count, or as failed with the reason.
    Raises NotPermitted without EXPORT; InvalidInput for a target that exists or cannot be created
    (TargetExists: nothing is ever overwritten); CardDataInDocument (exit 4) for a row holding a
    card-like number, naming the order and the column; Unavailable for the disk or the order
    history. After any failure or KeyboardInterrupt no file is left (neither the target nor the
    temporary file it is written as)."""
    require(operator, Permission.EXPORT)
    if contains_pan(str(target)):  # the name goes into the journal and the messages
        raise InvalidInput("the export file's name looks like a card number; choose another name")
    details = {"format": "csv", "file": str(target.absolute()), "filter": _filter_details(where)}
    with NewFile(target, encoding="utf-8-sig") as new:  # utf-8-sig: the byte-order mark
        try:
            with disk_errors(target):
                rows = _write(new.file, orders.export.orders(where), localization, progress,
                              max(every or PROGRESS_EVERY, 1))
            new.finish()
        except BaseException as error:
            _journal_failure(orders, operator, details, error)
            raise
        # Journalled before the file is given its name: there is no export without its entry.
        orders.journal.record(Event("order-export", "ok", operator.login, details={**details, "rows": rows}))
        try:
            new.place()
        except BaseException as error:
            _journal_failure(orders, operator, details, error)
            raise
    return rows


def _write(file, exported: Iterable[Order], localization: Localization, progress: Callable[[int], None] | None,
           every: int) -> int:
    writer = csv.writer(file, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    count = 0
    for order in exported:
        row = [cell if column in _OWN_COLUMNS else neutralised(cell)
               for column, cell in zip(COLUMNS, row_cells(order, localization), strict=True)]
        refuse_card_data(f"export (order {order.id})", zip(COLUMNS, row))
        writer.writerow(row)
        count += 1
        if progress is not None and count % every == 0:
            progress(count)
    return count


def row_cells(order: Order, localization: Localization) -> list[str]:
    """The cells of ``order``'s row, in COLUMNS order, as stored (not yet neutralised); "" for what
    the order lacks (rows adopted from older systems may have no amount, card or time)."""
    created, amount = order.created_at, order.amount
    currency = amount.currency if amount is not None else None
    return [str(order.id),
            localization.local(created).isoformat(timespec="seconds") if created else "",
            created.strftime("%Y-%m-%dT%H:%M:%SZ") if created else "",
            order.workstation or "", order.operator or "", order.name or "", order.description or "",
            order.status or "", amount.amount_text if amount is not None else "", currency or "",
            order.card_brand.value if order.card_brand else "", order.card_last4 or "", order.processor or "",
            order.payment_reference or "", order.authorization_code or "",
            _decimal(order.captured_minor, currency), _decimal(order.refunded_minor, currency),
            order.decline_code or ""]


def _decimal(minor: int, currency: str | None) -> str:
    """``minor`` units of ``currency`` as a decimal with its decimals ("0.00"); "" without a currency."""
    if currency is None:
        return ""
    places = exponent(currency)
    return f"{decimal.Decimal(minor).scaleb(-places):.{places}f}"


def _filter_details(where: OrderFilter) -> dict[str, str]:
    """The criteria given, as the journal keeps them (times ISO 8601 UTC)."""
    given = {"text": where.text, "last4": where.last4, "brand": where.brand.value if where.brand else None,
             "workstation": where.workstation,
             "since": _utc_text(where.since), "until": _utc_text(where.until)}
    return {key: value for key, value in given.items() if value is not None}


def _utc_text(moment: datetime.datetime | None) -> str | None:
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def _journal_failure(orders: OrderStore, operator: SignedIn, details: dict, error: BaseException) -> None:
    """Journal a failed export; one that cannot be journalled is logged, and the failure raised as it was."""
    reason = "interrupted" if isinstance(error, KeyboardInterrupt) else redact(describe(error)[0])
    try:
        orders.journal.record(Event("order-export", "failed", operator.login, details={**details,
                                                                                       "reason": reason[:200]}))
    except PosappError as journal_error:
        log.warning("a failed export could not be journalled: %s", journal_error)
