"""Messages a screen reader speaks: the one place that tells assistive technology a message changed.

A label's new text is not read out by itself: a screen reader only speaks what has focus. Every
message label (a sale's result, a card check, the history's status, a sign-in refusal) and the
status bar go through :func:`show` or :func:`announce`, which put the text in the widget's
accessible description and post an announcement (Qt's ``QAccessibleAnnouncementEvent``).
"""

from __future__ import annotations

from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent
from PySide6.QtWidgets import QLabel, QWidget


def show(label: QLabel, text: str, *, urgent: bool = False) -> None:
    """Set ``label``'s text to ``text`` and announce it (an empty text clears it silently).

    ``urgent``: a problem that interrupts what the screen reader is saying (a refusal, a failure);
    otherwise the announcement waits for a pause. The same text again (a list refreshed every 30 s
    that still shows "7 orders") is not said again."""
    if text == label.text() and text == label.accessibleDescription():
        return
    label.setText(text)
    announce(label, text, urgent=urgent)


def announce(widget: QWidget, text: str, *, urgent: bool = False) -> None:
    """Announce ``text``, shown on ``widget`` (a label, the status bar), and keep it as its
    accessible description so that it can be read again; an empty ``text`` is not announced."""
    widget.setAccessibleDescription(text)
    if not text:
        return
    event = QAccessibleAnnouncementEvent(widget, text)
    event.setPoliteness(QAccessible.AnnouncementPoliteness.Assertive if urgent
                        else QAccessible.AnnouncementPoliteness.Polite)
    _post(event)


def _post(event: QAccessibleAnnouncementEvent) -> None:
    # One seam, so that a test can see what was announced without a screen reader.
    QAccessible.updateAccessibility(event)
