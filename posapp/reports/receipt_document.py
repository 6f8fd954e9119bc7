"""What a receipt says about one order, as a :class:`Document` every format renders alike.

The merchant's header, the kind of receipt (sale, refund, void, card on file…), the order, when
(the merchant's date and time, in the merchant's zone), the till and the operator, the item, the
amounts as the merchant's locale writes them, the status in words, the card as brand and last 4,
the processor's reference and approval code, and the footer. A copy says COPY at its top and
bottom. Pure: the caller reads the order and the operator's name.

Every line that carries stored or typed text names its field (``label``), for the card-data check
the renderers make; stored text is shown, never obeyed: control characters are printed as
``\\x1b``, so a row another program wrote cannot drive a printer or a terminal.
"""

from __future__ import annotations

import datetime
import unicodedata

from babel.dates import format_date, format_time

from posapp.localization import Localization
from posapp.money import Money
from posapp.orders.base import Order
from posapp.orders.status import OrderStatus
from posapp.reports.document import WIDTH, Document, Style, columns
from posapp.reports.merchant import Merchant

COPY_BANNER = "*** COPY ***"
_KINDS = {OrderStatus.RECORDED: "CARD ON FILE", OrderStatus.PENDING: "SALE", OrderStatus.AUTHORIZED: "AUTHORIZATION",
          OrderStatus.PAID: "SALE", OrderStatus.DECLINED: "DECLINED", OrderStatus.VOIDED: "VOID",
          OrderStatus.PARTIALLY_REFUNDED: "REFUND", OrderStatus.REFUNDED: "REFUND"}
_STATUS_WORDS = {OrderStatus.RECORDED: "RECORDED (card on file)", OrderStatus.PENDING: "PENDING (not confirmed)",
                 OrderStatus.AUTHORIZED: "AUTHORIZED", OrderStatus.PAID: "PAID", OrderStatus.VOIDED: "VOIDED",
                 OrderStatus.PARTIALLY_REFUNDED: "PARTIALLY REFUNDED", OrderStatus.REFUNDED: "REFUNDED"}
# Shown as escapes: controls (a printer's ESC sequences, a terminal's), line separators and the
# invisible format characters, but those that join letters and emoji.
_INERT = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co"})
_JOINERS = frozenset("\u200c\u200d\ufe0e\ufe0f")


def shown(text: str) -> str:
    """Stored ``text`` as a document prints it: every control or invisible format character written
    as an escape (``\\x1b``, ``\\u202e``), the rest as it is."""
    return "".join(_escape(char) if unicodedata.category(char) in _INERT and char not in _JOINERS else char
                   for char in text)


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def kind(order: Order, *, card_gone: bool = False) -> str:
    """What the receipt is for, as its heading says: "SALE", "REFUND", "VOID", "CARD ON FILE"…;
    a recorded sale whose card is past its retention (``card_gone``) is a "RECORDED SALE"."""
    if card_gone and order.status is OrderStatus.RECORDED:
        return "RECORDED SALE"
    return _KINDS.get(order.status, "RECEIPT")


def status_words(order: Order, localization: Localization, *, card_gone: bool = False) -> str:
    """The order's status in words: "PAID", "RECORDED (card on file)", "DECLINED (insufficient_funds)",
    "REFUNDED 4,00 €, 6,50 € left"…; "STATUS UNKNOWN" for one another program wrote. A recorded sale
    whose card is past its retention (``card_gone``) is "RECORDED (card no longer stored)"."""
    status = order.status
    if card_gone and status is OrderStatus.RECORDED:
        return "RECORDED (card no longer stored)"
    if status is OrderStatus.DECLINED:
        return f"DECLINED ({shown(order.decline_code)})" if order.decline_code else "DECLINED"
    if status in (OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED) and order.amount and order.refunded_minor > 0:
        words = f"REFUNDED {_money(localization, order.refunded_minor, order.amount.currency)}"
        left = order.captured_minor - order.refunded_minor
        return f"{words}, {_money(localization, left, order.amount.currency)} left" if left > 0 else words
    return _STATUS_WORDS.get(status, "STATUS UNKNOWN")


