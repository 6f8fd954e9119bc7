"""``posapp order …``: record a sale, list, show and void orders; cards only ever masked."""

from __future__ import annotations

import sys
from typing import TextIO

from posapp.access.roles import Permission, SignedIn, require
from posapp.card import MAX_INPUT, parse_card_input
from posapp.charging import PaymentPending, SaleDeclined
from posapp.checkout import Sale
from posapp.cvc import Cvc, split_cvc
from posapp.cli.filters import order_filter
from posapp.cli.input import read_card_input
from posapp.cli.output import for_terminal, print_json
from posapp.cli.vault import count
from posapp.localization import Localization
from posapp.errors import ExitCode, InvalidInput, PosappError, Unavailable, describe
from posapp.pan_detect import contains_pan
from posapp.orders import Order, presentation
from posapp.orders.base import PAGE_MAX
from posapp.clock import utc_now
from posapp.reports.day_document import money_json
from posapp.voids import void

CARD_PROMPT = "Card (number, MM/YY and CVC, or swipe): "
SWIPE_STARTS = ("%", ";")  # track 1 and track 2 sentinels


def _read_card_line() -> str:
    """The whole card entry, a swipe's track lines joined by "\n" (see read_card_input)."""
    if sys.stdin is None:
        raise InvalidInput("no card data: pass it on standard input")
    text = read_card_input(sys.stdin, MAX_INPUT, "card input", prompt=CARD_PROMPT)
    if not text:
        raise InvalidInput("no card data on standard input")
    return text


def order_new(services, args, out: TextIO, operator: SignedIn) -> int:
    """Record one sale, and charge it where a processor is configured: the card (and a keyed card's
    verification code after its expiry) is read from standard input, never from the command line.
    Prints the order (masked card; JSON with ``--json``, also for a declined sale) and returns
    ExitCode.OK. Raises InvalidInput for refused input, the checkout's errors (SaleDeclined: exit 6),
    or SaleRecordedButNotShown."""
    key = args.idempotency_key
    if key is not None and contains_pan(key):  # refused before the card is read, not after
        raise InvalidInput("the idempotency key looks like a card number; use an id of your own")
    loc = services.localization
    amount = loc.parse_amount(args.amount, args.currency or services.currency)
    today = utc_now().date()
    line = _read_card_line()
    card_text, cvc_text = split_cvc(line)
    card = parse_card_input(card_text, today)
    cvc = Cvc.parse(cvc_text, card.pan.brand) if cvc_text is not None else None
    if cvc is None and services.charges_cards and not line.lstrip().startswith(SWIPE_STARTS):
        # Refused before anything is stored: processors decline or refuse a keyed card without it.
        raise InvalidInput("the card processor needs the card's verification code: type it after the expiry, "
                           "like 12/29 123 (4 digits on the front of an AMEX card)")
    retry_of = {"idempotency_key": args.idempotency_key} if args.idempotency_key is not None else {}
    sale = Sale(args.name, args.description, amount, card, cvc=cvc, **retry_of)
    try:
        order = services.checkout(operator).checkout(sale)
    except SaleDeclined as declined:
        if args.json:  # the declined order, for the script; the cashier's sentence goes to stderr
            print_json(out, presentation.as_json(declined.order))
        raise
    except PaymentPending as pending:
        if args.json:  # the pending order, for the script to recover later
            try:
                print_json(out, presentation.as_json(services.orders.get(pending.order_id)))
            except PosappError:
                pass  # the order history is what failed: the sentence on stderr says what to do
        raise
    try:
        if args.json:
            print_json(out, presentation.as_json(order))
        else:
            reference = f" ({presentation.payment_text(order, loc)})" if order.processor else ""
            print(f"Order {order.id} {order.status}: {presentation.amount_text(order, loc)} on "
                  f"{presentation.card_text(order)}{reference}", file=out)
        out.flush()
    except Exception as error:
        # The sale is recorded: a script that read "failed" would sell it again.
        raise SaleRecordedButNotShown(order, error, loc) from None
    return ExitCode.OK


