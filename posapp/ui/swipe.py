"""Magnetic-stripe readers that type like a keyboard ("keyboard wedge"), caught anywhere.

A reader types a whole track in a burst, a few milliseconds per character, starting with a
start sentinel (``%`` for track 1, ``;`` for track 2) and usually ending with Enter. This
filter sees every key press of the application: a sentinel starts a burst that it holds
back; if more keys follow faster than a person types, the burst is a swipe, goes to the
checkout as one piece and never reaches the focused field. If not (a cashier typed "50%"),
the held keys are handed to the field they were meant for, in order.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

SENTINELS = ("%", ";")
MAX_GAP_S = 0.035  # people need about 100 ms between keys; readers a few ms
MIN_SWIPE_KEYS = 10
_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class SwipeCatcher(QObject):
    swiped = Signal(str)  # the raw track text; the receiver parses it at once and keeps no copy

    def __init__(self, parent: QObject, *, active: Callable[[], bool]):
        super().__init__(parent)
        self._active = active
        self._keys: list[str] = []
        self._target: QWidget | None = None
        self._last_key = 0.0
        self._replaying = False
        self._burst_end = QTimer(self, singleShot=True, interval=int(MAX_GAP_S * 2000))
        self._burst_end.timeout.connect(self._finish)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._replaying or event.type() != QEvent.Type.KeyPress:
            return False
        now = time.monotonic()
        if self._keys:
            if now - self._last_key > MAX_GAP_S:
                self._finish()  # a pause: the burst before it is settled, this key is ordinary
                return self.eventFilter(watched, event)
            self._last_key = now
            if event.key() in _ENTER:  # readers end a swipe with Enter: it must not submit the sale
                was_swipe = len(self._keys) >= MIN_SWIPE_KEYS
                self._finish()
                return was_swipe
            self._keys.append(event.text())
            self._burst_end.start()
            return True
        if event.text() in SENTINELS and self._active():
            self._keys, self._last_key = [event.text()], now
            self._target = watched if isinstance(watched, QWidget) else QApplication.focusWidget()
            self._burst_end.start()
            return True
        return False

    def _finish(self) -> None:
        self._burst_end.stop()
        keys, self._keys = self._keys, []
        if len(keys) >= MIN_SWIPE_KEYS:
            self.swiped.emit("".join(keys))
            return
        target, self._target = self._target, None
        if target is None:
            return
        self._replaying = True
        try:
            for text in keys:
                QApplication.sendEvent(target, QKeyEvent(QEvent.Type.KeyPress, 0, Qt.KeyboardModifier.NoModifier, text))
        finally:
            self._replaying = False
