"""Issuing receipts: one order's receipt rendered (PDF, plain text or ESC/POS), checked for card
data, journalled, and handed to where it goes (a new file, a receipt printer, standard output,
the window's printer).

The first receipt issued for an order is the original; every later one is a COPY, at whichever
till, asked for or not: the journal's "receipt" entries of the order decide (a serious till never
prints two originals). An entry is written before the receipt goes out, in a transaction that
locks the order (``orders.documents.issue``); a receipt that could not be delivered (the printer
was off, the disk full) gets a "failed" entry naming that entry, and so leaves the next one the
original. One whose process died between the two counts as issued: a second original is worse
than a copy too many.
"""

from __future__ import annotations

import contextlib
import datetime
import enum
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from posapp.access.roles import Permission, SignedIn, require
from posapp.audit.chain import Entry, Event
from posapp.clock import utc_now
from posapp.errors import Backend, InvalidInput, PosappError, Unavailable, describe
from posapp.localization import Localization
from posapp.orders import Order, OrderStore
from posapp.pan_detect import contains_pan, redact
from posapp.reports.document import Document, render_text
from posapp.reports.guard import CardDataInDocument
from posapp.reports.merchant import Merchant
from posapp.reports.receipt_document import receipt

ACTION = "receipt"  # the journal's action for every receipt issued, refused or not delivered
log = logging.getLogger(__name__)


class ReceiptFormat(enum.Enum):
    """How a receipt is rendered: a one-page PDF 80 mm wide, plain text (UTF-8), or ESC/POS bytes."""

    PDF = "pdf"
    TEXT = "text"
    ESCPOS = "escpos"


@dataclass(frozen=True)
class Rendered:
    """A receipt ready to go: the ``order`` it is of, its ``document`` (lines), ``data`` in ``format``
    (checked for card data already), and whether it is a ``copy``."""

    order: Order
    document: Document
    format: ReceiptFormat
    data: bytes
    copy: bool


class Destination(Protocol):
    """Where a receipt goes. ``name`` says where, for the journal and messages (never a secret)."""

    name: str

    def check(self) -> None:
        """Raise InvalidInput if the receipt cannot go there; called before anything is read or journalled."""

    def deliver(self, rendered: Rendered) -> None:
        """Hand the receipt over; raise a PosappError (or OSError) if it did not get there."""


@dataclass(frozen=True)
class Issued:
    """A receipt issued: the ``order`` as it was printed, whether it was a ``copy``, where it went
    (``to``) and its journal ``entry``."""

    order: Order
    copy: bool
    to: str
    entry: Entry


class NewFile:
    """A file made for the receipt at ``path``; an existing file is never overwritten. Created only
    once the receipt is rendered and checked: a refused receipt leaves no file."""

    def __init__(self, path: Path):
        self.path = path
        self.name = str(path)

    def check(self) -> None:
        """InvalidInput if ``path`` exists already or its folder does not."""
        if self.path.exists() or self.path.is_symlink():
            raise InvalidInput(f"{self.path} exists already: posapp never overwrites a file; name a new one")
        if not self.path.parent.is_dir():
            raise InvalidInput(f"{self.path} cannot be created: there is no folder {self.path.parent}")

    def deliver(self, rendered: Rendered) -> None:
        """Write the receipt to a new file (mode "x": one that appeared meanwhile is not replaced).
        Raises InvalidInput if it exists, Unavailable if it cannot be written (no part is left)."""
        try:
            stream = self.path.open("xb")
        except FileExistsError:
            raise InvalidInput(f"{self.path} exists already: posapp never overwrites a file; name a new one") from None
        except OSError as error:
            raise Unavailable(f"{self.path} cannot be created: {error.strerror or error}",
                              backend=Backend.DISK) from None
        try:
            with stream:
                stream.write(rendered.data)
                stream.flush()
                os.fsync(stream.fileno())
        except OSError as error:
            with contextlib.suppress(OSError):
                self.path.unlink()  # half a receipt is no receipt
            raise Unavailable(f"{self.path} cannot be written: {error.strerror or error}",
                              backend=Backend.DISK) from None


class EscposPrinter:
    """The ESC/POS receipt printer ``target`` names (``escpos-network:HOST:PORT``,
    ``escpos-usb:VENDOR:PRODUCT`` or ``escpos-file:PATH``, as ``[receipts] printer`` does)."""

    def __init__(self, target: str):
        self.name = target

    def check(self) -> None:
        """InvalidInput for a target that names no ESC/POS printer ("system", say)."""
        if not self.name.startswith(("escpos-network:", "escpos-usb:", "escpos-file:")):
            raise InvalidInput(f"{self.name!r} is no ESC/POS receipt printer: use escpos-network:HOST:PORT, "
                               "escpos-usb:VENDOR:PRODUCT or escpos-file:PATH")

    def deliver(self, rendered: Rendered) -> None:
        """Send the receipt's ESC/POS bytes; PrinterUnavailable (exit 3) if the printer cannot be used."""
        from posapp.reports.escpos import send_escpos

        send_escpos(rendered.data, self.name)


