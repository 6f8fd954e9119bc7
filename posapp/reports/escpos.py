"""Documents for thermal receipt printers (ESC/POS), through python-escpos.

A target names the printer as ``[receipts] printer`` does: ``escpos-network:HOST:PORT`` (a
printer on the network, raw TCP, usually port 9100), ``escpos-usb:VENDOR:PRODUCT`` (hex USB
ids) or ``escpos-file:PATH`` (a device file such as /dev/usb/lp0). The lines are those of the
plain-text form, so every format reads the same; python-escpos picks the code page for €, ¥
and the mask's bullets. Characters that no code page holds but that have a printable twin
(the narrow no-break space CLDR puts before "AM", the full-width yen sign) are printed as
that twin, never as "?".
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import sys

from posapp.errors import Backend, InvalidInput, Unavailable
from posapp.reports.document import FULL_WIDTH_SIGNS, WIDTH, Document, Style, text_lines, with_twins

CONNECT_TIMEOUT_S = 5.0
# What CLDR data writes that no ESC/POS code page holds, as the printer can print it: the spaces
# that must not break (before "AM", between digit groups) as the no-break space, which the code
# pages have, and the full-width currency signs.
PRINTABLE_TWINS = {"\u202f": "\u00a0", "\u2009": "\u00a0", "\u2007": "\u00a0", "\u200a": "\u00a0",
                   **FULL_WIDTH_SIGNS}


class PrinterUnavailable(Unavailable):
    """The receipt printer could not be reached or refused the document (exit 3)."""

    backend = Backend.PRINTER


def render_escpos(document: Document) -> bytes:
    """The ESC/POS bytes that print ``document`` and cut the paper. Raises CardDataInDocument
    (exit 4) before anything is made."""
    document.check()
    printer = _printers().Dummy()
    _print(printer, document)
    return printer.output


def print_escpos(document: Document, target: str) -> None:
    """Print ``document`` on the ESC/POS printer ``target`` names. Raises CardDataInDocument before
    anything is sent, InvalidInput for a target of another form, PrinterUnavailable when the
    printer cannot be reached or written to."""
    send_escpos(render_escpos(document), target)


def send_escpos(data: bytes, target: str) -> None:
    """Send ``data``, bytes :func:`render_escpos` made (and checked), to the ESC/POS printer ``target``
    names, as they are. Raises InvalidInput for a target of another form, PrinterUnavailable when
    the printer cannot be reached or written to."""
    kind, _, where = target.partition(":")
    if kind not in ("escpos-network", "escpos-usb", "escpos-file"):
        raise InvalidInput(f"{target!r} is no receipt printer: use escpos-network:HOST:PORT, "
                           "escpos-usb:VENDOR:PRODUCT or escpos-file:PATH")
    try:
        if kind == "escpos-network":
            _send_tcp(where, data)
        elif kind == "escpos-file":
            with open(where, "wb") as device:  # a printer's device file (/dev/usb/lp0): raw bytes in
                device.write(data)
        else:
            vendor, _, product = where.partition(":")
            printer = _printers().Usb(int(vendor, 16), int(product, 16))
            printer.open()
            try:
                printer._raw(data)  # the bytes rendered and checked above, sent as they are
            finally:
                printer.close()
    except (OSError, ValueError) as error:
        reason = getattr(error, "strerror", None) or error
        raise PrinterUnavailable(f"the receipt printer {target} cannot be used: {reason}") from None
    except Exception as error:  # python-escpos's and pyusb's own errors (USBNotFoundError, NoBackendError…)
        raise PrinterUnavailable(f"the receipt printer {target} cannot be used: {_usb_reason(error)}") from None


def _usb_reason(error: Exception) -> str:
    """What went wrong with a USB printer, in one line: pyusb says "No backend available" when libusb is missing."""
    text = " ".join(str(error).split())
    if "No backend available" in text:
        return "USB printing needs libusb (Debian: sudo apt-get install libusb-1.0-0)"
    return text or type(error).__name__


def _printers():
    """``escpos.printer``. Its first import pickles the printer database into a folder of its own
    (a private mkdtemp) that it never removes: removed at exit here, unless one was set for it."""
    if "escpos.capabilities" not in sys.modules and "ESCPOS_CAPABILITIES_PICKLE_DIR" not in os.environ:
        from escpos import capabilities

        atexit.register(shutil.rmtree, capabilities.pickle_dir, ignore_errors=True)
    import escpos.printer

    return escpos.printer


def _send_tcp(where: str, data: bytes) -> None:
    """Send ``data`` to ``HOST:PORT`` over raw TCP, all a network receipt printer takes (port 9100).
    Not python-escpos's Network: release 3.1 leaves its socket open when the printer refuses."""
    host, _, port = where.rpartition(":")
    with socket.create_connection((host, int(port)), timeout=CONNECT_TIMEOUT_S) as connection:
        connection.sendall(data)


def _print(printer, document: Document) -> None:
    printer.hw("INIT")  # ESC @: whatever the last job left set (size, bold, code page) is cleared first
    for line in with_twins(document, PRINTABLE_TWINS).lines:
        rows = text_lines(Document(document.name, [line]), WIDTH)
        printer.set(bold=line.style in (Style.TITLE, Style.BOLD), double_height=line.style is Style.TITLE,
                    normal_textsize=line.style is not Style.TITLE)
        for row in rows:
            printer.text(row + "\n")
    printer.set(normal_textsize=True, bold=False)
    printer.cut()
