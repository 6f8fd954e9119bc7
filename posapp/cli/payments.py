"""``posapp payments recover`` (settle the pending orders by asking the processor, never by charging),
``posapp order refund``, ``posapp order capture`` and ``posapp order charge`` (bill a stored card)."""

from __future__ import annotations

from typing import TextIO

from posapp.access.roles import SignedIn
from posapp.cli.output import for_terminal, print_json
from posapp.charging import SaleDeclined
from posapp.clock import utc_now
from posapp.errors import ExitCode
from posapp.localization import Localization
from posapp.money import Money
from posapp.orders import presentation
from posapp.payment_actions import capture, refund
from posapp.payment_recovery import recover
from posapp.stored_cards import charge_stored_card


def payments_recover(services, args, out: TextIO, operator: SignedIn) -> int:
    """Settle this till's pending orders (every till's for an operator who sees them all) as the
    processor has them, and print each. ExitCode.OK when none is left pending, else
    ExitCode.UNAVAILABLE (try again later: the reasons are printed). Raises the processor's and
    the store's errors."""
    services.paired()  # a declined order's card is removed: only from this order history's own vault
    loc = services.localization
    result = recover(services.processor, services.orders, services.vault, operator,
                     workstation=services.workstation, now=utc_now())
    if args.json:
        print_json(out, {"settled": [presentation.as_json(order) for order in result.settled],
                         "left_pending": [{"order": presentation.as_json(order), "reason": reason}
                                          for order, reason in result.left_pending]})
    else:
        if not result.settled and not result.left_pending:
            print("No pending orders.", file=out)
        for order in result.settled:
            print(f"Order {order.id} {order.status}: {presentation.amount_text(order, loc)} on "
                  f"{presentation.card_text(order)} ({for_terminal(presentation.payment_text(order, loc))})",
                  file=out)
        for order, reason in result.left_pending:
            print(f"Order {order.id} left pending: {reason}", file=out)
    return ExitCode.UNAVAILABLE if result.left_pending else ExitCode.OK


def _minor(services, args, order_id: int) -> int | None:
    """``--amount`` in the order's currency, as minor units (None: not given)."""
    if args.amount is None:
        return None
    order = services.orders.get(order_id)
    currency = order.amount.currency if order.amount else services.currency
    return services.localization.parse_amount(args.amount, currency).minor


def _show(out: TextIO, args, order, done: str, loc: Localization) -> None:
    if args.json:
        print_json(out, presentation.as_json(order))
    else:
        print(f"Order {order.id} {done}: now {order.status} ({presentation.amount_text(order, loc)}"
              f"{', refunded ' + presentation.detail_fields(order, loc)['refunded'] if order.refunded_minor else ''}).",
              file=out)


def order_refund(services, args, out: TextIO, operator: SignedIn) -> int:
    """Refund ``--amount`` (default: what is left) of a paid order; ExitCode.OK. Raises what
    ``posapp.payment_actions.refund`` raises (an amount beyond what is left: exit 2, nothing sent)."""
    order = refund(services.processor, services.orders, operator, args.order_id,
                   _minor(services, args, args.order_id), reason=args.reason, workstation=services.workstation)
    _show(out, args, order, "refunded", services.localization)
    return ExitCode.OK


def order_capture(services, args, out: TextIO, operator: SignedIn) -> int:
    """Capture an authorized order (``--amount``: less than authorized, e.g. a tab); ExitCode.OK."""
    order = capture(services.processor, services.orders, operator, args.order_id,
                    _minor(services, args, args.order_id), workstation=services.workstation)
    loc = services.localization
    captured = loc.amount(Money(order.captured_minor, order.amount.currency)) if order.amount else ""
    _show(out, args, order, f"captured {captured}".strip(), loc)
    return ExitCode.OK


def order_charge(services, args, out: TextIO, operator: SignedIn) -> int:
    """Bill the card stored under ``--token`` again as a new order; prints it (JSON with ``--json``,
    also when declined) and returns ExitCode.OK. Raises what ``charge_stored_card`` raises."""
    loc = services.localization
    amount = loc.parse_amount(args.amount, args.currency or services.currency)
    services.paired()
    try:
        order = charge_stored_card(services.processor, services.orders, services.vault, operator, token=args.token,
                                   amount=amount, name=args.name, reason=args.reason,
                                   workstation=services.workstation, now=utc_now(),
                                   retention_days=services.retention_days)
    except SaleDeclined as declined:
        if args.json:
            print_json(out, presentation.as_json(declined.order))
        raise
    if args.json:
        print_json(out, presentation.as_json(order))
    else:
        print(f"Order {order.id} {order.status}: {presentation.amount_text(order, loc)} on "
              f"{presentation.card_text(order)} ({for_terminal(presentation.payment_text(order, loc))})", file=out)
    return ExitCode.OK
