"""Sales at the checkout screen, then a look for the card numbers in everything the window wrote:
the data folder (vault and order SQLite files), the log folder, the settings folder, the
desktop's config, cache, data and state folders (where Qt or a library would keep settings),
and everything logged at any level. Each number in any form (tests/leakscan.py)."""

import pytest
from cardgen import random_pan
from guihelpers import reader_types
from kit import stored_orders
from leakscan import files_under, find_leaks
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
