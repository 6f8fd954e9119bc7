"""Receipts from the window: after a sale the checkout offers Print receipt (Alt+P) and Save receipt…
(Alt+V), and so does the history's detail pane for the selected order. Print goes to the print
dialog's printer ("system": painted with QPainter, here on a QPrinter writing a PDF) or to an
ESC/POS printer (a TCP listener standing in for it); Save writes a PDF. All of it in the background;
what happened is said in the status bar; the first receipt of an order is the original, the next a
COPY; an operator who may not print receipts sees no button."""

import atexit
import socket

import pytest
from cardgen import random_pan
from guihelpers import sign_in
from kit import sell
from leakscan import find_leaks
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog, QFileDialog
from receiptcheck import PrinterListener, pdf_text, printed_text

from posapp.orders.journal import JournalFilter
from posapp.ui import receipt_actions
from posapp.ui.main_window import MainWindow

SETTINGS = """[merchant]
name = "Café Zürich"
locale = "de_DE"
timezone = "Europe/Berlin"
currency = "EUR"

[receipts]
printer = "{printer}"
"""


@pytest.fixture
def printer():
    listener = PrinterListener()
    yield listener
    listener.close()


@pytest.fixture
def printer_setting(printer):
    """What ``[receipts] printer`` says (a test may override it): the TCP listener."""
    return printer.target


@pytest.fixture
def till(posapp_home, printer_setting):
    from posapp import app, config

    posapp_home.mkdir(parents=True, exist_ok=True)
    (posapp_home / "posapp.toml").write_text(SETTINGS.format(printer=printer_setting))
    return app.build(config.load())


@pytest.fixture
def window(qtbot, till, runner, key_clock):
    window = MainWindow(till, runner, dialogs=False, key_clock=key_clock)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    sign_in(qtbot, window, till)
    yield window
    runner.wait(10_000)
    qtbot.wait(10)


def sell_at_checkout(qtbot, window, pan):
    view = window.checkout
    for field, text in ((view.name, "Flat white"), (view.amount, "10,50"), (view.card, pan), (view.expiry, "12/30")):
        qtbot.keyClicks(field, text)
    QTest.keyClick(view.expiry, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Order 1 recorded" in view.result.text(), timeout=20_000)


def status(window):
    return window.statusBar().currentMessage()


def wait_for_status(qtbot, window, text):
    qtbot.waitUntil(lambda: text in status(window), timeout=20_000)


def saving_to(window, path, suggested=None):
    """Save receipt… answers its file dialog with ``path`` (noting the name it suggested)."""
    def choose(parent, offered, chosen):
        if suggested is not None:
            suggested.append(offered)
        chosen(str(path))
    window.receipts._choose_file = choose


def receipts_journalled(services):
    return [(entry.target, entry.outcome, entry.details_dict())
            for entry in services.orders.journal.page(JournalFilter(action="receipt"))]


def test_after_a_sale_the_checkout_saves_its_receipt_then_a_copy(qtbot, window, till, tmp_path):
    pan = random_pan("4")
    view = window.checkout
    assert view.receipt.isHidden()
    sell_at_checkout(qtbot, window, pan)
    assert view.receipt.isVisible() and view.receipt.save_receipt.isEnabled()
    out, suggested = tmp_path / "out", []
    out.mkdir()
    saving_to(window, out / "first.pdf", suggested)
    QTest.keyClick(window, Qt.Key.Key_V, Qt.KeyboardModifier.AltModifier)  # Sa&ve receipt…
    wait_for_status(qtbot, window, f"Receipt of order 1 saved to {out / 'first.pdf'}.")
    assert suggested[0].endswith("receipt-1.pdf")
    saving_to(window, out / "second.pdf")
    view.receipt.save_receipt.click()
    wait_for_status(qtbot, window, f"Copy of the receipt of order 1 saved to {out / 'second.pdf'}.")
    first, second = (pdf_text((out / name).read_bytes()) for name in ("first.pdf", "second.pdf"))
    for text in (first, second):
        assert "CAFÉ ZÜRICH" in text and f"VISA •••• {pan[-4:]}" in text and "10,50 €" in text
    assert "COPY" not in first and "*** COPY ***" in second
    shown = " ".join(label.text() for label in window.findChildren(type(view.result)))
    assert find_leaks([pan], [out], shown + status(window)) == []
    assert [(details["format"], details["copy"]) for _, _, details in receipts_journalled(till)] == [
        ("pdf", False), ("pdf", True)]


def test_an_existing_file_is_not_overwritten_and_the_status_bar_says_so(qtbot, window, tmp_path):
    sell_at_checkout(qtbot, window, random_pan("4"))
    existing = tmp_path / "receipt.pdf"
    existing.write_text("kept")
    saving_to(window, existing)
    window.checkout.receipt.save_receipt.click()
    wait_for_status(qtbot, window, f"The receipt of order 1 was not saved: {existing} exists already")
    assert existing.read_text() == "kept"


@pytest.mark.parametrize("printer_setting", ["system"])
def test_print_on_the_system_printer_paints_the_receipt_on_the_printer_chosen(qtbot, window, till, tmp_path):
    pan = random_pan("4")
    sell_at_checkout(qtbot, window, pan)
    printed = tmp_path / "printed.pdf"

    def choose(parent, chosen):  # the print dialog's OK, on a printer that writes a PDF file
        chosen_printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        chosen_printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        chosen_printer.setOutputFileName(str(printed))
        chosen(chosen_printer)

    window.receipts._choose_printer = choose
    QTest.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)  # &Print receipt
    wait_for_status(qtbot, window, "Receipt of order 1 printed.")
    text = pdf_text(printed.read_bytes())
    assert "CAFÉ ZÜRICH" in text and f"VISA •••• {pan[-4:]}" in text and "10,50 €" in text
    assert find_leaks([pan], [tmp_path]) == []
    [(_, _, details)] = receipts_journalled(till)
    assert (details["format"], details["copy"], details["to"].startswith("system printer")) == ("text", False, True)


