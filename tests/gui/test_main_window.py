"""The main window builds and says where this till keeps cards, without touching storage."""

from posapp import config
from posapp.ui.main_window import MainWindow


def test_main_window_shows_workstation_and_backends(qtbot, posapp_home, tmp_path):
    path = tmp_path / "posapp.toml"
    path.write_text('[workstation]\nid = "till-09"\n')
    window = MainWindow(config.load(path))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.windowTitle() == "posapp"
    assert window.workstation_label.text() == "Workstation: till-09"
    assert window.backends_label.text() == "Cards: local vault"
    assert not posapp_home.exists()  # building the window did no I/O


def test_smoke_flag_builds_the_window_and_exits_0(posapp):
    result = posapp("gui", "--smoke", env={"QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 0, result.stderr
