"""Magnetic-stripe readers that type like a keyboard ("keyboard wedge"), caught everywhere.

A reader types its tracks in one burst, a few milliseconds per character: each track
starts with a start sentinel (``%`` for track 1, ``;`` for track 2) and usually ends with
Enter, and the next track follows at once. Some readers first send a short failed track
(``%E?`` + Enter) before a good one. This filter, installed on the application, sees every
key press on every screen and dialog: a start sentinel opens a burst that it holds back.

- If the keys after it come faster than any person types (:data:`MAX_GAP` between keys,
  for :data:`MIN_BURST` keys in a row), the burst is a reader's: it continues across Enter
  while a next track (a start sentinel) follows within :data:`TRACK_GAP`, and the whole of it, tracks joined
  by ``"\\n"``, goes to :attr:`SwipeCatcher.swiped` as one text. None of it, not even its
  Enter, reaches a widget.
- Otherwise a person typed the sentinel ("50% off"): the held keys go to the widget they
  were meant for, in order.

Key times are the times the keys were pressed (the window system's event timestamps), not
the times this process got round to them, so a busy machine cannot make a person look
like a reader or a reader like a person. The clock is injectable: tests drive it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

from posapp.tracks import START_SENTINELS

MAX_GAP = 0.035  # seconds between a reader's keys; people need about 100 ms, rarely under 50
MIN_BURST = 3  # fast keys that make a reader: the shortest track, "%?", and its Enter
# A fast burst is handed over as a swipe only if it ends a track with Enter or is this long:
# a quick typist's "you" (y is a sentinel on a Turkish F keyboard) stays typed text.
MIN_SWIPE_KEYS = 10
TRACK_GAP = 0.15  # seconds a reader may take after a track's Enter before the next track
SETTLE_MS = 250  # with no key for this long, the held keys are decided
_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)

KeyClock = Callable[[QKeyEvent], float]


def _starts_track(event: QKeyEvent) -> bool:
    return bool(event.text()) and event.text() in START_SENTINELS


def pressed_at(event: QKeyEvent) -> float:
    """When the key was pressed, in seconds from an arbitrary origin (the window system's, or the
    monotonic clock for events a program made, which carry no time): only differences count."""
    return event.timestamp() / 1000 if event.timestamp() else time.monotonic()


@dataclass
class _Key:
    key: int
    text: str
    modifiers: Qt.KeyboardModifier


class SwipeCatcher(QObject):
    """The application's event filter that tells a reader's burst from a person's typing (above).

    ``clock`` gives each key press's time in seconds (:func:`pressed_at`)."""

    swiped = Signal(str)  # the raw track text; the receiver parses it at once and keeps no copy

    def __init__(self, parent: QObject, *, clock: KeyClock = pressed_at):
        super().__init__(parent)
        self._clock = clock
        self._held: list[_Key] = []
        self._target: QObject | None = None
        self._last_at = 0.0
        self._reader = False
        self._replaying = False
        self._settle = QTimer(self, singleShot=True, interval=SETTLE_MS)
        self._settle.timeout.connect(self._settle_after_pause)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._replaying or event.type() != QEvent.Type.KeyPress:
            return False
        if event.isAutoRepeat():  # a key held down is a person's; readers never repeat
            if self._held:
                self.settle()
            return False
        at = self._clock(event)
        if self._held:
            if self._continues(event, at):
                self._hold(event, at)
                return True
            self.settle()  # a pause: the burst before it is decided, this key is ordinary
        if _starts_track(event):
            self._target = watched if isinstance(watched, QWidget) else QApplication.focusWidget()
            self._reader = False
            self._hold(event, at)
            return True
        return False

    def _continues(self, event: QKeyEvent, at: float) -> bool:
        gap = at - self._last_at
        next_track = self._reader and self._held[-1].key in _ENTER and _starts_track(event)
        return 0 <= gap <= (TRACK_GAP if next_track else MAX_GAP)

    def _hold(self, event: QKeyEvent, at: float) -> None:
        self._held.append(_Key(event.key(), event.text(), event.modifiers()))
        self._last_at = at
        typed = sum(1 for key in self._held if key.text or key.key in _ENTER)
        self._reader = self._reader or typed >= MIN_BURST
        self._settle.start()

    def _settle_after_pause(self) -> None:
        # Keys a stalled machine has not delivered yet may belong to this burst: take them first.
        held = len(self._held)
        QCoreApplication.processEvents()
        if self._held and len(self._held) == held:
            self.settle()

    def settle(self) -> None:
        """Decide the held keys now: a reader's burst is handed over, a person's typed."""
        self._settle.stop()
        held, self._held = self._held, []
        target, self._target = self._target, None
        reader, self._reader = self._reader, False
        typed = sum(1 for key in held if key.text or key.key in _ENTER)
        if reader and (typed >= MIN_SWIPE_KEYS or any(key.key in _ENTER for key in held)):
            text = "".join("\n" if key.key in _ENTER else key.text for key in held)
            self.swiped.emit(text.strip("\n"))
            return
        if target is None or not shiboken6.isValid(target):
            return
        self._replaying = True
        try:
            for key in held:
                QApplication.sendEvent(target, QKeyEvent(QEvent.Type.KeyPress, key.key, key.modifiers, key.text))
        finally:
            self._replaying = False
