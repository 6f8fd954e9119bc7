"""posapp's entry point: ``posapp`` opens the window, ``posapp COMMAND`` runs a command.

The only module that knows both front ends: the command line parses and handles errors,
and is handed the window to open; Qt is imported only when the window opens.
"""

from __future__ import annotations

import sys
from pathlib import Path

from posapp.cli.boundary import main as command_line
from posapp.config import Settings


class _QtWindow:
    def open(self, settings: Settings, *, smoke: bool, explicit: Path | None) -> int:
        from posapp.ui.application import run

        return run(settings, smoke=smoke, explicit=explicit)

    def show_startup_error(self, message: str) -> None:
        from posapp.ui.application import show_startup_error

        show_startup_error(message)


def main(argv: list[str] | None = None) -> int:
    """``posapp`` with ``argv`` (``sys.argv[1:]`` when None); returns the exit code."""
    return command_line(argv, window=_QtWindow())


if __name__ == "__main__":
    sys.exit(main())