def test_print_on_an_escpos_printer_sends_the_receipt_in_the_background(qtbot, window, printer):
    pan = random_pan("4")
    sell_at_checkout(qtbot, window, pan)
    window.checkout.receipt.print_receipt.click()
    wait_for_status(qtbot, window, "Receipt of order 1 printed.")
    [sent] = printer.wait_for(1)
    text = printed_text(sent).replace("\u00a0", " ")
    assert "CAFÉ ZÜRICH" in text and f"VISA •••• {pan[-4:]}" in text and "10,50 €" in text
    assert find_leaks([pan], [], blobs={"printer": sent}) == []


def test_the_history_pane_prints_the_selected_orders_receipt_and_then_a_copy(qtbot, window, till, printer):
    sell_at_checkout(qtbot, window, random_pan("4"))  # the checkout's buttons too: Alt+P must not reach them
    order = sell(till, "Second")
    window.tabs.setCurrentWidget(window.history)
    window.history_model.refresh()
    qtbot.waitUntil(lambda: window.history_model.rowCount() == 2 and not window.history_model.loading,
                    timeout=10_000)
    details = window.history.details
    assert details.receipt.isHidden()  # nothing selected
    window.history.table.selectRow(0)
    assert details.order.id == order.id and details.receipt.isVisible()
    QTest.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)
    wait_for_status(qtbot, window, f"Receipt of order {order.id} printed.")
    details.receipt.print_receipt.click()
    wait_for_status(qtbot, window, f"Copy of the receipt of order {order.id} printed.")
    first, second = (printed_text(data) for data in printer.wait_for(2))
    assert "Second" in first and "COPY" not in first and "*** COPY ***" in second


def _refusing():
    """A printer's address whose port refuses connections for the whole session: bound without
    listening, so no other process can take it (a port merely closed can be reused by a server
    another test starts, which would then accept the receipt)."""
    held = socket.socket()
    held.bind(("127.0.0.1", 0))
    atexit.register(held.close)
    return f"escpos-network:127.0.0.1:{held.getsockname()[1]}"


