"""The checkout's quick keys: an item sold often, with its name and amount, in one key.

``[[merchant.quick_keys]]`` in the settings (at most 12, checked when they are loaded) become a
grid of buttons above the sale form; the first 8 also answer F5 to F12 while the checkout has the
focus (on the history F5 refreshes). The buttons take no focus: Tab stays on the fields a cashier
fills, and a click leaves the focus where the sale needs it next.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import QGridLayout, QPushButton, QSizePolicy, QWidget

from posapp.localization import Localization
from posapp.money import Money

FUNCTION_KEYS = tuple(f"F{number}" for number in range(5, 13))  # F2-F4 switch screens
PER_ROW = 6  # 12 keys in two rows fit the form's width at 1024x768
NAME_MARGIN = 16  # pixels of a button beside its text: its frame and padding


class QuickKeys(QWidget):
    """A button per ``(name, amount)`` of ``keys``, in order, and F5-F12 for the first 8, active
    while the focus is in ``scope`` (the checkout). ``chosen(name, amount)``: a key was used
    (``amount`` is a Money). Hidden when there are no keys."""

    chosen = Signal(str, object)

    def __init__(self, keys: Sequence[tuple[str, Money]], localization: Localization, scope: QWidget,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.buttons: list[QPushButton] = []
        self._keys = list(keys)
        self._localization = localization
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        for index, (name, amount) in enumerate(keys):
            key = FUNCTION_KEYS[index] if index < len(FUNCTION_KEYS) else None
            button = QPushButton(self._label(key, name, amount))
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # even columns
            # What the button is, not the amount it fills in: the name is the item's.
            button.setAccessibleName(self.tr("Quick key %1").replace("%1", name))
            button.setToolTip(f"{name} ({key})" if key else name)
            button.clicked.connect(lambda _checked=False, name=name, amount=amount: self.chosen.emit(name, amount))
            grid.addWidget(button, index // PER_ROW, index % PER_ROW)
            self.buttons.append(button)
            if key:
                QShortcut(QKeySequence(key), scope, button.click, Qt.ShortcutContext.WidgetWithChildrenShortcut)
        for column in range(min(PER_ROW, len(self.buttons))):
            grid.setColumnStretch(column, 1)
        self.setVisible(bool(self.buttons))

    def _label(self, key: str | None, name: str, amount: Money, width: int | None = None) -> str:
        """The button's text: its key, the name (elided to ``width`` pixels: columns stay even) and
        the amount, on two lines."""
        prefix = f"{key}  " if key else ""
        if width is not None:
            metrics = self.buttons[0].fontMetrics()
            name = metrics.elidedText(name, Qt.TextElideMode.ElideRight, max(width - metrics.horizontalAdvance(prefix), 0))
        # A button reads "&" as its Alt shortcut's mark: "Bagel & tea" must not become Alt+Space.
        return f"{prefix}{name.replace('&', '&&')}\n{self._localization.amount(amount)}"

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        for index, (button, (name, amount)) in enumerate(zip(self.buttons, self._keys)):
            key = FUNCTION_KEYS[index] if index < len(FUNCTION_KEYS) else None
            button.setText(self._label(key, name, amount, button.width() - NAME_MARGIN))

