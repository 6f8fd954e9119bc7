"""The window on a till's small screen: at 1024×768 and 1366×768 every button and field of every
screen is on screen, whole, and the status bar too; it opens maximized on such a screen."""

import pytest
from guihelpers import sign_in
from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from posapp.ui.main_window import ROOMY, placement

CONTROLS = (QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox, QAbstractItemView, QPlainTextEdit)
SCREENS = [QSize(1024, 768), QSize(1366, 768)]
PANEL = 48  # a desktop's task bar or top bar takes this much of a small screen's height


def clipped(widget: QWidget, window: QWidget) -> str | None:
    """Why ``widget`` is not wholly on ``window`` (zero size, or cut off by an ancestor), or None."""
    if widget.width() <= 0 or widget.height() <= 0:
        return "has no size"
    rect = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
    ancestor = widget.parentWidget()
    while ancestor is not None and ancestor is not window:
        if not QRect(ancestor.mapTo(window, QPoint(0, 0)), ancestor.size()).contains(rect):
            return f"is cut off by {type(ancestor).__name__} {ancestor.objectName()!r}"
        ancestor = ancestor.parentWidget()
    if not window.rect().contains(rect):
        return "is outside the window"
    return None


def controls_of(screen: QWidget) -> list[QWidget]:
    """The buttons and fields ``screen`` shows now (hidden ones, say the CVC without a processor, not)."""
    return [widget for widget in screen.findChildren(QWidget)
            if isinstance(widget, CONTROLS) and widget.isVisibleTo(screen)
            and not isinstance(widget.parentWidget(), (QComboBox, QAbstractSpinBox))]  # a combo's own parts


def assert_fits(qtbot, window, screen: QWidget, size: QSize) -> None:
    window.resize(size)
    qtbot.wait(1)  # the layouts follow
    assert window.size() == size, f"the window needs {window.minimumSizeHint()}"
    controls = controls_of(screen)
    assert controls, "a screen without controls tests nothing"
    problems = [f"{type(widget).__name__} {widget.accessibleName() or widget.objectName()!r} {why}"
                for widget in controls if (why := clipped(widget, window))]
    assert not problems, f"at {size.width()}×{size.height()}: " + "; ".join(problems)
    bar = window.statusBar()
    assert bar.isVisible() and clipped(bar, window) is None
    assert QRect(screen.mapTo(window, QPoint(0, 0)), screen.size()).bottom() < bar.geometry().top()


@pytest.mark.parametrize("size", SCREENS, ids=lambda size: f"{size.width()}x{size.height()}")
def test_every_screen_of_an_administrator_fits(qtbot, signed_out_window, services, size):
    window = signed_out_window
    assert_fits(qtbot, window, window.sign_in, size)
    sign_in(qtbot, window, services, "admin-1")  # an administrator sees every screen and button
    for index in range(window.tabs.count()):
        assert window.tabs.isTabVisible(index)
        window.tabs.setCurrentIndex(index)
        assert_fits(qtbot, window, window.tabs.widget(index), size)


def test_the_first_administrators_form_fits(qtbot, signed_out_window):
    window = signed_out_window
    qtbot.waitUntil(lambda: window.sign_in.creating_first_admin)  # a till without operators
    assert_fits(qtbot, window, window.sign_in, SCREENS[0])


def test_the_window_needs_no_more_than_a_small_screen_leaves_it(qtbot, signed_out_window, services):
    window = signed_out_window
    sign_in(qtbot, window, services, "admin-1")
    needs = window.minimumSizeHint()
    assert needs.width() <= 1024 and needs.height() <= 768 - PANEL, needs


@pytest.mark.parametrize("screen", SCREENS, ids=lambda size: f"{size.width()}x{size.height()}")
def test_it_opens_maximized_on_a_tills_screen(screen):
    whole = QRect(QPoint(0, 0), screen)
    assert placement(whole, whole.adjusted(0, 0, 0, -PANEL)) is None


def test_on_a_larger_screen_it_opens_roomy_and_centred():
    whole = QRect(0, 0, 1920, 1080)
    available = whole.adjusted(0, 32, 0, 0)
    where = placement(whole, available)
    assert where.size() == ROOMY and where.center() == available.center()
    small_height = QRect(0, 0, 1600, 768)  # wider than a till's, as low: the window still fits in it
    assert placement(small_height, small_height.adjusted(0, 0, 0, -PANEL)).height() <= 768 - PANEL
