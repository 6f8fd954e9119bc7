"""Journal entries for what a command did (vault commands, provision), beside the work itself."""

from __future__ import annotations

import logging
import sys

from posapp.access.roles import SignedIn
from posapp.audit.chain import Event
from posapp.errors import PosappError, describe

log = logging.getLogger(__name__)


def journal(services, operator: SignedIn | None, action: str, outcome: str = "ok", /, **details: object) -> None:
    """Journal ``action`` done by ``operator`` (None: nobody signed in) with counts in ``details``.

    The work is done by then: a journal that cannot be written is one warning line on stderr, not
    a failed command that someone would run again."""
    try:
        services.orders.journal.record(Event(action, outcome, operator.login if operator else None,
                                             details={**details, **(operator.approval if operator else {})}))
    except PosappError as error:
        log.warning("%s was done but not journalled: %s", action, error)
        print(f"posapp: warning: {action} was done, but its journal entry could not be written: "
              f"{describe(error)[0]}", file=sys.stderr)