def receipt(order: Order, *, merchant: Merchant, localization: Localization, operator_name: str | None,
            copy: bool, printed_at: datetime.datetime) -> Document:
    """The receipt of ``order``: ``operator_name`` is who took it (display name, else login; None:
    not known), ``copy`` whether this is a reprint, ``printed_at`` (aware) when, shown on a copy."""
    document = Document(f"receipt of order {order.id}")
    for index, line in enumerate(merchant.header_lines()):
        label = "merchant name" if index == 0 and merchant.name else "merchant header"
        document.add(shown(line), style=Style.TITLE if label == "merchant name" else Style.CENTER, label=label)
    document.rule()
    if copy:
        document.add(COPY_BANNER, style=Style.TITLE)
    card_gone = order.card_gone(printed_at)  # a receipt never says a removed card is on file
    document.add(kind(order, card_gone=card_gone), style=Style.TITLE)
    _field(document, "Order", str(order.id))
    if order.created_at is not None:
        # Date and time on lines of their own: en_US writes "Jul 17, 2025, 11:14:58 AM", whose
        # 12 digits pass the card check one day in seventy; apart they never hold 12 digits.
        local = localization.local(order.created_at)
        _field(document, "Date", format_date(local, "medium", locale=localization.locale))
        _field(document, "Time", f"{format_time(local, 'medium', locale=localization.locale)} {local.tzname()}")
    _field(document, "Till", shown(order.workstation or "—"), "till")
    _field(document, "Operator", shown(operator_name or "—"), "operator")
    document.rule()
    amount = order.amount
    document.add(shown(order.name or "—"), _money(localization, amount.minor, amount.currency) if amount else None,
                 label="order name")
    if order.description:
        document.add(shown(order.description), label="description")
    document.rule()
    _amounts(document, order, localization)
    _field(document, "Status", status_words(order, localization, card_gone=card_gone), "status")
    _field(document, "Card", order.card_masked, "card")
    if order.payment_reference:
        _field(document, "Reference", shown(order.payment_reference), "processor reference")
    if order.authorization_code:
        _field(document, "Approval", shown(order.authorization_code), "approval code")
    if copy:
        document.rule()
        _field(document, "Copy printed", localization.time(printed_at))
        document.add(COPY_BANNER, style=Style.TITLE)
    if merchant.footer:
        document.rule()
        document.add(shown(merchant.footer), style=Style.CENTER, label="receipt footer")
    return document


def _amounts(document: Document, order: Order, localization: Localization) -> None:
    amount = order.amount
    if amount is None:
        _field(document, "Total", "amount unknown")
        return
    currency = amount.currency
    document.add(f"Total ({currency})", _money(localization, amount.minor, currency), style=Style.BOLD)
    if 0 < order.captured_minor != amount.minor:  # a partial capture (a tab closed for less)
        _field(document, "Captured", _money(localization, order.captured_minor, currency))
    if order.refunded_minor > 0:
        _field(document, "Refunded", _money(localization, order.refunded_minor, currency))
        left = order.captured_minor - order.refunded_minor
        _field(document, "Left", _money(localization, left, currency) if left > 0 else "nothing")


def _field(document: Document, name: str, value: str, label: str = "text") -> None:
    """``name`` on the left and ``value`` on the right; a value too long for that gets a line of its own."""
    if columns(name) + 1 + columns(value) <= WIDTH:
        document.add(name, value, label=label)
    else:
        document.add(name, label=label)
        document.add(value, label=label)


def _money(localization: Localization, minor: int, currency: str) -> str:
    """A positive amount as the locale writes it (Money holds no zero: callers say "nothing")."""
    return localization.amount(Money(minor, currency))
