"""Sending a rendered receipt to an ESC/POS target: a device file gets the bytes as they are, and
a printer that cannot be used is one plain line (no exception class names, no escaped newlines)."""

import pytest

from posapp.errors import ExitCode, describe
from posapp.reports.escpos import PrinterUnavailable, _usb_reason, send_escpos

DATA = b"\x1b@receipt\n\x1dV\x00"


def test_a_device_file_gets_the_bytes_as_they_are(tmp_path):
    device = tmp_path / "lp0"
    send_escpos(DATA, f"escpos-file:{device}")
    assert device.read_bytes() == DATA


def test_a_device_file_that_is_not_there_is_one_line_exit_3(tmp_path):
    target = f"escpos-file:{tmp_path / 'nowhere' / 'lp0'}"
    with pytest.raises(PrinterUnavailable) as refused:
        send_escpos(DATA, target)
    assert describe(refused.value) == (f"the receipt printer {target} cannot be used: No such file or directory",
                                       ExitCode.UNAVAILABLE)


@pytest.mark.parametrize(("error", "reason"), [
    (Exception("No backend available"), "USB printing needs libusb (Debian: sudo apt-get install libusb-1.0-0)"),
    (Exception("Device not found (Could not open\nthe device)"), "Device not found (Could not open the device)"),
    (Exception(""), "Exception"),
])
def test_usb_troubles_read_as_one_sentence(error, reason):
    assert _usb_reason(error) == reason


def test_a_receipt_starts_by_resetting_the_printer_and_ends_with_a_cut():
    from posapp.reports.document import Document
    from posapp.reports.escpos import render_escpos

    document = Document("receipt of order 1")
    document.add("Flat white", "3,50 €")
    data = render_escpos(document)
    assert data.startswith(b"\x1b@")  # ESC @: no size, emphasis or code page left from the last job
    assert data.endswith(b"\x1dV\x00")  # GS V 0: full cut
