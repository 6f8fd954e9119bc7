"""The application's look where it matters for use without a mouse and for low vision: a focus ring
anyone can see, and placeholder and secondary text readable against their background (WCAG 2.1
AA: a contrast of at least 4.5:1; the style's own placeholder grey is about 3.5:1 on white).

Applied once to the QApplication (``apply``), so every screen and dialog has it.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPalette, QPen
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QLabel, QProxyStyle, QStyle

FOCUS = "#1a5fb4"  # the focus ring, the same blue on every kind of control
FOCUS_WIDTH = 2  # pixels
PLACEHOLDER = "#595959"  # 7.0:1 on white fields
SECONDARY = "#4d4d4d"  # hints and captions: 7.0:1 on the window's light grey
ERROR = "#b00020"  # refusals and failures: 6.1:1 on the window's grey
SUCCESS = "#1b5e20"

# What draws a control's frame, and so its ring when it has the focus.
_RINGED_PRIMITIVES = frozenset({QStyle.PrimitiveElement.PE_PanelButtonCommand,
                                QStyle.PrimitiveElement.PE_FrameLineEdit, QStyle.PrimitiveElement.PE_PanelButtonTool})
_RINGED_CONTROLS = frozenset({QStyle.ComplexControl.CC_ComboBox, QStyle.ComplexControl.CC_SpinBox})


class FocusRingStyle(QProxyStyle):
    """The platform's style, with a 2 px FOCUS ring around the control that has the keyboard focus:
    buttons, fields, lists, spin boxes and date fields, check boxes and radio buttons (around their
    text), tables (around the focused cell). A style, not a style sheet: a style sheet would also
    stop the larger type a screen sets from reaching its fields."""

    def drawPrimitive(self, element, option, painter, widget=None):  # noqa: N802 (Qt's name)
        """Draw as the platform does, and the ring where the element frames a focused control."""
        if element is QStyle.PrimitiveElement.PE_FrameFocusRect:
            _ring(painter, option.rect)  # instead of the platform's thin dotted line
            return
        super().drawPrimitive(element, option, painter, widget)
        if element in _RINGED_PRIMITIVES and option.state & QStyle.StateFlag.State_HasFocus:
            _ring(painter, option.rect)

    def drawControl(self, element, option, painter, widget=None):  # noqa: N802 (Qt's name)
        """Draw as the platform does, and the ring around a focused table, list or text area's frame."""
        super().drawControl(element, option, painter, widget)
        if (element is QStyle.ControlElement.CE_ShapedFrame and isinstance(widget, QAbstractScrollArea)
                and widget.hasFocus()):
            _ring(painter, option.rect)

    def drawComplexControl(self, control, option, painter, widget=None):  # noqa: N802 (Qt's name)
        """Draw as the platform does, and the ring around a focused combo box or spin box."""
        super().drawComplexControl(control, option, painter, widget)
        if control in _RINGED_CONTROLS and option.state & QStyle.StateFlag.State_HasFocus:
            _ring(painter, option.rect)


def _ring(painter: QPainter, rect: QRect) -> None:
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(QColor(FOCUS), FOCUS_WIDTH))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRoundedRect(QRectF(rect).adjusted(1, 1, -1, -1), 3, 3)
    painter.restore()


def apply(application: QApplication) -> None:
    """Give ``application`` posapp's palette and focus ring (before any window is shown)."""
    palette = application.palette()
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        palette.setColor(group, QPalette.ColorRole.PlaceholderText, QColor(PLACEHOLDER))
    if not isinstance(application.style(), FocusRingStyle):
        application.setStyle(FocusRingStyle(application.style().name()))
    application.setPalette(palette)


def secondary(label: QLabel) -> QLabel:
    """Mark ``label`` as secondary text (a hint, a caption): drawn in SECONDARY; returns it."""
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.WindowText, QColor(SECONDARY))
    label.setPalette(palette)
    return label
