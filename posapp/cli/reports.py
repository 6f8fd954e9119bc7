"""``posapp report day``: a business day's report (X), its close (Z) and reprints, as text, JSON or PDF."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import TextIO

from posapp.access.roles import SignedIn
from posapp.cli.output import for_terminal, print_json
from posapp.errors import ExitCode, InvalidInput
from posapp.reports.files import refuse_existing, write_new


def report_day(services, args, out: TextIO, operator: SignedIn) -> int:
    """Print the report of ``--date`` (default: today in the merchant's zone) at ``--workstation``
    (default: this till; ``--all-tills``: every till), as text, ``--json``, or a new PDF file
    (``--pdf FILE``, never written over); ``--close`` closes that day of that till first.

    Returns ExitCode.OK. Raises InvalidInput for a bad date, an existing PDF file or ``--close`` with
    every till, DayAlreadyClosed (exit 2) for a second close, NotPermitted without REPORTS (or without
    ALL_ORDERS for another till), CardDataInDocument (exit 4), the order store's errors."""
    reports = services.day_reports
    day = _date(args.date) if args.date else reports.today()
    workstation = None if args.all_tills else (args.workstation or services.workstation)
    if args.close and workstation is None:
        raise InvalidInput("a close is per till: name one with --workstation (default: this till), not --all-tills")
    pdf = Path(args.pdf) if args.pdf else None
    if pdf is not None:
        refuse_existing(pdf)  # before the close: its report must have somewhere to go
    report = reports.close(operator, day, workstation) if args.close else reports.report(operator, day, workstation)
    if args.json:
        from posapp.reports.day_document import day_json

        print_json(out, day_json(report))
        return ExitCode.OK
    from posapp.reports.day_document import day_document
    from posapp.reports.document import render_text

    document = day_document(report, services.merchant, services.localization)
    if pdf is not None:
        from posapp.reports.pdf import render_pdf

        write_new(pdf, render_pdf(document, title=document.name))
        print(f"{'Closed; the ' if args.close else 'The '}{report.kind} report of {report.day} is in {pdf}.",
              file=out)
        return ExitCode.OK
    for line in render_text(document).splitlines():
        print(for_terminal(line), file=out)
    return ExitCode.OK


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput("--date takes a date like 2026-11-29") from None
