"""The application's look where it matters for use without a mouse and for low vision: a focus ring
anyone can see, and placeholder and secondary text readable against their background (WCAG 2.1
AA: a contrast of at least 4.5:1; the style's own placeholder grey is about 3.5:1 on white).

Applied once to the QApplication (``apply``), so every screen and dialog has it.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QLabel

FOCUS = "#1a5fb4"  # the focus ring: 2 px, the same blue on every kind of control
PLACEHOLDER = "#595959"  # 7.0:1 on white fields
SECONDARY = "#4d4d4d"  # hints and captions: 7.0:1 on the window's light grey
ERROR = "#b00020"  # refusals and failures: 6.1:1 on the window's grey
SUCCESS = "#1b5e20"

# Every kind of control a keyboard reaches draws the same ring. Each keeps a transparent ring's
# room when it has no focus, so focus moving never shifts a layout by a pixel.
STYLE_SHEET = f"""
QLineEdit, QAbstractSpinBox, QComboBox {{
    border: 1px solid #7a7a7a; border-radius: 3px; padding: 3px 4px; background: palette(base);
}}
QLineEdit:focus, QAbstractSpinBox:focus, QComboBox:focus {{
    border: 2px solid {FOCUS}; padding: 2px 3px;
}}
QLineEdit:disabled, QAbstractSpinBox:disabled, QComboBox:disabled {{ border-color: #b0b0b0; }}
QPushButton, QToolButton {{
    border: 1px solid #7a7a7a; border-radius: 4px; padding: 4px 12px; background: #f6f6f6;
}}
QPushButton:hover, QToolButton:hover {{ background: #e8eef7; }}
QPushButton:pressed, QToolButton:pressed {{ background: #d5deea; }}
QPushButton:default {{ border-color: #3d3d3d; }}
QPushButton:focus, QToolButton:focus {{ border: 2px solid {FOCUS}; padding: 3px 11px; }}
QPushButton:disabled, QToolButton:disabled {{ border-color: #c4c4c4; background: #f0f0f0; }}
QCheckBox, QRadioButton {{ border: 2px solid transparent; border-radius: 3px; padding: 1px; }}
QCheckBox:focus, QRadioButton:focus {{ border-color: {FOCUS}; }}
QAbstractItemView, QPlainTextEdit, QTextEdit {{ border: 2px solid transparent; }}
QAbstractItemView:focus, QPlainTextEdit:focus, QTextEdit:focus {{ border-color: {FOCUS}; }}
QLabel[secondary="true"] {{ color: {SECONDARY}; }}
"""


def apply(application: QApplication) -> None:
    """Give ``application`` posapp's palette and style sheet (before any window is shown)."""
    palette = application.palette()
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        palette.setColor(group, QPalette.ColorRole.PlaceholderText, QColor(PLACEHOLDER))
    application.setPalette(palette)
    application.setStyleSheet(STYLE_SHEET)


def secondary(label: QLabel) -> QLabel:
    """Mark ``label`` as secondary text (a hint, a caption): drawn in SECONDARY; returns it."""
    label.setProperty("secondary", True)
    return label
