"""The order-history port: what an order is, how its text is validated, the store protocol."""

from __future__ import annotations

import datetime
import unicodedata
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from posapp.audit.chain import Entry, Event
from posapp.card import MASK, Brand
from posapp.errors import Backend, InvalidInput, NotFound, PosappError, Unavailable
from posapp.pan_detect import contains_pan, redact
from posapp.money import Money
from posapp.orders.listing import NEWEST_FIRST, OrderPage, OrderSort, OrderTotals, PageKey
from posapp.orders.status import OrderStatus
from posapp.clock import require_aware

if TYPE_CHECKING:
    from posapp.orders.export_sql import SqlExport
    from posapp.orders.journal import SqlJournal
    from posapp.orders.operators_sql import SqlOperators
    from posapp.orders.payments_sql import SqlPayments
    from posapp.orders.documents_sql import SqlOrderDocuments
    from posapp.orders.reports_sql import SqlDayReports
    from posapp.orders.retention_sql import SqlRetention
    from posapp.orders.text_cells import SqlTextCells

# OrderName and Description are TINYTEXT in the reference schema: 255 bytes, not characters.
TEXT_MAX_BYTES = 255
WORKSTATION_MAX = 64  # characters, as the settings allow (config_checks.workstation_id)
PAGE_MAX = 500

# Bidirectional overrides can make a receipt line read differently from what is stored.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


class OrderStoreError(PosappError):
    """Base of the order store's errors."""


class OrderStoreUnavailable(OrderStoreError, Unavailable):
    """The order database cannot be reached or used."""

    backend = Backend.ORDERS


class NotProvisioned(OrderStoreUnavailable):
    """The database holds no posapp schema, or an older one: ``posapp provision`` makes it."""


class OrderNotFound(OrderStoreError, NotFound):
    """No order has the id asked for (exit 2)."""

    def __init__(self, order_id: int):
        super().__init__(f"there is no order {order_id}")


class InvalidOrder(OrderStoreError, InvalidInput):
    """An order field cannot be stored as given; nothing was changed."""


class DuplicateSale(OrderStoreError):
    """An order with this idempotency key exists already; nothing was added."""

    def __init__(self, idempotency_key: str):
        self.idempotency_key = idempotency_key
        super().__init__(f"sale {idempotency_key} is recorded already")


class OrderOutcomeUnknown(OrderStoreUnavailable):
    """The connection was lost after an order was sent: it may or may not be recorded."""

    outcome_unknown = True


def check_identifier(label: str, value: str | None) -> None:
    """InvalidOrder if an identifier (idempotency key, workstation, operator) holds a card number:
    identifiers are stored, searched and shown as they are."""
    if value is not None and contains_pan(value):
        raise InvalidOrder(f"the {label} looks like a card number; use an identifier of your own")


def checked_text(label: str, value: str | None, *, required: bool) -> str | None:
    """The field as it will be stored: ``value`` without its outer white space, or None when
    that leaves nothing and the field is optional. Nothing else is changed: text is never cut
    or cleaned; a field that does not fit raises InvalidOrder (an InvalidInput) saying why."""
    value = (value or "").strip()
    if not value:
        if required:
            raise InvalidOrder(f"the {label} is empty")
        return None
    if contains_pan(value):  # first: of all the reasons, the one that must not be missed
        # A card number typed into a text field would be stored and shown in clear.
        raise InvalidOrder(f"the {label} contains what looks like a card number; cards go in the card field only")
    for char in value:
        if unicodedata.category(char) in ("Cc", "Cs") or char in _BIDI_CONTROLS:
            raise InvalidOrder(f"the {label} contains a control character (U+{ord(char):04X})")
    size = len(value.encode("utf-8"))
    if size > TEXT_MAX_BYTES:
        raise InvalidOrder(
            f"the {label} is too long: {size} bytes in UTF-8, at most {TEXT_MAX_BYTES} "
            f"(accented letters take 2 bytes, emoji 4)")
    return value


class StatusChanged(OrderStoreError, InvalidInput):
    """The order is not in the status a change needs (voided already, say); nothing was changed."""


