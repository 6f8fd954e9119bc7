"""Background work for the GUI: every I/O call runs on a thread pool, never on the GUI thread.

In the spirit of Anki's ``aqt/taskman.py``: the caller hands over a callable and two
callbacks; the callable runs on a worker thread and exactly one callback runs on the GUI
thread afterwards. Failures arrive as one sentence (``posapp.errors.describe``), so no
traceback can reach a cashier; unexpected ones are logged (redacted) with their traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal

from posapp.errors import ExitCode, describe

log = logging.getLogger(__name__)

BUSY_AFTER_MS = 150  # quicker work shows no indicator: a flicker would only distract
MAX_THREADS = 4


class _Relay(QObject):
    """Lives on the GUI thread; signals emitted from the worker are queued to it."""

    succeeded = Signal(object)
    failed = Signal(str, object)


class _Job(QRunnable):
    def __init__(self, work: Callable[[], Any], relay: _Relay):
        super().__init__()
        self._work = work
        self._relay = relay

    def run(self) -> None:
        try:
            result = self._work()
        except Exception as error:  # every failure goes back to the GUI thread as one sentence
            message, code = describe(error)
            if code is ExitCode.INTERNAL:
                log.error("background task failed unexpectedly", exc_info=error)
            self._relay.failed.emit(message, error)
        else:
            self._relay.succeeded.emit(result)


class TaskRunner(QObject):
    """Runs callables off the GUI thread and reports back on it."""

    busy_changed = Signal(bool)
    failed = Signal(str)  # failures of tasks started without their own failure callback

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(MAX_THREADS)
        self._running = 0
        self._busy = False
        self._busy_timer = QTimer(self, singleShot=True, interval=BUSY_AFTER_MS)
        self._busy_timer.timeout.connect(lambda: self._set_busy(self._running > 0))

    def run(self, work: Callable[[], Any], on_success: Callable[[Any], None],
            on_failure: Callable[[str, Exception], None] | None = None, *, owner: QObject | None = None) -> None:
        """Run ``work`` on a worker thread; then one callback on the GUI thread, unless
        ``owner`` (the widget or model that asked) has been deleted meanwhile."""
        relay = _Relay(self)
        relay.succeeded.connect(lambda result: self._finish(relay, owner, on_success, result))
        relay.failed.connect(lambda message, error: self._finish(
            relay, owner, on_failure or (lambda text, _error: self.failed.emit(text)), message, error))
        self._running += 1
        if not self._busy_timer.isActive() and not self._busy:
            self._busy_timer.start()
        self._pool.start(_Job(work, relay))

    def _finish(self, relay: _Relay, owner: QObject | None, callback: Callable[..., None], *results: Any) -> None:
        self._running -= 1
        if self._running == 0:
            self._busy_timer.stop()
            self._set_busy(False)
        relay.deleteLater()
        if owner is None or shiboken6.isValid(owner):
            callback(*results)

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.busy_changed.emit(busy)

    def wait(self, msecs: int = -1) -> bool:
        """Wait for running work (on shutdown and in tests)."""
        return self._pool.waitForDone(msecs)