GONE = _refusing()


@pytest.mark.parametrize("printer_setting", [GONE], ids=["closed-port"])  # a port number would differ per collection
def test_a_printer_that_cannot_be_used_is_said_in_the_status_bar_until_the_next_message(qtbot, window):
    sell_at_checkout(qtbot, window, random_pan("4"))
    window.checkout.receipt.print_receipt.click()
    wait_for_status(qtbot, window, "The receipt of order 1 was not printed: The printer is not answering. Check "
                                   "that it is on, connected and has paper, then try again.")
    assert GONE not in window.statusBar().currentMessage()


def test_an_operator_who_may_not_print_receipts_sees_no_receipt_button(qtbot, signed_out_window_of_till, till):
    window = signed_out_window_of_till
    sell(till)
    sign_in(qtbot, window, till, "backoffice-1")
    window.history_model.refresh()
    qtbot.waitUntil(lambda: window.history_model.rowCount() == 1 and not window.history_model.loading,
                    timeout=10_000)
    window.history.table.selectRow(0)
    assert window.history.details.order is not None
    assert window.history.details.receipt.isHidden() and window.history.details.void.isHidden()


@pytest.fixture
def signed_out_window_of_till(qtbot, till, runner, key_clock):
    window = MainWindow(till, runner, dialogs=False, key_clock=key_clock)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window
    runner.wait(10_000)
    qtbot.wait(10)


def test_the_next_sale_and_signing_out_take_the_buttons_away(qtbot, window, till):
    view = window.checkout
    sell_at_checkout(qtbot, window, random_pan("4"))
    assert view.receipt.isVisible() and view.receipt.order.id == 1
    for field, text in ((view.name, "Tea"), (view.amount, "2,00"), (view.card, random_pan("4")), (view.expiry, "1230")):
        qtbot.keyClicks(field, text)
    QTest.keyClick(view.expiry, Qt.Key.Key_Return)
    assert view.receipt.isHidden()  # while the next sale runs: its receipt is not the last one's
    qtbot.waitUntil(lambda: "Order 2 recorded" in view.result.text(), timeout=20_000)
    assert view.receipt.isVisible() and view.receipt.order.id == 2
    window.sign_out()
    assert view.receipt.isHidden()


@pytest.mark.parametrize("printer_setting", ["system"])
def test_the_dialogs_do_not_block_and_the_idle_lock_closes_them(qtbot, window, till):
    """The real dialogs: opened without blocking the window's event loop, nothing is printed or saved
    on Cancel, and a lock leaves none open."""
    sell(till)
    order = till.orders.get(1)
    chosen = []
    window.receipts._choose_file = lambda parent, offered, then: receipt_actions.ask_file(
        parent, offered, lambda path: chosen.append(path))
    window.receipts.save(order)
    [dialog] = [each for each in window.findChildren(QFileDialog) if each.isVisible()]
    assert dialog.windowModality() != Qt.WindowModality.ApplicationModal  # the window's, not the whole app's
    dialog.reject()
    receipt_actions.ask_printer(window, chosen.append)
    [printing] = [each for each in window.findChildren(QDialog) if each.isVisible()]
    window.lock()
    assert not printing.isVisible()
    assert chosen == [] and receipts_journalled(till) == []


def test_a_refused_next_attempt_takes_the_last_sales_receipt_buttons_away(qtbot, window):
    sell_at_checkout(qtbot, window, random_pan("4"))
    view = window.checkout
    assert view.receipt.print_receipt.isVisible()
    qtbot.keyClicks(view.amount, "10,50")
    QTest.keyClick(view.amount, Qt.Key.Key_Return)  # no card: refused before anything is sent
    assert view.result.text() == "Type the card number or swipe the card."
    assert not view.receipt.print_receipt.isVisible() and not view.receipt.save_receipt.isVisible()
