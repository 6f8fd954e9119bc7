"""Export… in the order history: for the back office only; the orders of the history's filter go to
a new CSV file in the background, and the history's status line says how it went."""

import pytest
from exportcsv import read_export, write_rows, written_row
from guihelpers import sign_in
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog

from posapp.ui import history_export

ORDERS = 60


@pytest.fixture
def shop(services):
    services.orders.provision()
    write_rows(services.orders, [written_row(number, OrderName=f"Order {number}" + (" flat white" if number % 10 == 0
                                                                                     else ""))
                                 for number in range(1, ORDERS + 1)])


@pytest.fixture
def window(qtbot, services, signed_out_window, shop):
    """The window of a back-office operator, at the order history."""
    sign_in(qtbot, signed_out_window, services, "backoffice-1")
    signed_out_window.tabs.setCurrentWidget(signed_out_window.history)
    model = signed_out_window.history_model
    qtbot.waitUntil(lambda: model.rowCount() > 0 and not model.loading)
    return signed_out_window


def choosing(path, asked=None):
    def choose_file(parent):
        if asked is not None:
            asked.append(parent)
        return None if path is None else str(path)

    return choose_file


def export(qtbot, window, path):
    window.export.choose_file = choosing(path)
    QTest.mouseClick(window.history.export, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.export.running)
    return window.history.message.text()


def test_only_operators_who_may_export_see_the_button(qtbot, services, signed_out_window):
    sign_in(qtbot, signed_out_window, services, "cashier-1")
    assert signed_out_window.history.export.isHidden()
    signed_out_window.sign_out()
    sign_in(qtbot, signed_out_window, services, "backoffice-1")
    assert not signed_out_window.history.export.isHidden()


def test_the_orders_of_the_current_filter_are_exported(qtbot, window, tmp_path):
    model = window.history_model
    window.history.search.setText("flat white")
    qtbot.waitUntil(lambda: model.rowCount() == ORDERS // 10 and not model.loading)
    said = export(qtbot, window, tmp_path / "flat white.csv")
    assert said == f"Exported 6 orders to {tmp_path / 'flat white.csv'}."
    assert [row["name"] for row in read_export(tmp_path / "flat white.csv")] == [
        f"Order {number} flat white" for number in range(10, ORDERS + 1, 10)]
    assert window.history.export.isEnabled()


def test_an_existing_file_is_kept_and_the_reason_shown(qtbot, window, tmp_path):
    (tmp_path / "orders.csv").write_text("keep me")
    said = export(qtbot, window, tmp_path / "orders.csv")
    assert said == f"Nothing was exported: {tmp_path / 'orders.csv'} exists already: name a new file " \
                   f"(posapp never overwrites one)"
    assert (tmp_path / "orders.csv").read_text() == "keep me"


def test_a_cancelled_question_exports_nothing(qtbot, window, tmp_path, monkeypatch):
    asked, started = [], []
    monkeypatch.setattr(history_export, "export_csv", lambda *args, **kwargs: started.append(args))
    window.export.choose_file = choosing(None, asked)
    before = window.history.message.text()
    QTest.mouseClick(window.history.export, Qt.MouseButton.LeftButton)
    assert asked == [window.history] and started == [] and not window.export.running
    assert window.history.message.text() == before


def test_progress_reaches_the_window_while_the_export_runs(qtbot, window, tmp_path, monkeypatch):
    monkeypatch.setattr(history_export, "PROGRESS_EVERY", 25)
    seen = []
    window.export.progressed.connect(seen.append)
    said = export(qtbot, window, tmp_path / "orders.csv")
    assert said.startswith(f"Exported {ORDERS} orders")
    qtbot.waitUntil(lambda: seen == [25, 50])


@pytest.mark.parametrize("typed, existing", [("orders", False), ("orders.csv", True)])
def test_the_save_dialog_adds_csv_and_leaves_an_existing_file_to_the_export(qtbot, window, tmp_path, typed, existing):
    if existing:
        (tmp_path / typed).write_text("keep me")  # no "replace it?" question: the export refuses it instead

    def answer():
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, QFileDialog)
        dialog.selectFile(str(tmp_path / typed))
        dialog.accept()

    QTimer.singleShot(0, answer)
    assert history_export.ask_for_file(window.history) == str(tmp_path / "orders.csv")
