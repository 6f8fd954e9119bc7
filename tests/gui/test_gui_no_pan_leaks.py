"""Sales at the checkout screen, then a look for the card numbers in everything the window wrote:
the data folder (vault and order SQLite files), the log folder, the settings folder, the
desktop's config, cache, data and state folders (where Qt or a library would keep settings),
and everything logged at any level. Each number in any form (tests/leakscan.py); and the PINs and
passwords typed at the sign-in screen and for a supervisor's approval, as text in any encoding
or base64. Sales charged through a processor (localstripe) add the CVC: looked for as a token
on its own (3 digits turn up inside longer numbers) there, in the database rows, and in every
text the window still shows."""

import re

import pytest
from cardgen import random_pan
from guihelpers import ADMIN_PASSWORD, PASSWORD, PIN, add_operator, reader_types, type_sign_in
from kit import stored_orders
from leakscan import files_under, find_leaks, sqlite_rows
from posapp.payments import ProcessorOutcomeUnknown
from posapp.ui.override import SupervisorDialog
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit

XDG = ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_RUNTIME_DIR")


@pytest.fixture
def desktop_folders(tmp_path, monkeypatch):
    """The desktop's per-user folders, private to this test (before the window exists)."""
    folders = []
    for name in XDG:
        folder = tmp_path / "desktop" / name.lower()
        folder.mkdir(parents=True, mode=0o700)
        monkeypatch.setenv(name, str(folder))
        folders.append(folder)
    return folders


def test_sales_at_the_checkout_screen_leave_no_card_number(desktop_folders, posapp_log, qtbot, window, services,
                                                           posapp_home, key_clock, caplog):
    caplog.set_level("DEBUG")
    view = window.checkout
    typed, swiped = random_pan("4", 16), random_pan("51", 16)
    mistyped = random_pan("4", 16)
    mistyped = mistyped[:-1] + str((int(mistyped[-1]) + 1) % 10)

    qtbot.keyClicks(view.name, "Coffee")
    qtbot.keyClicks(view.amount, "3.50")
    qtbot.keyClicks(view.card, typed)
    qtbot.keyClicks(view.expiry, "12/30")
    QTest.keyClick(view.expiry, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "recorded" in view.result.text(), timeout=15_000)

    qtbot.keyClicks(view.name, "Lunch")
    qtbot.keyClicks(view.amount, "12.00")
    reader_types(qtbot, view.name, key_clock,
                 f"%B{swiped}^DOE/JANE^30121010000000000000?;{swiped}=301210100000000000?")
    qtbot.waitUntil(lambda: "Card swiped" in view.card_message.text())
    view.submit()
    qtbot.waitUntil(lambda: f"MASTERCARD •••• {swiped[-4:]}" in view.result.text() and "recorded" in view.result.text(),
                    timeout=15_000)

    qtbot.keyClicks(view.name, "Tea")
    qtbot.keyClicks(view.amount, "2.00")
    qtbot.keyClicks(view.card, mistyped)  # refused at the screen: never sent anywhere
    QTest.keyClick(view.card, Qt.Key.Key_Return)
    assert view.result.text() == "The card number has a typo"

    assert [order.card_masked[-4:] for order in stored_orders(services)] == [swiped[-4:], typed[-4:]]
    written = {path.name for path in files_under(posapp_home)}
    assert {"posapp.log", "vault.db", "orders.db"} <= written  # the scan reads what was really written
    assert f"recorded: 3.50 USD, VISA •••• {typed[-4:]}" in posapp_log.read_text(encoding="utf-8")
    assert find_leaks([typed, swiped, mistyped], [posapp_home, *desktop_folders], caplog.text) == []


