"""The one function that turns an error into the text the GUI shows. Imports no Qt.

Every GUI site that shows an error calls :func:`sentence`; it goes through
``posapp.errors.describe``, so no traceback and no library's raw text reaches a cashier.
"""

from __future__ import annotations

from posapp.errors import PosappError, describe
from posapp.pan_detect import redact


def sentence(error: BaseException, *, beside_field: bool = False) -> str:
    """The one sentence a cashier reads for ``error``, any card number in it masked (a
    database's or a library's own text may quote what it was given).

    ``beside_field``: shown next to the field that was refused, so a refusal drops its lead-in
    ("card refused: …" reads as "…"); any other error reads as it does everywhere."""
    if beside_field and isinstance(error, PosappError):
        return redact(str(error))
    return redact(describe(error)[0])
