"""A till whose order database stops answering: the cashier reads what it means and what to do, never
the database's address or an error number; an administrator finds the detail under Details…."""

import re

import pytest
from awstest import free_port
from cardgen import random_pan
from guihelpers import type_sign_in
from PySide6.QtWidgets import QMessageBox

from posapp import app, config
from posapp.access.roles import Role, SignedIn
from posapp.ui.main_window import MainWindow

SENTENCE = "The order database is not answering. Sales are not possible until it is back; call your administrator."
TECHNICAL = re.compile(r"127\.0\.0\.1|mysql\+|pymysql|:\d{4,5}|errno|\[Errno|Connection refused|Traceback", re.I)


@pytest.fixture
def dead_database_window(qtbot, posapp_home, tmp_path, runner, key_clock, monkeypatch):
    """The window of a till whose order database (MySQL) is at an address nothing answers."""
    monkeypatch.setenv("POSAPP_ORDERS_PASSWORD", "till-db-pass")
    path = tmp_path / "posapp.toml"
    path.write_text(f'[workstation]\nid = "till-09"\n[orders]\n'
                    f'url = "mysql+pymysql://pos@127.0.0.1:{free_port()}/pos"\n')
    # Keys typed at a person's pace, whatever this machine's load: never taken for a card reader's.
    window = MainWindow(app.build(config.load(path)), runner, dialogs=False, health_checks=False,
                        key_clock=key_clock)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window
    runner.wait(10_000)
    qtbot.wait(10)


def shown_text(window) -> str:
    """Every text the window shows or says to a screen reader, but the Details box's."""
    from PySide6.QtWidgets import QLabel

    texts = [window.statusBar().currentMessage(), window.statusBar().accessibleDescription()]
    for label in window.findChildren(QLabel):
        texts += [label.text(), label.toolTip(), label.accessibleDescription()]
    return "\n".join(texts)


def test_a_sale_while_the_database_is_down_says_what_to_do_and_no_address(qtbot, dead_database_window):
    window = dead_database_window
    type_sign_in(qtbot, window, "cashier-1", "480713")  # the operators live in that database too
    qtbot.waitUntil(lambda: window.sign_in.message.text() not in ("", "Checking…"), timeout=20_000)
    assert window.sign_in.message.text() == SENTENCE
    assert window.sign_in.message.accessibleDescription() == SENTENCE  # announced

    # A cashier who signed in before the database stopped answering takes a sale.
    window.sign_in.signed_in.emit(SignedIn("cashier-1", "Cashier One", Role.CASHIER))
    view = window.checkout
    qtbot.keyClicks(view.name, "Dinner")
    qtbot.keyClicks(view.amount, "12.50")
    qtbot.keyClicks(view.card, random_pan("4", 16))
    qtbot.keyClicks(view.expiry, "12/30")
    view.submit()
    qtbot.waitUntil(lambda: view.result.text().startswith("Not recorded"), timeout=20_000)
    assert view.result.text() == f"Not recorded: {SENTENCE}"
    assert not TECHNICAL.search(shown_text(window))
    assert not window.status.details_button.isVisibleTo(window)  # a cashier has no Details


def test_an_administrator_finds_the_detail_under_details(qtbot, dead_database_window):
    window = dead_database_window
    window.sign_in.signed_in.emit(SignedIn("admin-1", "Admin One", Role.ADMIN))
    window.checkout.name.setText("Dinner")
    window.checkout.amount.setText("12.50")
    qtbot.keyClicks(window.checkout.card, random_pan("4", 16))
    qtbot.keyClicks(window.checkout.expiry, "12/30")
    window.checkout.submit()
    qtbot.waitUntil(lambda: window.status.details_button.isVisibleTo(window), timeout=20_000)
    assert not TECHNICAL.search(shown_text(window))
    window.status.details_button.click()
    [box] = [box for box in window.findChildren(QMessageBox) if box.isVisible()]
    assert box.text() == SENTENCE
    assert "mysql+pymysql://pos@127.0.0.1:" in box.detailedText() and "Connection refused" in box.detailedText()
    box.close()
