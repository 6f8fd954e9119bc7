"""What GUI tests share: the key clock and a card reader's typing (orders and vault items: tests/kit.py)."""

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest


@dataclass
class KeyClock:
    """When each key was pressed, as the swipe catcher sees it: keys are stamped at a
    person's pace unless a test lets a card reader type, so no test depends on how fast
    this (shared, noisy) machine delivers them."""

    PERSON = 0.12  # seconds between keys
    READER = 0.002

    now: float = 1000.0
    pace: float = PERSON

    def __call__(self, _event) -> float:
        self.now += self.pace
        return self.now


def type_text(widget, text):
    """Key presses for ``text``; QTest.keyClicks aborts the process on a non-ASCII character,
    so those (the "ö" of a German reader's track 2) are sent one by one."""
    for char in text:
        if char.isascii():
            QTest.keyClicks(widget, char)
        else:
            QTest.sendKeyEvent(QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, char, Qt.KeyboardModifier.NoModifier)


def reader_types(qtbot, widget, key_clock, *tracks):
    """A keyboard-wedge reader types ``tracks`` into ``widget``, each ended by Enter."""
    key_clock.pace = KeyClock.READER
    try:
        for track in tracks:
            type_text(widget, track)
            QTest.keyClick(widget, Qt.Key.Key_Return)
    finally:
        key_clock.pace = KeyClock.PERSON
