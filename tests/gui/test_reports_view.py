"""Reports (F4): a supervisor's report of this till, the back office's of any till, the day's close
after a confirmation (once; later reads are reprints), printing and saving as PDF."""

import subprocess

import pytest
from guihelpers import sign_in, type_sign_in
from kit import new_order, sell
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog, QMessageBox
from PySide6.QtPrintSupport import QPrintDialog

from posapp.clock import utc_now
from posapp.orders.journal import JournalFilter
from posapp.ui.main_window import MainWindow


def signed_in_as(qtbot, window, services, login):
    sign_in(qtbot, window, services, login)
    return window


def show_reports(qtbot, window, *expected):
    QTest.keyClick(window, Qt.Key.Key_F4)
    assert window.tabs.currentWidget() is window.reports
    return wait_for(qtbot, window.reports, *expected)


def wait_for(qtbot, view, *expected):
    """The report view once its text holds every one of ``expected``."""
    qtbot.waitUntil(lambda: view.report is not None and all(text in view.text.toPlainText() for text in expected),
                    timeout=10_000)
    return view


def till_names(view):
    return [view.till.itemText(index) for index in range(view.till.count())]


def visible(kind, window):
    return [widget for widget in window.findChildren(kind) if widget.isVisible()]


def test_f4_shows_a_supervisor_this_tills_report(qtbot, signed_out_window, services):
    window = signed_in_as(qtbot, signed_out_window, services, "supervisor-1")
    sell(services)
    sell(services)
    view = show_reports(qtbot, window, "X REPORT — NOT CLOSED", "card on file × 2")
    assert till_names(view) == [f"This till ({services.workstation})"]  # a supervisor's till only
    assert view.message.text() == "X report: a reading, not closed."
    assert view.close_button.isEnabled() and view.print_button.isEnabled() and view.pdf_button.isEnabled()


def test_a_cashier_has_no_reports(qtbot, window):
    assert not window.tabs.isTabVisible(window.tabs.indexOf(window.reports))
    QTest.keyClick(window, Qt.Key.Key_F4)
    assert window.tabs.currentWidget() is window.checkout


def test_the_back_office_picks_every_till_or_one_that_worked_that_day(qtbot, signed_out_window, services):
    window = signed_in_as(qtbot, signed_out_window, services, "backoffice-1")
    sell(services)
    services.orders.add(new_order("Far away", workstation="till-02", created_at=utc_now()))
    view = show_reports(qtbot, window, "card on file × 1")
    qtbot.waitUntil(lambda: "till-02" in till_names(view))
    assert till_names(view)[:2] == [f"This till ({services.workstation})", "All tills"]
    view.till.setCurrentIndex(till_names(view).index("All tills"))
    wait_for(qtbot, view, "every till", "card on file × 2")
    assert not view.close_button.isEnabled()  # a close is per till
    view.till.setCurrentIndex(till_names(view).index("till-02"))
    wait_for(qtbot, view, "till-02", "card on file × 1")
    assert view.close_button.isEnabled()


def test_closing_the_day_asks_first_and_closes_it_once(qtbot, signed_out_window, services):
    window = signed_in_as(qtbot, signed_out_window, services, "supervisor-1")
    sell(services)
    view = show_reports(qtbot, window, "X REPORT")
    view.close_button.click()
    [box] = visible(QMessageBox, window)
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert services.orders.reports.closes(view.report.day) == []
    view.close_button.click()
    [box] = visible(QMessageBox, window)
    assert box.text() == f"Close {view.report.day} at {services.workstation}?"
    box.button(QMessageBox.StandardButton.Yes).click()
    wait_for(qtbot, view, "Z REPORT", "Closed by", "supervisor-1")
    assert "REPRINT" not in view.text.toPlainText() and not view.close_button.isEnabled()
    [close] = services.orders.reports.closes(view.report.day)
    assert (close.workstation, close.operator) == (services.workstation, "supervisor-1")
    entries = services.orders.journal.page(JournalFilter(action="day-close"))
    assert [(entry.operator, entry.outcome) for entry in entries] == [("supervisor-1", "ok")]

    window.sign_out()  # the next one to look sees a reprint
    type_sign_in(qtbot, window, "supervisor-1")
    qtbot.waitUntil(lambda: window.operator is not None)
    QTest.keyClick(window, Qt.Key.Key_F4)
    wait_for(qtbot, window.reports, "Z REPORT — REPRINT", "REPRINT\nClosed by")


def test_save_as_pdf_writes_a_new_file_and_never_over_one(qtbot, signed_out_window, services, tmp_path):
    window = signed_in_as(qtbot, signed_out_window, services, "supervisor-1")
    sell(services)
    view = show_reports(qtbot, window, "X REPORT")
    target = tmp_path / "day.pdf"
    saved = None
    for expected in (f"Saved to {target}.", f"{target} exists already: a report is never written over"):
        view.pdf_button.click()
        [dialog] = visible(QFileDialog, window)
        dialog.selectFile(str(target))
        dialog.accept()
        qtbot.waitUntil(lambda: view.message.text().startswith(expected), timeout=10_000)
        saved = saved or target.read_bytes()  # as the first attempt wrote it
    assert target.read_bytes() == saved
    text = subprocess.run(["pdftotext", "-layout", str(target), "-"], capture_output=True, text=True, check=True)
    assert "X REPORT" in text.stdout and "card on file × 1" in text.stdout


def test_print_goes_to_the_print_dialog_of_the_system_printer(qtbot, signed_out_window, services, tmp_path):
    window = signed_in_as(qtbot, signed_out_window, services, "supervisor-1")
    sell(services)
    view = show_reports(qtbot, window, "X REPORT")
    view.print_button.click()
    [dialog] = visible(QPrintDialog, window)
    target = tmp_path / "printed.pdf"
    dialog.printer().setOutputFormat(dialog.printer().OutputFormat.PdfFormat)
    dialog.printer().setOutputFileName(str(target))
    dialog.done(QPrintDialog.DialogCode.Accepted)
    qtbot.waitUntil(lambda: view.message.text() == "Sent to the printer.")
    text = subprocess.run(["pdftotext", str(target), "-"], capture_output=True, text=True, check=True).stdout
    assert "X REPORT" in text


@pytest.fixture
def printing_services(posapp_home, tmp_path):
    """A till whose receipts and reports go to an ESC/POS printer (a device file here)."""
    from posapp import app, config

    posapp_home.mkdir(parents=True, exist_ok=True)
    settings = posapp_home / "posapp.toml"
    settings.write_text(f'[receipts]\nprinter = "escpos-file:{tmp_path / "printer.bin"}"\n')
    settings.chmod(0o600)
    return app.build(config.load())


def test_print_goes_to_the_receipt_printer_where_one_is_set(qtbot, printing_services, runner, key_clock, tmp_path):
    window = MainWindow(printing_services, runner, dialogs=False, key_clock=key_clock)
    qtbot.addWidget(window)
    window.show()
    signed_in_as(qtbot, window, printing_services, "supervisor-1")
    sell(printing_services)
    view = show_reports(qtbot, window, "X REPORT")
    (tmp_path / "printer.bin").touch()
    view.print_button.click()
    qtbot.waitUntil(lambda: view.message.text().startswith("Printed on escpos-file:"), timeout=10_000)
    printed = (tmp_path / "printer.bin").read_bytes()
    assert b"X REPORT" in printed and b"card on file" in printed
    assert not visible(QPrintDialog, window)
    runner.wait(10_000)