@dataclass(frozen=True)
class NewOrder:
    """An order to record. Its text is stored as :func:`checked_text` returns it; raises
    InvalidOrder for refused text or a card number in an identifier, and ValueError (a
    programming error) for a naive ``created_at``."""

    name: str
    description: str | None
    amount: Money
    token: str
    card_brand: Brand
    card_last4: str
    workstation: str
    created_at: datetime.datetime  # timezone-aware; stored in UTC
    idempotency_key: str
    operator: str | None = None
    status: OrderStatus = OrderStatus.RECORDED  # PENDING when a processor is to be asked
    processor: str | None = None  # the processor's name ("stripe") when one is to be asked
    card_expires_at: datetime.datetime | None = None  # timezone-aware; the vault item's expires_at (None: kept)

    def __post_init__(self) -> None:
        require_aware("created_at", self.created_at)
        require_aware("card_expires_at", self.card_expires_at)
        object.__setattr__(self, "name", checked_text("order name", self.name, required=True))
        object.__setattr__(self, "description", checked_text("description", self.description, required=False))
        for label, value in (("idempotency key", self.idempotency_key), ("workstation", self.workstation),
                             ("operator", self.operator)):
            check_identifier(label, value)


@dataclass(frozen=True)
class Order:
    """A recorded order. Rows adopted from older systems may lack amount, card or time."""

    id: int
    name: str | None
    description: str | None
    amount: Money | None
    token: str | None
    card_brand: Brand | None
    card_last4: str | None
    workstation: str | None
    created_at: datetime.datetime | None  # timezone-aware (UTC as the store returns it)
    operator: str | None = None
    status: OrderStatus | None = None  # None: a row another program wrote with a status posapp does not know
    idempotency_key: str | None = None
    processor: str | None = None  # the processor that took the payment ("stripe"); None: none was asked
    payment_reference: str | None = None  # the processor's id for the payment
    authorization_code: str | None = None  # the issuer's approval code, where the processor gave one
    captured_minor: int = 0  # minor units of ``amount``'s currency
    refunded_minor: int = 0  # minor units; never more than captured
    decline_code: str | None = None  # the processor's code, for a declined order
    card_expires_at: datetime.datetime | None = None  # timezone-aware; when retention removes its card

    def __post_init__(self) -> None:
        require_aware("created_at", self.created_at)
        require_aware("card_expires_at", self.card_expires_at)
        # Rows posapp did not write (adopted from a legacy system, edited with SQL) may hold
        # card numbers in any text column: every row leaves the store masked.
        for field in ("name", "description", "token", "workstation", "operator", "idempotency_key", "processor",
                      "payment_reference", "authorization_code", "decline_code"):
            value = getattr(self, field)
            if value is not None:
                object.__setattr__(self, field, redact(value))

    @property
    def card_masked(self) -> str:
        """"BRAND •••• last 4", or "card unknown" for a row without card columns."""
        if self.card_brand is None or self.card_last4 is None:
            return "card unknown"
        return f"{self.card_brand.value} {MASK} {self.card_last4}"  # as Pan.masked shows a card

    def card_gone(self, now: datetime.datetime) -> bool:
        """Whether the order's card is past its retention at ``now`` (timezone-aware): removed from
        the vault, or about to be (DynamoDB's TTL, ``posapp vault purge``), and never billed again."""
        return self.card_expires_at is not None and self.card_expires_at <= now


@dataclass(frozen=True)
class OrderFilter:
    """What the back office narrows a list by; every given criterion must match. Raises
    InvalidOrder for refused criteria, ValueError for a naive ``since`` or ``until``."""

    text: str | None = None  # in the order name or description, ignoring case and accents; 4 digits: or the last 4
    since: datetime.datetime | None = None  # created at or after; timezone-aware
    until: datetime.datetime | None = None  # created before; timezone-aware
    last4: str | None = None
    brand: Brand | None = None
    workstation: str | None = None
    operator: str | None = None  # the login of the operator who took the order
    status: OrderStatus | None = None

    def __post_init__(self) -> None:
        require_aware("since", self.since)  # a programming error: ValueError, not InvalidOrder
        require_aware("until", self.until)
        if self.text is not None and len(self.text.encode("utf-8", "surrogatepass")) > TEXT_MAX_BYTES:
            raise InvalidOrder(f"the search text is longer than any order name or description can be "
                               f"({TEXT_MAX_BYTES} bytes)")
        if self.workstation is not None and len(self.workstation) > WORKSTATION_MAX:
            raise InvalidOrder(f"a workstation id has at most {WORKSTATION_MAX} characters")
        if self.text is not None and contains_pan(self.text):
            # A search is sent to the database and may be logged there: never a card number.
            raise InvalidOrder("the search text looks like a card number; search by its last 4 digits instead")
        check_identifier("workstation", self.workstation)
        check_identifier("operator", self.operator)
        if self.last4 is not None and not (len(self.last4) == 4 and self.last4.isascii() and self.last4.isdigit()):
            raise InvalidOrder("the last 4 digits must be 4 digits")
        if self.since and self.until and self.since >= self.until:
            raise InvalidOrder("the start of the date range is not before its end")


