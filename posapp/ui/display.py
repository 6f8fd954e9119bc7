"""Is there a screen to open the window on? Asked before Qt is started, because Qt aborts
the whole process without one, with a message about a missing library ("xcb-cursor0 is
needed") that sends people the wrong way. Imports no Qt."""

from __future__ import annotations

import sys
from collections.abc import Mapping

from posapp.errors import Unavailable

# Qt platform plugins that talk to a display server, and the variable that names it.
_SERVER_VARIABLES = {"xcb": "DISPLAY", "wayland": "WAYLAND_DISPLAY", "wayland-egl": "WAYLAND_DISPLAY"}


class NoDisplay(Unavailable):
    """No screen to show the window on."""


def check_display(env: Mapping[str, str], platform: str = sys.platform) -> None:
    """Raise NoDisplay unless Qt will find a screen (or was told to need none)."""
    if platform in ("win32", "darwin"):
        return
    chosen = env.get("QT_QPA_PLATFORM", "").strip()
    # "wayland;xcb" is a list to try in order; "vnc:size=800x600" carries options.
    plugins = [entry.split(":", 1)[0].strip() for entry in chosen.split(";") if entry.strip()] or ["xcb", "wayland"]
    for plugin in plugins:
        variable = _SERVER_VARIABLES.get(plugin)
        if variable is None or env.get(variable):
            return  # offscreen, vnc, eglfs...: the person who chose it knows; or its server is named
    raise NoDisplay("no display found (neither DISPLAY nor WAYLAND_DISPLAY is set): start posapp in a desktop "
                    "session, or on a machine without a screen as 'xvfb-run .venv/bin/posapp'")


if __name__ == "__main__":  # 'make run' asks first, before minutes of setup (no dependency needed)
    import os

    from posapp.ui.messages import sentence

    try:
        check_display(os.environ)
    except NoDisplay as error:
        print(f"posapp: {sentence(error)}", file=sys.stderr)
        sys.exit(error.exit_code)