def test_secrets_typed_into_the_window_are_written_nowhere(desktop_folders, posapp_log, qtbot, window, services,
                                                            posapp_home, caplog):
    caplog.set_level("DEBUG")
    wrong_pin, wrong_password = "593017", "not-the-pass-2026"
    view = window.checkout
    qtbot.keyClicks(view.name, "Coffee")
    qtbot.keyClicks(view.amount, "3.50")
    qtbot.keyClicks(view.card, random_pan("4", 16))
    QTest.keyClick(view.card, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "recorded" in view.result.text(), timeout=15_000)

    add_operator(services, "supervisor-1")
    window.tabs.setCurrentWidget(window.history)
    window.history_model.refresh()
    qtbot.waitUntil(lambda: window.history_model.rowCount() == 1 and not window.history_model.loading)
    window.history.table.selectRow(0)
    window.history.details.void.click()
    [dialog] = window.findChildren(SupervisorDialog)
    dialog.login.setText("supervisor-1")
    for secret in (wrong_password, PASSWORD):  # refused, then approved
        qtbot.keyClicks(dialog.secret, secret)
        dialog.approve()
        qtbot.waitUntil(lambda: not dialog._busy, timeout=10_000)
    qtbot.waitUntil(lambda: window.history_model.rowCount() == 1 and window.history_model.order_at(0).status == "voided",
                    timeout=10_000)

    window.sign_out()
    type_sign_in(qtbot, window, "cashier-1", wrong_pin)
    qtbot.waitUntil(lambda: "refused" in window.sign_in.message.text(), timeout=10_000)
    type_sign_in(qtbot, window, "cashier-1")
    qtbot.waitUntil(lambda: window.operator is not None, timeout=10_000)

    assert {"posapp.log", "vault.db", "orders.db"} <= {path.name for path in files_under(posapp_home)}
    typed = [PIN, wrong_pin, PASSWORD, wrong_password, ADMIN_PASSWORD]
    assert find_leaks([], [posapp_home, *desktop_folders], caplog.text, secrets=typed) == []


CVC = "739"
DECLINING = "4000000000000341"  # localstripe declines this one on confirm


def cvc_tokens(text):
    """Each place the CVC stands on its own (not inside a longer run of letters or digits)."""
    return re.findall(rf"(?<![0-9A-Za-z]){CVC}(?![0-9A-Za-z])", text)


def shown_texts(window):
    """Every text the window's fields, labels and buttons hold now, typed or shown."""
    texts = [field.text() for field in window.findChildren(QLineEdit)]
    texts += [field.displayText() for field in window.findChildren(QLineEdit)]
    texts += [label.text() for label in window.findChildren(QLabel)]
    return texts + [button.text() for button in window.findChildren(QAbstractButton)]


def test_charged_sales_leave_no_card_number_and_no_cvc(desktop_folders, posapp_log, qtbot, charging_window,
                                                       charging_services, posapp_home, localstripe, monkeypatch,
                                                       caplog):
    caplog.set_level("DEBUG")
    view = charging_window.checkout
    paid, lost = random_pan("4", 16), random_pan("4", 16)

    def sell(number, result):
        qtbot.keyClicks(view.name, "Coffee")
        qtbot.keyClicks(view.amount, "3.50")
        qtbot.keyClicks(view.card, number)
        qtbot.keyClicks(view.expiry, "12/30")
        qtbot.keyClicks(view.cvc, CVC)
        QTest.keyClick(view.cvc, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: result in view.result.text(), timeout=20_000)
        view.discard_sale()

    sell(paid, "paid")
    sell(DECLINING, "Declined")
    processor = charging_services.processor
    real_authorize = processor.authorize

    def answer_lost(**sale):
        real_authorize(**sale)
        raise ProcessorOutcomeUnknown("the card processor's answer was lost: read timed out")

    monkeypatch.setattr(processor, "authorize", answer_lost)
    sell(lost, "Not confirmed")

    statuses = sorted(order.status.value for order in stored_orders(charging_services))
    assert statuses == ["declined", "paid", "pending"] and len(localstripe.payment_intents()) == 3
    data = posapp_home / "data"
    rows = {**sqlite_rows(data / "orders.db"), **sqlite_rows(data / "vault.db")}
    shown = "\n".join(shown_texts(charging_window))
    logged = "\n".join(record.getMessage() for record in caplog.records)
    kept = "\n".join(blob.decode("utf-8", "replace") for blob in rows.values())
    written = "\n".join(path.read_text("utf-8", "replace") for path in files_under(posapp_home, *desktop_folders)
                        if path.suffix in (".log", ".toml", ".conf", ".ini", ".json"))
    assert find_leaks([paid, lost], [posapp_home, *desktop_folders], logged + shown, rows) == []
    # The declining test card is a "4" and eleven zeros: the digits of a database file's binary
    # pages hold that by chance, so it is looked for in every text and every row instead.
    assert find_leaks([DECLINING], [], logged + shown + written, rows) == []
    assert "posapp.log" in {path.name for path in files_under(posapp_home)}
    assert cvc_tokens(logged + shown + kept + written) == []
