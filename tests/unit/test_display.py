"""The window needs a screen: without one posapp says so in one line before Qt starts."""

import pytest

from posapp.ui.display import NoDisplay, check_display


@pytest.mark.parametrize("env", [
    {"DISPLAY": ":0"}, {"WAYLAND_DISPLAY": "wayland-0"}, {"QT_QPA_PLATFORM": "offscreen"},
    {"QT_QPA_PLATFORM": "vnc:size=800x600"}, {"QT_QPA_PLATFORM": "xcb", "DISPLAY": ":99"},
    {"QT_QPA_PLATFORM": "wayland;xcb", "DISPLAY": ":1"}, {"QT_QPA_PLATFORM": "eglfs"},
])
def test_a_screen_or_a_platform_that_needs_none_lets_the_window_start(env):
    check_display(env, "linux")


@pytest.mark.parametrize("env", [
    {}, {"DISPLAY": ""}, {"QT_QPA_PLATFORM": "xcb", "WAYLAND_DISPLAY": "wayland-0"},
    {"QT_QPA_PLATFORM": "wayland", "DISPLAY": ":0"}, {"QT_QPA_PLATFORM": "wayland;xcb"},
])
def test_no_screen_is_named_with_what_to_do(env):
    with pytest.raises(NoDisplay) as refused:
        check_display(env, "linux")
    assert str(refused.value) == ("no display found (neither DISPLAY nor WAYLAND_DISPLAY is set): start posapp in a "
                                  "desktop session, or on a machine without a screen as 'xvfb-run .venv/bin/posapp'")


@pytest.mark.parametrize("platform", ["win32", "darwin"])
def test_windows_and_macos_always_have_their_screen(platform):
    check_display({}, platform)
