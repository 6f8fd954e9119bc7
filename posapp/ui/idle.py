"""The idle lock's clock: any key or mouse input anywhere in the application restarts it.

PCI DSS v4.0 8.2.8: a session idle for more than 15 minutes must ask for the secret again.
Installed on the application, after the swipe catcher, so it sees every key press first,
including the keys of a card reader's burst that the catcher holds back from the widgets.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal

_INPUT = frozenset({QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
                    QEvent.Type.Wheel, QEvent.Type.TouchBegin})


class IdleWatch(QObject):
    """Emits ``idle`` once ``idle_ms`` pass without input while armed (:meth:`arm`)."""

    idle = Signal()

    def __init__(self, idle_ms: int, parent: QObject):
        super().__init__(parent)
        # Precise: a coarse timer may fire up to 5% late, and 15 minutes is the most PCI DSS allows.
        self._timer = QTimer(self, singleShot=True, interval=idle_ms, timerType=Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self.idle)

    def arm(self) -> None:
        """Start counting idle time (an operator signed in)."""
        self._timer.start()

    def disarm(self) -> None:
        """Stop counting (nobody signed in: the sign-in screen is showing)."""
        self._timer.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Restart the count on input; never consumes an event."""
        if self._timer.isActive() and event.type() in _INPUT:
            self._timer.start()
        return False