class OrderStore(Protocol):
    """The order history. Every method may raise OrderStoreUnavailable (or NotProvisioned);
    times go in and come out timezone-aware, in UTC."""

    display_url: str  # where the orders are kept, without any password
    is_local: bool  # a SQLite file beside a local vault, made with it on the first run
    operators: SqlOperators  # the operators, in the same database
    journal: SqlJournal  # the audit journal, in the same database
    payments: SqlPayments  # status and payment changes of its orders
    documents: SqlOrderDocuments  # the receipts issued for its orders, from the journal
    reports: SqlDayReports  # day totals and day closes
    export: SqlExport  # every order matching a filter, streamed (exports)
    retention: SqlRetention  # when each order's card leaves the vault
    text_cells: SqlTextCells  # every text value of every table, batched (cardholder-data discovery)

    def provision(self) -> None:
        """Create or upgrade the schema; harmless when it is current."""

    def history_id(self) -> str | None:
        """This order history's identity, made with its schema; None where there is none yet."""

    def add(self, order: NewOrder, event: Event | None = None) -> Order:
        """Record the order and journal ``event`` (target: the new order id) in one transaction;
        DuplicateSale if its idempotency key is taken, OrderOutcomeUnknown if it may or may not
        have been written; any other error means neither was written."""

    def get(self, order_id: int) -> Order:
        """The order with this id; raises OrderNotFound if there is none."""

    def find_sale(self, idempotency_key: str) -> Order | None:
        """The order recorded under this idempotency key, if any."""

    def referenced_tokens(self, tokens: Collection[str]) -> set[str]:
        """Those of ``tokens`` that some order references."""

    def newest_order_id(self) -> int:
        """The highest order id, 0 where there is none."""

    def reconcile_epochs(self) -> tuple[str | None, str | None]:
        """The epoch the last reconciliation set here, and the vault's one before it."""

    def set_reconcile_epochs(self, epoch: str, previous: str | None) -> None:
        """Replace both epochs in one transaction: the one just set and the vault's one before."""

    def clock(self) -> datetime.datetime:
        """The order database's time (UTC), shared by every till that reconciles."""

    def orphan_notes(self, tokens: Collection[str]) -> dict[str, datetime.datetime]:
        """When reconciliation first saw each of ``tokens`` unreferenced (UTC), for those it noted."""

    def note_orphans(self, tokens: Collection[str], seen: datetime.datetime) -> None:
        """Note ``tokens`` as unreferenced since ``seen``; earlier notes are kept."""

    def forget_orphans(self, tokens: Collection[str]) -> None:
        """Drop the notes of ``tokens``."""

    def page(self, *, before: int | None = None, after: PageKey | None = None, limit: int = 50,
             where: OrderFilter = OrderFilter(), sort: OrderSort = NEWEST_FIRST) -> OrderPage:
        """At most ``limit`` (1 to PAGE_MAX) orders matching ``where`` sorted by ``sort`` (``orders.listing``),
        after ``after`` (the last page's ``next``); ``before``, an id, is the newest first's ``after``."""

    def totals(self, where: OrderFilter = OrderFilter()) -> OrderTotals:
        """The count, sales and sum per currency of the orders matching ``where``, from the database."""

    def checks(self) -> list[tuple[str, Callable[[], str]]]:
        """Health checks for ``posapp doctor``."""


@dataclass(frozen=True)
class JournalSetup:
    """How a store journals: this till's ``workstation`` id, ``key()`` the audit key (32 bytes, from
    beside the vault keys; it may raise the vault's errors), ``committed(entry, journal)`` called after each
    entry's transaction commits (anchoring; must not raise), and the ``clock`` (aware UTC)."""

    workstation: str
    key: Callable[[], bytes]
    committed: Callable[[Entry, SqlJournal], None]
    clock: Callable[[], datetime.datetime]
