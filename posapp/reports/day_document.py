"""How a day report reads: the printed document (text, PDF, ESC/POS) and the ``--json`` object.

The document names what it is at the top: "Z report" for a day closed in this run, "Z report —
reprint" for a day closed before (and "REPRINT" again above who closed it and when), "X report — not
closed" for a reading. Amounts are written as the merchant's locale writes them (``Localization.total``), times
in the merchant's zone. The JSON gives every amount as minor units and a decimal string, and times
in UTC with their offset.
"""

from __future__ import annotations

from posapp.localization import Localization
from posapp.money import InvalidAmount, exponent
from posapp.reports.day import DayReport, Takings
from posapp.reports.document import Document, Style
from posapp.reports.merchant import Merchant

_STATUS_NAMES = {"recorded": "card on file", "partially_refunded": "partly refunded"}


def _money(localization: Localization, minor: int, currency: str | None) -> str:
    """``minor`` units as the locale writes them; a currency posapp does not know, as it is stored."""
    try:
        return localization.total(minor, currency or "")
    except InvalidAmount:
        return f"{minor} ({currency or 'no currency'}, minor units)"


def day_document(report: DayReport, merchant: Merchant, localization: Localization) -> Document:
    """The report as lines for every renderer; nothing is checked or written here (the renderers
    check for card data first)."""
    till = report.workstation or "every till"
    doc = Document(f"day report of {report.day} at {till}")
    for text in merchant.header_lines():
        doc.add(text, style=Style.CENTER, label="merchant name or address")
    doc.rule()
    if report.kind == "Z":
        doc.add("Z report — reprint" if report.reprint else "Z report", style=Style.TITLE)
    else:
        doc.add("X report — not closed", style=Style.TITLE)
    doc.add("Day", f"{report.day.isoformat()}")
    doc.add("Till", till, label="workstation")
    doc.add("From", localization.long_time(report.start))
    doc.add("Until", localization.long_time(report.end))
    doc.add("Orders", str(report.orders))
    if report.first_order is not None:
        doc.add("First and last order", f"{report.first_order} – {report.last_order}")
    _section(doc, "By status")
    for tally in report.by_status:
        doc.add(f"{_STATUS_NAMES.get(tally.key, tally.key).replace('_', ' ')} × {tally.count}",
                _money(localization, tally.amount_minor, tally.currency), label="status")
    _section(doc, "Sales by card brand")
    for tally in report.by_brand:
        doc.add(f"{tally.key} × {tally.count}", _money(localization, tally.amount_minor, tally.currency),
                label="card brand")
    for takings in report.takings:
        _takings(doc, localization, takings)
    _section(doc, "Operators")
    for login, count in report.operators:
        doc.add(login, _orders(count), label="operator")
    doc.rule()
    _closing(doc, report, localization)
    doc.add(f"Printed {localization.long_time(report.made_at)}")
    return doc


def _orders(count: int) -> str:
    return f"{count} {'order' if count == 1 else 'orders'}"


def _section(doc: Document, title: str) -> None:
    doc.rule()
    doc.add(title, style=Style.BOLD)


def _takings(doc: Document, localization: Localization, takings: Takings) -> None:
    def money(minor: int) -> str:
        return _money(localization, minor, takings.currency)

    _section(doc, f"Takings in {takings.currency or 'no currency'}")
    doc.add("Captured", money(takings.captured_minor))
    doc.add(f"Refunded ({_orders(takings.refunded_orders)}, {takings.fully_refunded_orders} in full)",
            money(-takings.refunded_minor))
    doc.add("Net takings", money(takings.net_minor), style=Style.BOLD)
    if takings.recorded_minor:
        doc.add("Card on file: recorded, not charged", money(takings.recorded_minor))
    if takings.authorized_minor:
        doc.add("Authorized, not yet captured", money(takings.authorized_minor))
    if takings.pending_orders:
        doc.add("Pending: outcome not known yet", _orders(takings.pending_orders))


def _closing(doc: Document, report: DayReport, localization: Localization) -> None:
    if report.workstation is None:
        doc.add("Every till: a reading; each till closes its own day.")
        for close in report.closes:
            doc.add(f"{close.workstation} closed by {close.operator or '-'}", localization.time(close.closed_at),
                    label="workstation or operator")
        return
    close = report.closed
    if close is None:
        doc.add("NOT CLOSED: a reading of the day so far", style=Style.BOLD)
        return
    if report.reprint:
        doc.add("REPRINT", style=Style.BOLD)
    doc.add("Closed by", close.operator or "nobody signed in", style=Style.BOLD, label="operator")
    doc.add("Closed at", localization.long_time(close.closed_at))
    if report.changed_since_close():
        doc.add("CHANGED SINCE THE CLOSE: at the close", style=Style.BOLD)
        doc.add("Orders", str(close.totals.get("orders")))
        for currency, net in sorted(dict(close.totals.get("net") or {}).items()):
            doc.add(f"Net takings {currency}", _money(localization, int(net), currency or None))


def money_json(minor: int, currency: str | None) -> dict[str, object]:
    """{"minor": 1050, "amount": "10.50", "currency": "EUR"}; "amount" is None for a currency posapp
    does not know (its decimals are unknown)."""
    try:
        places = exponent(currency or "")
    except InvalidAmount:
        return {"minor": minor, "amount": None, "currency": currency}
    sign, whole, fraction = "-" if minor < 0 else "", *divmod(abs(minor), 10 ** places)
    return {"minor": minor, "amount": f"{sign}{whole}.{fraction:0{places}d}" if places else f"{sign}{whole}",
            "currency": currency}


def day_json(report: DayReport) -> dict[str, object]:
    """The report as one JSON-able object: times in UTC ISO 8601 with their offset, amounts as
    :func:`money_json`, the close (if any) with what it recorded."""
    def close_json(close):
        return {"workstation": close.workstation, "closed_at": close.closed_at.isoformat(),
                "operator": close.operator, "totals": dict(close.totals)}

    return {
        "day": report.day.isoformat(), "workstation": report.workstation, "zone": report.zone,
        "start": report.start.isoformat(), "end": report.end.isoformat(), "made_at": report.made_at.isoformat(),
        "kind": report.kind, "reprint": report.reprint,
        "closed": close_json(report.closed) if report.closed else None,
        "changed_since_close": report.changed_since_close(),
        "closes": [close_json(close) for close in report.closes],
        "orders": report.orders, "first_order": report.first_order, "last_order": report.last_order,
        "by_status": [{"status": tally.key, "currency": tally.currency, "count": tally.count,
                       "amount": money_json(tally.amount_minor, tally.currency)} for tally in report.by_status],
        "by_brand": [{"brand": tally.key, "currency": tally.currency, "count": tally.count,
                      "amount": money_json(tally.amount_minor, tally.currency),
                      "net": money_json(tally.net_minor, tally.currency)} for tally in report.by_brand],
        "takings": [{"currency": entry.currency, "captured": money_json(entry.captured_minor, entry.currency),
                     "refunded": money_json(entry.refunded_minor, entry.currency),
                     "net": money_json(entry.net_minor, entry.currency),
                     "recorded": money_json(entry.recorded_minor, entry.currency),
                     "authorized": money_json(entry.authorized_minor, entry.currency),
                     "refunded_orders": entry.refunded_orders, "fully_refunded_orders": entry.fully_refunded_orders,
                     "pending_orders": entry.pending_orders} for entry in report.takings],
        "operators": [{"login": login, "orders": count} for login, count in report.operators],
    }