def render(document: Document, format: ReceiptFormat, *, title: str) -> bytes:
    """``document`` in ``format`` (``title``: the PDF's); raises CardDataInDocument before anything is made."""
    if format is ReceiptFormat.PDF:
        from posapp.reports.pdf import render_pdf

        return render_pdf(document, title=title)
    if format is ReceiptFormat.ESCPOS:
        from posapp.reports.escpos import render_escpos

        return render_escpos(document)
    return render_text(document).encode("utf-8")


def issued_before(entries: list[Entry]) -> bool:
    """Whether ``entries`` (an order's "receipt" entries) hold a receipt that was issued: an "ok"
    entry that no "failed" entry names as its ``claim``."""
    claims = {(entry.workstation, entry.seq) for entry in entries if entry.outcome == "ok"}
    undone = {(entry.workstation, entry.details_dict().get("claim")) for entry in entries if entry.outcome == "failed"}
    return bool(claims - undone)


class Receipts:
    """The receipts of the orders in ``orders``, headed by ``merchant`` (whose ``workstation`` is this
    till), amounts and times as ``localization`` writes them; ``clock`` says when a copy is printed."""

    def __init__(self, orders: OrderStore, *, merchant: Merchant, localization: Localization,
                 clock: Callable[[], datetime.datetime] = utc_now):
        self._orders = orders
        self._merchant = merchant
        self._localization = localization
        self._clock = clock

    def issue(self, operator: SignedIn, order_id: int, format: ReceiptFormat, destination: Destination, *,
              copy: bool = False) -> Issued:
        """Render order ``order_id``'s receipt in ``format``, journal it and deliver it to ``destination``;
        a COPY when ``copy`` or when a receipt of it was issued before. ``operator`` holds PRINT_RECEIPTS,
        and ALL_ORDERS for another till's order.

        Raises NotPermitted, InvalidInput (the destination; nothing was read), OrderNotFound,
        CardDataInDocument (exit 4, naming the field; nothing was written, and the refusal is journalled),
        what delivering raised (journalled as failed), and the order store's errors."""
        require(operator, Permission.PRINT_RECEIPTS)
        if contains_pan(destination.name):
            raise InvalidInput("where the receipt is to go looks like a card number: name it otherwise")
        destination.check()
        order = self._orders.get(order_id)
        if order.workstation != self._merchant.workstation:
            require(operator, Permission.ALL_ORDERS)
        operator_name = self._operator_name(order.operator)
        now = self._clock()

        def rendering(of: Order, is_copy: bool) -> Rendered:
            document = receipt(of, merchant=self._merchant, localization=self._localization,
                               operator_name=operator_name, copy=is_copy, printed_at=now)
            data = render(document, format, title=f"{'Copy of the receipt' if is_copy else 'Receipt'} of order {of.id}")
            return Rendered(of, document, format, data, is_copy)

        details = {"format": format.value, "to": destination.name}
        try:
            # Rendered outside the lock, as the journal reads now; again under it only if that changed.
            rendered = rendering(order, copy or issued_before(self._orders.documents.issued(ACTION, order_id)))

            def decide(locked: Order, earlier: list[Entry]) -> Event:
                nonlocal rendered
                is_copy = copy or issued_before(earlier)
                if locked != rendered.order or is_copy != rendered.copy:
                    rendered = rendering(locked, is_copy)
                return Event(ACTION, "ok", operator.login, str(order_id), {**details, "copy": rendered.copy})

            _locked, entry = self._orders.documents.issue(ACTION, order_id, decide)
        except CardDataInDocument as refused:
            self._journal(Event(ACTION, "refused", operator.login, str(order_id), {**details, "reason": str(refused)}))
            raise
        try:
            destination.deliver(rendered)
        except Exception as error:
            self._journal(Event(ACTION, "failed", operator.login, str(order_id), {
                **details, "copy": rendered.copy, "claim": entry.seq, "reason": redact(describe(error)[0])}))
            raise
        return Issued(rendered.order, rendered.copy, destination.name, entry)

    def _operator_name(self, login: str | None) -> str | None:
        """The display name of the operator ``login``, else the login (an operator since removed, a
        row another program wrote); None for none."""
        if login is None:
            return None
        record = self._orders.operators.find(login)
        return record.name if record is not None and record.name else login

    def _journal(self, event: Event) -> None:
        """Journal a refusal or a failure; the error that caused it is what the user must hear, so a
        journal that cannot take it costs a log line only."""
        try:
            self._orders.journal.record(event)
        except PosappError as error:
            log.warning("a receipt's %s could not be journalled: %s", event.outcome, error)
