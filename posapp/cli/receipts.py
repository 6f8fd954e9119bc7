"""``posapp receipt ID --format pdf|text|escpos [--out FILE] [--copy]``: an order's receipt.

Where it goes: ``--out FILE``, a new file (never overwritten), in any format; without it, text
goes to standard output and ESC/POS to the till's receipt printer (``[receipts] printer``),
as a cashier who types ``posapp receipt 17 --format escpos`` expects; a PDF needs ``--out``.
The card shows as brand and last 4 only; a receipt holding a card-like number is refused
(exit 4, naming the field) before any file is made.
"""

from __future__ import annotations

from typing import TextIO

from posapp.access.roles import SignedIn
from posapp.cli.output import for_terminal
from posapp.errors import ExitCode, InvalidInput
from posapp.reports.receipts import Destination, EscposPrinter, NewFile, ReceiptFormat, Rendered

SYSTEM_PRINTER = "system"


class StandardOutput:
    """Standard output, for the plain-text form."""

    name = "standard output"

    def __init__(self, out: TextIO):
        self._out = out

    def check(self) -> None:
        """Nothing to check: standard output is there (a failure to write is said when it happens)."""

    def deliver(self, rendered: Rendered) -> None:
        """Write the text (its stored text already shown inert, its card masked) and flush it."""
        self._out.write(rendered.data.decode("utf-8"))
        self._out.flush()


def _destination(services, args, format: ReceiptFormat, out: TextIO) -> Destination:
    if args.out is not None:
        return NewFile(args.out)
    if format is ReceiptFormat.TEXT:
        return StandardOutput(out)
    if format is ReceiptFormat.PDF:
        raise InvalidInput("a PDF receipt needs --out FILE, a new file to write it to")
    printer = services.receipt_printer
    if printer == SYSTEM_PRINTER:
        raise InvalidInput('--format escpos without --out prints on the receipt printer of [receipts] printer, '
                           'which is "system" here (the window\'s print dialog): give --out FILE, or set it to '
                           'an ESC/POS printer such as escpos-network:HOST:9100')
    return EscposPrinter(printer)


def receipt(services, args, out: TextIO, operator: SignedIn) -> int:
    """Issue order ``args.order_id``'s receipt in ``--format`` to where ``--out`` says (see the module);
    ``--copy``: a COPY even if it is the first. Prints where it went (nothing more for text on standard
    output) and returns ExitCode.OK. Raises InvalidInput (exit 2: no --out for a PDF, an existing
    file, no ESC/POS printer set), NotPermitted, OrderNotFound, CardDataInDocument (exit 4),
    PrinterUnavailable (exit 3) and what ``Receipts.issue`` raises."""
    format = ReceiptFormat(args.format)
    destination = _destination(services, args, format, out)
    issued = services.receipts.issue(operator, args.order_id, format, destination, copy=args.copy)
    if isinstance(destination, StandardOutput):
        return ExitCode.OK
    what = "Copy of the receipt" if issued.copy else "Receipt"
    how = "written to" if isinstance(destination, NewFile) else "printed on"
    print(f"{what} of order {issued.order.id} {how} {for_terminal(issued.to)}.", file=out)
    return ExitCode.OK
