"""``posapp order export``: the orders a filter selects, as a new CSV file; progress on stderr."""

from __future__ import annotations

import sys
from typing import TextIO

from posapp.access.roles import SignedIn
from posapp.cli.filters import order_filter
from posapp.cli.output import for_terminal
from posapp.errors import ExitCode
from posapp.reports.export import export_csv


def order_export(services, args, out: TextIO, operator: SignedIn) -> int:
    """Export the orders matching the filter options to the new file ``args.out`` (``--format csv``);
    ``--since`` and ``--until`` are the merchant's business days ([merchant] timezone), both
    included. Prints the count; returns ExitCode.OK. Raises InvalidInput (an existing or uncreatable
    file, a bad filter), NotPermitted, CardDataInDocument (exit 4) and Unavailable; after any of
    them, or Ctrl-C, no file is left."""
    where = order_filter(services, args, operator)

    def progress(count: int) -> None:
        print(f"posapp: exported {count:,} orders…", file=sys.stderr, flush=True)

    rows = export_csv(services.orders, operator, where, args.out, localization=services.localization,
                      progress=progress)
    print(f"Exported {rows:,} order{'' if rows == 1 else 's'} to {for_terminal(args.out)}.", file=out)
    return ExitCode.OK
