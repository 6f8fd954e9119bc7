"""Render posapp's screens with a demo till's data to docs/screenshots/ (run: make screenshots).

Run on a virtual screen of the size to show (``xvfb-run -s "-screen 0 1024x768x24"``): every
picture is the whole screen, named after its size (``checkout-1024x768.png``), the window
maximized as on a till: sign-in, checkout, decline, history-filter, detail, reports, first-run;
and ``receipt-preview.png``, the receipt of the checkout's sale as printed (the same at any size).

The demo till (``screenshots_demo``) charges through localstripe, the Stripe emulator the tests
use (a test dependency, never shipped), started by the tests' wrapper (127.0.0.1, state in
memory) and stopped at the end. Its home (settings, vault, keys, orders, logs) is a temporary
folder, removed at the end: the random secrets and demo cards are kept nowhere.

Exits 1, naming each screen that failed and why, if any screen could not be rendered, showed a
card number or came out blank; no picture is left of a screen that failed.
"""

from __future__ import annotations

import sys
import tempfile
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"


def main() -> int:
    sys.path.insert(0, str(ROOT / "tests"))
    import localstripetest
    from screenshots_capture import ScreenFailed, clear_pictures
    from screenshots_demo import open_shop
    from screenshots_screens import render_first_run, render_window

    OUT.mkdir(parents=True, exist_ok=True)
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="posapp-screenshots-") as temp:
        home, work = Path(temp) / "home", Path(temp) / "work"
        home.mkdir()
        work.mkdir()
        process, server = localstripetest.start(work / "localstripe.txt")
        try:
            shop = open_shop(home, server.url, localstripetest.API_KEY)
            from posapp.ui.application import _application  # the window's own: its name, style and palette
            from posapp.ui.tasks import TaskRunner

            _application()
            clear_pictures(OUT)
            runner = TaskRunner()
            for what, render in (("the window", lambda: render_window(shop, runner, OUT, work)),
                                 ("the first-run dialog", lambda: render_first_run(runner, home, OUT))):
                try:
                    render()
                except ScreenFailed as failed:
                    failures.append(str(failed))
                except Exception:  # a bug here or in a screen: the traceback says where
                    traceback.print_exc()
                    failures.append(f"{what}: an error (traceback above)")
            runner.wait()
            shop.services.processor.close()
        finally:
            localstripetest.stop(process)
    for failure in failures:
        print(f"screenshots: FAILED: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
