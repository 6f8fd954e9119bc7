"""``posapp audit …``: read the audit journal and verify that its chains are whole."""

from __future__ import annotations

import sys
from typing import TextIO

from posapp.access.roles import SignedIn
from posapp.audit.chain import Entry
from posapp.cli.journalling import journal
from posapp.cli.filters import day
from posapp.cli.output import for_terminal, print_json
from posapp.errors import ExitCode

PAGE = 500


def _as_json(entry: Entry) -> dict[str, object]:
    return {"workstation": entry.workstation, "seq": entry.seq, "at": entry.at.isoformat(),
            "operator": entry.operator, "action": entry.action, "target": entry.target, "outcome": entry.outcome,
            "details": entry.details_dict(), "chain": entry.chain}


def audit_list(services, args, out: TextIO, operator: SignedIn) -> int:
    """Print every entry matching the filters, by workstation and sequence number, page by page
    as they are read, times in the merchant's zone with their UTC offset (``--since``/``--until``
    are inclusive business days there); JSON with ``--json`` (UTC).
    Raises InvalidInput for a bad day. Reading the journal is journalled too (PCI DSS 10.2.1.3)."""
    from posapp.orders.journal import JournalFilter  # with SQLAlchemy: not on the window's start-up path

    loc = services.localization
    where = JournalFilter(since=day(args.since, "--since", loc), until=day(args.until, "--until", loc, next_day=True),
                          operator=args.operator, action=args.journal_action, workstation=args.workstation)
    # Which filters, not their values: free text typed there could be anything, a card number too.
    journal(services, operator, "audit-list", filters=[name for name, value in (
        ("since", args.since), ("until", args.until), ("operator", args.operator), ("action", args.journal_action),
        ("workstation", args.workstation)) if value is not None])
    if args.json:
        out.write('{"entries": [')
    after, shown = None, 0
    while True:
        page = services.orders.journal.page(where, after=after, limit=PAGE)
        for entry in page:
            if args.json:
                out.write(",\n" if shown else "\n")
                print_json(out, _as_json(entry))
            else:
                print(" ".join(for_terminal(value) for value in (
                    entry.workstation, entry.seq, loc.local(entry.at).isoformat(" "), entry.operator or "-",
                    entry.action, entry.outcome, entry.target or "-", entry.details)), file=out)
            shown += 1
        if len(page) < PAGE:
            break
        after = (page[-1].workstation, page[-1].seq)
    if args.json:
        out.write("]}\n")
    elif not shown:
        print("No journal entries.", file=out)
    return ExitCode.OK


def audit_verify(services, args, out: TextIO, operator: SignedIn) -> int:
    """Check every journal chain this till holds the key of; one line per workstation. Returns OK when
    every chain is whole, INTEGRITY naming each broken chain's workstation, first failing sequence
    number and why (on stderr)."""
    reports = services.verify_journal()
    broken = [report for report in reports if not report.whole]
    for report in reports:
        state = "whole" if report.whole else f"BROKEN at entry {report.broken_at}"
        verified = f"{report.verified} {'entry' if report.verified == 1 else 'entries'}"
        print(f"{for_terminal(report.workstation)}: {verified} verified, {state}", file=out)
    for report in broken:
        print(f"posapp: the journal of {for_terminal(report.workstation)} is broken at entry {report.broken_at}: "
              f"{for_terminal(report.reason)}", file=sys.stderr)
    if services.vault_is_this_tills_own:
        print("Only this till's chain was checked: its audit key is its own.", file=out)
    journal(services, operator, "audit-verify", "failed" if broken else "ok", chains=len(reports),
            broken=[report.workstation for report in broken])
    if broken:
        return ExitCode.INTEGRITY
    print("Every chain is whole." if reports else "The journal is empty.", file=out)
    return ExitCode.OK