class SaleRecordedButNotShown(Unavailable):
    """The sale was recorded but its confirmation could not be printed (exit 3): the sentence
    says so and names the order, so that nobody sells it again."""

    def __init__(self, order: Order, error: Exception, loc: Localization):
        super().__init__(f"order {order.id} WAS recorded ({presentation.amount_text(order, loc)} on "
                         f"{presentation.card_text(order)}); do not sell "
                         f"it again. Its confirmation was not shown: {describe(error)[0]}")


def order_list(services, args, out: TextIO, operator: SignedIn) -> int:
    """Print one page of orders, newest first, under a header row, times in the merchant's zone, narrowed
    by the filter options (``--since`` and ``--until`` are inclusive business days in that zone), and how
    to get the next page; with ``--totals``, the count of every order the filter selects and the sum of
    its sales per currency, from the database. An operator who may not see every till's orders sees
    this till's. Returns ExitCode.OK; raises InvalidInput for a bad limit, date or filter, NotPermitted
    for another till's orders."""
    if not 1 <= args.limit <= PAGE_MAX:
        raise InvalidInput(f"--limit must be between 1 and {PAGE_MAX}")
    where = order_filter(services, args, operator)
    loc = services.localization
    page = services.orders.page(before=args.before, limit=args.limit, where=where)
    totals = services.orders.totals(where) if args.totals else None
    if args.json:
        listed: dict[str, object] = {"orders": [presentation.as_json(order) for order in page.orders],
                                     "next_before": page.next_before}
        if totals is not None:
            listed["totals"] = {"orders": totals.count, "sales": totals.sales, "sales_amounts": [
                money_json(minor, currency) for currency, minor in totals.amounts.items()]}
        print_json(out, listed)
        return ExitCode.OK
    if not page.orders:
        print("No orders.", file=out)
    else:
        print(f"{'Order':>8}  {'Time':16}  {'Amount':>16}  {'Card':20}  Name", file=out)
    for order in page.orders:
        row = {key: for_terminal(value) for key, value in presentation.list_fields(order, loc).items()}
        status = f"  [{row['status'].upper()}]" if row["status"] else ""  # a voided sale must not read as taken
        print(f"{row['id']:>8}  {row['created']:16}  {row['amount']:>16}  {row['card']:20}  {row['name']}{status}",
              file=out)
    if page.next_before is not None:
        # Not a whole command line: it would have to repeat every filter given (and drop none).
        print(f"More: run the same command with --before {page.next_before}", file=out)
    if totals is not None:
        # Every order the filter selects, not only this page's.
        print(f"Totals: {count(totals.count, 'order')}, {count(totals.sales, 'sale')} "
              "(neither declined, voided nor pending)", file=out)
        for currency, minor in totals.amounts.items():
            print(f"  {currency}  {for_terminal(presentation.total_text(minor, currency, loc)):>16}", file=out)
    return ExitCode.OK


def order_show(services, args, out: TextIO, operator: SignedIn) -> int:
    """Print one order's details (masked card and token only); returns ExitCode.OK. Raises
    OrderNotFound (exit 2) for an unknown id, NotPermitted for another till's order to an
    operator who may see only this till's."""
    order = services.orders.get(args.order_id)
    if order.workstation != services.workstation:
        require(operator, Permission.ALL_ORDERS)
    if args.json:
        print_json(out, presentation.as_json(order))
        return ExitCode.OK
    for key, value in presentation.detail_fields(order, services.localization).items():
        print(f"{presentation.DETAIL_LABELS[key] + ':':13}{for_terminal(value)}", file=out)
    return ExitCode.OK


def order_void(services, args, out: TextIO, operator: SignedIn) -> int:
    """Void a completed order (it stays in the history, marked voided); ``operator`` holds VOID or a
    supervisor's approval. Raises NotPermitted, OrderNotFound, StatusChanged (nothing changed)."""
    order = void(services.orders, operator, args.order_id, workstation=services.workstation,
                 processor=services.processor)
    if args.json:
        print_json(out, presentation.as_json(order))
        return ExitCode.OK
    approval = f", approved by {operator.approved_by.login}" if operator.approved_by else ""
    print(f"Order {order.id} voided ({presentation.amount_text(order, services.localization)}){approval}.", file=out)
    return ExitCode.OK
