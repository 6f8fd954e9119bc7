"""The main window: status bar, screen switching, start-up problems, the packaged-app smoke run."""

import os
import subprocess
import sys

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from posapp import app, config
from posapp.access.roles import Role, SignedIn
from posapp.ui.main_window import MainWindow


def test_status_bar_names_the_till_and_its_backends(qtbot, window):
    assert window.status.workstation_label.text().startswith("Workstation: ")
    qtbot.waitUntil(lambda: "all answering" in window.status.backends_label.text())
    assert window.status.backends_label.text() == "Cards: local vault · Orders: SQLite · all answering"
    assert window.windowTitle().startswith("posapp — ")


def test_f2_and_f3_switch_screens(qtbot, window):
    QTest.keyClick(window, Qt.Key.Key_F3)
    assert window.tabs.currentWidget() is window.history
    QTest.keyClick(window, Qt.Key.Key_F2)
    assert window.tabs.currentWidget() is window.checkout


def test_a_database_that_is_down_at_start_up_shows_what_to_do(qtbot, posapp_home, tmp_path, runner):
    from awstest import free_port

    path = tmp_path / "posapp.toml"
    path.write_text(f'[workstation]\nid = "till-09"\n[orders]\nurl = "mysql+pymysql://pos@127.0.0.1:{free_port()}/pos"\n')
    window = MainWindow(app.build(config.load(path)), runner)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: any(box.isVisible() for box in window.findChildren(QMessageBox)), timeout=20_000)
    [box] = window.findChildren(QMessageBox)
    assert box.text() == "posapp cannot use its order history."
    assert box.informativeText().startswith("The order database is not answering. Sales are not possible until it "
                                            "is back; call your administrator.")
    assert "posapp doctor" in box.informativeText()
    shown = box.informativeText() + window.status.backends_label.text() + window.status.backends_label.toolTip()
    assert "127.0.0.1" not in shown and "mysql+" not in shown and "Traceback" not in shown
    assert window.status.backends_label.text().endswith("PROBLEM: order history")
    box.close()
    # An administrator, once signed in, finds the detail under Details…; nobody else sees the button.
    assert not window.status.details_button.isVisibleTo(window)
    window.status.signed_in(SignedIn("admin-1", "Admin One", Role.ADMIN))
    assert window.status.details_button.isVisibleTo(window)
    window.status.show_details()
    details = [box for box in window.findChildren(QMessageBox) if box.isVisible()][-1]
    assert "mysql+pymysql://pos@127.0.0.1" in details.detailedText()
    details.close()
    window.status.signed_in(SignedIn("cashier-1", "Cashier One", Role.CASHIER))
    assert not window.status.details_button.isVisibleTo(window)


def test_smoke_flag_builds_the_window_and_exits_0(posapp):
    result = posapp("gui", "--smoke", env={"QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_settings_file_stops_the_smoke_run_with_one_line(posapp, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[vault]\nbackend = 3\n")
    result = posapp("--config", str(bad), "gui", "--smoke", env={"QT_QPA_PLATFORM": "offscreen"})
    assert (result.returncode, result.stderr) == (2, f"posapp: {bad}: [vault] backend: must be one of 'local', "
                                                     "'dynamodb', not a whole number\n")


def test_about_names_the_version_from_the_package_metadata(qtbot, window):
    from importlib.metadata import version

    [help_menu] = [action.menu() for action in window.menuBar().actions() if action.text() == "&Help"]
    help_menu.actions()[0].trigger()
    [box] = [box for box in window.findChildren(QMessageBox) if box.isVisible()]
    assert box.text() == f"posapp {version('posapp')}"
    assert "Workstation: " in box.informativeText()
    box.close()


@pytest.mark.parametrize("args", [(), ("gui",), ("--config", "{bad}")])
def test_without_a_screen_posapp_says_so_in_one_line_before_qt_starts(posapp_home, tmp_path, args):
    bad = tmp_path / "bad.toml"
    bad.write_text("[vault]\nbackend = 3\n")
    env = {key: value for key, value in os.environ.items()
           if key not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM") and not key.startswith("POSAPP_")}
    env.update(POSAPP_HOME=str(posapp_home), PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    done = subprocess.run([sys.executable, "-m", "posapp", *(arg.format(bad=bad) for arg in args)],
                          capture_output=True, text=True, env=env, timeout=60)
    no_display = ("posapp: no display found (neither DISPLAY nor WAYLAND_DISPLAY is set): start posapp in a "
                  "desktop session, or on a machine without a screen as 'xvfb-run .venv/bin/posapp'\n")
    if args and args[0] == "--config":  # the settings are read first; their problem is the one line
        assert (done.returncode, done.stderr) == (2, f"posapp: {bad}: [vault] backend: must be one of 'local', "
                                                     "'dynamodb', not a whole number\n")
    else:
        assert (done.returncode, done.stderr) == (3, no_display)


@pytest.mark.parametrize("login, names_backends", [("cashier-1", False), ("backoffice-1", False), ("admin-1", True)])
def test_the_about_box_names_where_orders_go_to_administrators_only(qtbot, signed_out_window, services, login,
                                                                     names_backends):
    from guihelpers import sign_in

    sign_in(qtbot, signed_out_window, services, login)
    signed_out_window.show_about()
    [box] = [box for box in signed_out_window.findChildren(QMessageBox) if box.isVisible()]
    assert services.workstation in box.informativeText()
    assert ("orders:" in box.informativeText()) is names_backends  # the database's address, for who sets it up
    box.reject()


def test_who_is_signed_in_stays_shown_while_the_status_bar_says_something(qtbot, window):
    window.status.say("Payments: no order was left pending.")
    assert window.statusBar().currentMessage()
    assert window.status.operator_label.isVisible() and "Cashier One" in window.status.operator_label.text()
