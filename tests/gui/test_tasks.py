"""The task runner: results reach only live owners, and Qt objects are never freed off the GUI thread."""

import gc
import threading

import shiboken6
from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QLineEdit

from posapp.ui.tasks import MAX_THREADS


def test_no_garbage_is_collected_on_a_worker_while_a_task_runs(qtbot, runner):
    # A timer in a reference cycle: only the cyclic collector frees it. Freed on a worker,
    # Qt stops it from the wrong thread; a window freed there crashes the process.
    timer = QTimer()
    timer.start(60_000)
    timer.cycle = timer
    del timer
    collections = []

    def note(phase, _info):
        if phase == "start":
            collections.append(threading.current_thread() is threading.main_thread())

    def allocate_cycles():
        for _ in range(50_000):  # far past every collection threshold
            node = []
            node.append(node)
        return "done"

    results = []
    gc.callbacks.append(note)
    try:
        runner.run(allocate_cycles, results.append, owner=runner)
        qtbot.waitUntil(lambda: results == ["done"], timeout=15_000)
        qtbot.waitUntil(gc.isenabled)  # automatic collection is back once no task runs
        qtbot.keyClicks(QLineEdit(), "the GUI thread goes on working")  # and allocates
    finally:
        gc.callbacks.remove(note)
    assert collections and all(collections)  # the garbage was collected, on the GUI thread only


def test_a_task_whose_owner_is_deleted_before_it_starts_never_runs(qtbot, runner):
    release = threading.Event()
    started = []
    owner, done, ran = QObject(), [], []
    for _ in range(MAX_THREADS):  # every worker busy
        runner.run(lambda: (started.append(1), release.wait(30)), done.append, owner=runner)
    qtbot.waitUntil(lambda: len(started) == MAX_THREADS)
    runner.run(lambda: ran.append(1), done.append, owner=owner)
    owner.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(owner))
    release.set()
    assert runner.wait(15_000)
    qtbot.waitUntil(lambda: len(done) == MAX_THREADS)
    qtbot.wait(50)
    assert ran == [] and len(done) == MAX_THREADS


def test_a_result_for_a_deleted_owner_is_dropped(qtbot, runner):
    release = threading.Event()
    owner, delivered, failures = QObject(), [], []
    runner.failed.connect(failures.append)
    runner.run(lambda: release.wait(30), delivered.append, owner=owner)
    owner.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(owner))
    release.set()
    assert runner.wait(15_000)
    qtbot.wait(50)
    assert delivered == [] and failures == []
