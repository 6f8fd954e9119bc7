"""The one function that turns an error into the text the GUI shows. Imports no Qt.

Every GUI site that shows an error calls :func:`sentence`; it goes through
``posapp.errors.describe``, so no traceback and no library's raw text reaches a cashier: a backend
that fails is named with what to do ("The order database is not answering…"), and its detail (a
host, a URL, an error number) goes to the log and, for administrators, to :func:`detail`.
"""

from __future__ import annotations

import logging

from posapp.errors import PosappError, describe
from posapp.pan_detect import redact

log = logging.getLogger(__name__)


def sentence(error: BaseException, *, beside_field: bool = False) -> str:
    """The one sentence a cashier reads for ``error``, any card number in it masked (a
    database's or a library's own text may quote what it was given).

    ``beside_field``: shown next to the field it is about, so an error that names its field in a
    lead-in would drop it; any other error reads as it does everywhere."""
    if beside_field and isinstance(error, PosappError):
        return redact(str(error))
    shown = redact(describe(error, cashier=True)[0])
    hidden = detail(error)
    if hidden is not None:
        log.warning("shown as %r: %s", shown, hidden)
    return shown


def detail(error: BaseException) -> str | None:
    """The technical detail of ``error`` that its cashier's sentence leaves out (card numbers
    masked), for the log and an administrator's Details; None when the sentence says it all."""
    full = redact(describe(error)[0])
    return None if full == redact(describe(error, cashier=True)[0]) else full
