"""Who may use the window: sign-in, the first administrator, sign-out, and what each role sees."""

import sqlalchemy as sa
from guihelpers import NAMES, add_operator, sign_in, type_sign_in
from kit import ADMIN, sell
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from posapp.orders.journal import JournalFilter
from posapp.orders.sql import order_history


def journal(services, action):
    """The journal entries of ``action``, oldest first."""
    return services.orders.journal.page(JournalFilter(action=action))


def test_a_cashier_signs_in_with_login_pin_and_enter(qtbot, signed_out_window, services):
    window = signed_out_window
    assert window.screens.currentWidget() is window.sign_in
    assert window.sign_in.secret.echoMode() == window.sign_in.secret.EchoMode.Password
    sign_in(qtbot, window, services, "cashier-1")
    assert window.screens.currentWidget() is window.tabs
    assert window.tabs.currentWidget() is window.checkout
    assert window.status.operator_label.text() == "Signed in: Cashier One (cashier)"
    assert window.sign_in.secret.text() == ""
    assert [(entry.operator, entry.outcome) for entry in journal(services, "sign-in")] == [("cashier-1", "ok")]


def test_a_wrong_secret_or_a_disabled_operator_is_refused_in_one_sentence(qtbot, signed_out_window, services):
    window = signed_out_window
    add_operator(services, "cashier-1")
    type_sign_in(qtbot, window, "cashier-1", "905162")
    qtbot.waitUntil(lambda: "refused" in window.sign_in.message.text(), timeout=10_000)
    assert window.sign_in.message.text() == "sign-in refused: wrong login or secret"
    assert window.operator is None and window.screens.currentWidget() is window.sign_in
    assert window.sign_in.secret.text() == ""
    services.operators.disable(ADMIN, "cashier-1")
    type_sign_in(qtbot, window, "cashier-1")
    qtbot.waitUntil(lambda: "disabled" in window.sign_in.message.text(), timeout=10_000)
    assert window.sign_in.message.text() == "operator cashier-1 is disabled: ask an administrator"
    assert window.operator is None


def test_an_empty_install_creates_its_first_administrator_then_signs_in(qtbot, signed_out_window, services):
    screen = signed_out_window.sign_in
    qtbot.waitUntil(lambda: screen.creating_first_admin)
    assert screen.heading.text() == "Create the first administrator"
    screen.admin_login.setText("admin-1")
    screen.admin_name.setText("Ada Admin")
    qtbot.keyClicks(screen.admin_password, "first-admin-2026")
    qtbot.keyClicks(screen.admin_repeat, "first-admin-2027")
    QTest.keyClick(screen.admin_repeat, Qt.Key.Key_Return)
    assert screen.message.text() == "The two passwords differ: type the password twice, the same."
    assert screen.admin_password.text() == screen.admin_repeat.text() == ""
    qtbot.keyClicks(screen.admin_password, "short1")
    qtbot.keyClicks(screen.admin_repeat, "short1")
    QTest.keyClick(screen.admin_repeat, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "has at least 12 characters" in screen.message.text(), timeout=10_000)
    assert not services.operators.exist()
    qtbot.keyClicks(screen.admin_password, "first-admin-2026")
    qtbot.keyClicks(screen.admin_repeat, "first-admin-2026")
    QTest.keyClick(screen.admin_repeat, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: signed_out_window.operator is not None, timeout=10_000)
    assert signed_out_window.status.operator_label.text() == "Signed in: Ada Admin (admin)"
    assert [(entry.target, entry.outcome) for entry in journal(services, "operator-add")] == [("admin-1", "ok")]


def test_ctrl_l_signs_out_and_discards_the_sale(qtbot, window, services):
    qtbot.keyClicks(window.checkout.name, "Table 4")
    qtbot.keyClicks(window.checkout.amount, "20.00")
    window.activateWindow()
    QTest.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.screens.currentWidget() is window.sign_in
    assert window.sign_in.heading.text() == "Sign in"
    assert window.operator is None and window.status.operator_label.text() == "Nobody signed in"
    assert (window.checkout.name.text(), window.checkout.amount.text()) == ("", "")
    qtbot.waitUntil(lambda: len(journal(services, "sign-out")) == 1)
    [sign_out] = journal(services, "sign-out")
    assert sign_out.operator == "cashier-1"
    # The session's last entry is anchored beside the audit key: deleting it would be caught.
    qtbot.waitUntil(lambda: services.vault.anchors()[sign_out.workstation].seq == sign_out.seq)
    QTest.keyClick(window, Qt.Key.Key_F2)  # no screen to switch to while nobody is signed in
    assert window.screens.currentWidget() is window.sign_in


def test_the_back_office_has_no_checkout_and_sees_every_till(qtbot, signed_out_window, services):
    window = signed_out_window
    sign_in(qtbot, window, services, "backoffice-1")
    assert not window.tabs.isTabVisible(window.tabs.indexOf(window.checkout))
    assert window.tabs.currentWidget() is window.history
    assert window.history.search.hasFocus()  # the first key types a search
    assert window.history.workstation.isEnabled() and window.history.current_filter().workstation is None
    assert window.status.operator_label.text() == f"Signed in: {NAMES['backoffice-1']} (backoffice)"


def test_a_cashier_sees_the_orders_of_this_till_only(qtbot, window, services):
    sell(services, "Here")
    engine = sa.create_engine(services.orders.url)
    with engine.begin() as connection:  # a sale of another till sharing the order history
        connection.execute(order_history.insert(), [{"OrderName": "Elsewhere", "AWS_PA_Token": "other-till-1",
                                                     "workstation": "till-99", "status": "recorded"}])
    engine.dispose()
    QTest.keyClick(window, Qt.Key.Key_F3)
    history = window.history
    qtbot.waitUntil(lambda: history.model.rowCount() == 1 and not history.model.loading)
    assert history.model.order_at(0).name == "Here"
    assert (history.workstation.text(), history.workstation.isEnabled()) == (services.workstation, False)
    assert history.details.void.text() == "Void (supervisor)…"


def test_another_role_after_sign_out_sees_only_what_it_may(qtbot, window, services):
    window.sign_out()
    sign_in(qtbot, window, services, "backoffice-1")
    assert window.tabs.currentWidget() is window.history
    window.sign_out()
    type_sign_in(qtbot, window, "cashier-1")
    qtbot.waitUntil(lambda: window.operator is not None, timeout=10_000)
    assert window.tabs.isTabVisible(window.tabs.indexOf(window.checkout))
    assert window.tabs.currentWidget() is window.checkout
    assert not window.history.workstation.isEnabled()
