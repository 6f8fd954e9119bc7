"""GUI fixtures: a task runner, the key clock and the window over real local-mode services
(``services``, from tests/conftest.py), signed out or signed in as a cashier."""

import pytest
from guihelpers import KeyClock, sign_in

from posapp.ui import look
from posapp.ui.main_window import MainWindow
from posapp.ui.tasks import TaskRunner


@pytest.fixture(autouse=True, scope="session")
def posapp_look(qapp):
    """The palette and style sheet the application has (``posapp.ui.application``), so that tests see
    the sizes, colours and focus ring a cashier sees."""
    look.apply(qapp)


@pytest.fixture
def runner(qtbot):
    runner = TaskRunner()
    yield runner
    runner.wait(10_000)


@pytest.fixture
def key_clock():
    return KeyClock()


@pytest.fixture
def signed_out_window(qtbot, services, runner, key_clock):
    """The window at its sign-in screen."""
    window = MainWindow(services, runner, dialogs=False, key_clock=key_clock)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window
    runner.wait(10_000)
    qtbot.wait(10)  # deliver the results of finished work while the window still exists


@pytest.fixture
def window(qtbot, services, signed_out_window):
    """The window, signed in as a cashier (cashier-1)."""
    sign_in(qtbot, signed_out_window, services)
    return signed_out_window


@pytest.fixture
def capture_method():
    """How ``charging_services`` captures: at once ("automatic") or later ("manual": authorized orders)."""
    return "automatic"


@pytest.fixture
def charging_services(posapp_home, localstripe, monkeypatch, capture_method):
    """A till's local-mode services whose sales are charged through localstripe (emptied for this test)."""
    from localstripetest import API_KEY

    from posapp import app, config

    localstripe.reset()
    posapp_home.mkdir(parents=True, exist_ok=True)
    settings = posapp_home / "posapp.toml"
    settings.write_text(f'[payments]\nprocessor = "stripe"\napi_base = "{localstripe.url}"\n'
                        f'capture = "{capture_method}"\n')
    settings.chmod(0o600)
    monkeypatch.setenv("POSAPP_STRIPE_KEY", API_KEY)
    services = app.build(config.load())
    yield services
    services.processor.close()


@pytest.fixture
def charging_window(qtbot, charging_services, runner, key_clock):
    """The window of a till whose sales are charged, signed in as a cashier (cashier-1)."""
    window = MainWindow(charging_services, runner, dialogs=False, key_clock=key_clock)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    sign_in(qtbot, window, charging_services)
    yield window
    runner.wait(10_000)
    qtbot.wait(10)
