"""Background work for the GUI: every I/O call runs on a thread pool, never on the GUI thread.

In the spirit of Anki's ``aqt/taskman.py``: the caller hands over a callable and two
callbacks; the callable runs on a worker thread and exactly one callback runs on the GUI
thread afterwards. Failures arrive as one sentence (``posapp.ui.messages.sentence``), so no
traceback can reach a cashier; unexpected ones are logged (redacted) with their traceback.

Every task belongs to an owner (the widget or model that asked). Its result is delivered
through a queued signal to the GUI thread, and only while the owner lives; a task whose
owner is deleted before it starts never runs.

Python's cyclic garbage collector runs on whichever thread allocates when a threshold is
reached. Run on a worker, it can free a Qt object that belongs to the GUI thread (a
window of an earlier screen, a timer) while the GUI thread uses it: a crash far away from
its cause. So while any task runs, automatic collection is off; it resumes on the GUI
thread once the last task is delivered (Anki keeps it off for the same reason).
"""

from __future__ import annotations

import gc
import logging
import threading
import weakref
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, QRunnable, QThreadPool, QTimer, Signal

from posapp.errors import ExitCode, describe
from posapp.ui.messages import detail, sentence

log = logging.getLogger(__name__)

BUSY_AFTER_MS = 150  # quicker work shows no indicator: a flicker would only distract
MAX_THREADS = 4
RESUME_RETRY_MS = 10


class _NoCollectionWhileTasksRun:
    """Turns automatic garbage collection off from the first task started to the moment the
    last one has been delivered and its worker has returned. Used on the GUI thread only."""

    def __init__(self):
        self._tasks = 0
        self._switched_off = False
        self._pools: weakref.WeakSet[QThreadPool] = weakref.WeakSet()

    def task_starts(self, pool: QThreadPool) -> None:
        if self._tasks == 0 and gc.isenabled():
            self._switched_off = True
            gc.disable()
        self._tasks += 1
        self._pools.add(pool)

    def task_delivered(self) -> None:
        self._tasks -= 1
        self._resume()

    def _resume(self) -> None:
        if self._tasks or not self._switched_off:
            return
        if any(shiboken6.isValid(pool) and pool.activeThreadCount() for pool in self._pools):
            # A worker is still returning from its task: switched on now, the collection
            # that is due would run on that worker.
            QTimer.singleShot(RESUME_RETRY_MS, self._resume)
            return
        self._switched_off = False
        gc.enable()


_collection = _NoCollectionWhileTasksRun()  # process-wide, as the collector is


class _Relay(QObject):
    """Lives on the GUI thread; signals emitted from the worker are queued to it."""

    succeeded = Signal(object)
    failed = Signal(str, object)
    skipped = Signal()


class _Job(QRunnable):
    def __init__(self, work: Callable[[], Any], relay: _Relay, owner_gone: threading.Event):
        super().__init__()
        self._work = work
        self._relay = relay
        self._owner_gone = owner_gone

    def run(self) -> None:
        try:
            if self._owner_gone.is_set():
                self._relay.skipped.emit()
                return
            try:
                result = self._work()
            except Exception as error:  # every failure goes back to the GUI thread as one sentence
                if describe(error)[1] is ExitCode.INTERNAL:
                    log.error("background task failed unexpectedly", exc_info=error)
                self._relay.failed.emit(sentence(error), error)
            else:
                self._relay.succeeded.emit(result)
        finally:
            # The work's closure is released on the GUI thread, with its relay (see run).
            self._work = None


class TaskRunner(QObject):
    """Runs callables off the GUI thread and reports back on it."""

    busy_changed = Signal(bool)
    failed = Signal(str)  # failures of tasks started without their own failure callback
    # (the sentence shown, its detail) of every failure whose sentence leaves out a detail (a host,
    # an error number): for the log and an administrator's Details, never for a cashier's screen
    problem = Signal(str, str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(MAX_THREADS)
        self._running = 0
        self._busy = False
        self._busy_timer = QTimer(self, singleShot=True, interval=BUSY_AFTER_MS)
        self._busy_timer.timeout.connect(lambda: self._set_busy(self._running > 0))

    def run(self, work: Callable[[], Any], on_success: Callable[[Any], None],
            on_failure: Callable[[str, Exception], None] | None = None, *, owner: QObject) -> None:
        """Run ``work`` on a worker thread; then one callback on the GUI thread, unless
        ``owner`` (the widget or model that asked) has been deleted meanwhile."""
        owner_gone = threading.Event()
        relay = _Relay(self)
        # The relay keeps what the task holds alive until it is deleted on the GUI thread: a
        # Qt object freed with the last reference to it is freed where that reference dies.
        relay.work, relay.mark_owner_gone = work, owner_gone.set
        owner.destroyed.connect(relay.mark_owner_gone)
        relay.succeeded.connect(lambda result: self._finish(relay, owner, owner_gone, on_success, result))
        relay.failed.connect(lambda message, error: self._finish(
            relay, owner, owner_gone, on_failure or (lambda text, _error: self.failed.emit(text)), message, error,
            problem=True))
        relay.skipped.connect(lambda: self._finish(relay, owner, owner_gone, None))
        self._running += 1
        if not self._busy_timer.isActive() and not self._busy:
            self._busy_timer.start()
        _collection.task_starts(self._pool)
        self._pool.start(_Job(work, relay, owner_gone))

    def _finish(self, relay: _Relay, owner: QObject, owner_gone: threading.Event,
                callback: Callable[..., None] | None, *results: Any, problem: bool = False) -> None:
        if problem:  # its detail is kept even when the owner is gone: it is the log's and an administrator's
            self._tell_problem(*results)
        self._running -= 1
        if self._running == 0:
            self._busy_timer.stop()
            self._set_busy(False)
        relay.deleteLater()
        _collection.task_delivered()
        if owner_gone.is_set() or not shiboken6.isValid(owner):
            return
        owner.destroyed.disconnect(relay.mark_owner_gone)
        if callback is not None:
            callback(*results)

    def _tell_problem(self, message: str, error: Exception) -> None:
        hidden = detail(error)
        if hidden is not None:
            self.problem.emit(message, hidden)

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.busy_changed.emit(busy)

    def wait(self, msecs: int = -1) -> bool:
        """Wait for running work and deliver its results (on shutdown and in tests)."""
        done = self._pool.waitForDone(msecs)
        QCoreApplication.sendPostedEvents(None, QEvent.Type.MetaCall)
        return done
