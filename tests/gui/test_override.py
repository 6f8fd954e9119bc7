"""Voids from the order history: a supervisor's own, and a cashier's with a supervisor's approval
(a manager override) that is good for that one void and journalled with both names."""

from guihelpers import PASSWORD, add_operator, sign_in
from kit import sell

from posapp.orders.journal import JournalFilter
from posapp.ui.override import SupervisorDialog


def select_newest_order(qtbot, window):
    window.tabs.setCurrentWidget(window.history)
    window.history_model.refresh()
    qtbot.waitUntil(lambda: window.history_model.rowCount() > 0 and not window.history_model.loading)
    window.history.table.selectRow(0)
    return window.history.details


def voids(services):
    return services.orders.journal.page(JournalFilter(action="void"))


def open_override(qtbot, window):
    details = select_newest_order(qtbot, window)
    assert (details.void.text(), details.void.isEnabled()) == ("Void (supervisor)…", True)
    details.void.click()
    [dialog] = [dialog for dialog in window.findChildren(SupervisorDialog) if dialog.isVisible()]
    return dialog


def test_a_supervisor_approves_a_cashiers_void_and_the_journal_names_both(qtbot, window, services):
    order = sell(services, "Dinner")
    add_operator(services, "supervisor-1")
    dialog = open_override(qtbot, window)
    dialog.login.setText("supervisor-1")
    qtbot.keyClicks(dialog.secret, PASSWORD)
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        dialog.approve()
    qtbot.waitUntil(lambda: not window.history_model.loading and window.history_model.rowCount() == 1)
    assert window.history_model.order_at(0).status == "voided"
    window.history.table.selectRow(0)
    assert window.history.details._fields["status"].text() == "Voided"
    assert not window.history.details.void.isEnabled()
    [entry] = voids(services)
    assert (entry.operator, entry.target, entry.details_dict()) == ("cashier-1", str(order.id),
                                                                    {"approved_by": "supervisor-1"})
    assert select_newest_order(qtbot, window).void.text() == "Void (supervisor)…"  # the approval was for one void


def test_a_wrong_supervisor_secret_voids_nothing(qtbot, window, services):
    sell(services, "Dinner")
    add_operator(services, "supervisor-1")
    dialog = open_override(qtbot, window)
    dialog.login.setText("supervisor-1")
    qtbot.keyClicks(dialog.secret, "wrong-pass-2026")
    dialog.approve()
    qtbot.waitUntil(lambda: "refused" in dialog.message.text(), timeout=10_000)
    assert dialog.message.text() == "the supervisor's approval was refused: sign-in refused: wrong login or secret"
    assert dialog.isVisible() and dialog.secret.text() == ""
    assert voids(services) == []
    assert [order.status for order in services.orders.page(before=None, limit=10).orders] == ["recorded"]
    dialog.reject()


def test_a_cashier_cannot_approve_another_cashiers_void(qtbot, window, services):
    sell(services, "Dinner")
    add_operator(services, "cashier-2")
    dialog = open_override(qtbot, window)
    dialog.login.setText("cashier-2")
    qtbot.keyClicks(dialog.secret, "480713")
    dialog.approve()
    qtbot.waitUntil(lambda: "may not approve" in dialog.message.text(), timeout=10_000)
    assert voids(services) == []
    dialog.reject()


def test_a_supervisor_voids_without_a_dialog(qtbot, signed_out_window, services):
    sell(services, "Dinner")
    sign_in(qtbot, signed_out_window, services, "supervisor-1")
    details = select_newest_order(qtbot, signed_out_window)
    assert details.void.text() == "Void"
    details.void.click()
    qtbot.waitUntil(lambda: len(voids(services)) == 1, timeout=10_000)
    assert not signed_out_window.findChildren(SupervisorDialog)
    assert (voids(services)[0].operator, voids(services)[0].details_dict()) == ("supervisor-1", {})
    qtbot.waitUntil(lambda: "voided" in signed_out_window.statusBar().currentMessage())
