"""Sales at the checkout screen, then a look for the card numbers in everything the window wrote:
the data folder (vault and order SQLite files), the log folder, the settings folder, the
desktop's config, cache, data and state folders (where Qt or a library would keep settings),
and everything logged at any level. Each number in any form (tests/leakscan.py); and the PINs and
passwords typed at the sign-in screen and for a supervisor's approval, as text in any encoding
or base64."""


import pytest
from cardgen import random_pan
from guihelpers import ADMIN_PASSWORD, PASSWORD, PIN, add_operator, reader_types, type_sign_in
from kit import stored_orders
from leakscan import files_under, find_leaks
from posapp.ui.override import SupervisorDialog
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

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
    assert view.result.text() == "card refused: the card number is mistyped (checksum failed)"

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
