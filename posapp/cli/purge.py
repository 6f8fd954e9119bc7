"""``posapp vault purge``: remove the cards past their retention (``posapp.purge``) and say how many."""

from __future__ import annotations

from typing import TextIO

from posapp.access.roles import SignedIn
from posapp.cli.journalling import journal
from posapp.cli.vault import count
from posapp.clock import utc_now
from posapp.errors import ExitCode, Unavailable, describe


def vault_purge(services, args, out: TextIO, operator: SignedIn) -> int:
    """``vault purge [--dry-run]``: remove (or, dry, count) the cards whose retention ended, mark their
    orders and journal the counts ("vault-purge"); returns OK. Raises the stores' errors (work done
    by then stays done: a re-run finishes it)."""
    from posapp.purge import purge

    services.paired()  # the orders marked must be those of this vault's cards
    report = purge(services.vault, services.orders, retention_days=services.retention_days, now=utc_now(),
                   dry_run=args.dry_run)
    journal(services, operator, "vault-purge", dry_run=args.dry_run, removed=report.removed, kept=report.kept,
            orders=report.orders, marked=report.marked, retention_days=services.retention_days)
    if args.dry_run:
        summary = (f"Would remove {count(report.removed, 'card')} past their retention; {report.kept} kept; "
                   f"{count(report.orders, 'order')} would show 'card no longer stored'. Nothing was changed.")
    else:
        show = "shows" if report.orders == 1 else "show"
        summary = (f"Removed {count(report.removed, 'card')} past their retention; {report.kept} kept; "
                   f"{count(report.orders, 'order')} now {show} 'card no longer stored'.")
    try:
        print(summary, file=out)
        out.flush()
    except Exception as error:
        raise Unavailable(f"the purge ran ({summary}), but this could not be shown: {describe(error)[0]}") from None
    return ExitCode.OK
