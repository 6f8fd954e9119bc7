"""Taking the screenshots: waiting for the window as a person would, typing as a cashier does,
grabbing the whole (virtual) screen, and refusing a picture that shows a card number or nothing.

Everything here fails loudly, with a ``ScreenFailed`` that names the screen and what was missing,
so that ``make screenshots`` exits non-zero rather than commit a wrong picture.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from posapp.pan_detect import contains_pan

WAIT_SECONDS = 30  # for one thing on screen: a sign-in (Argon2), a charge, a page of orders
MIN_COLOURS = 16  # a real screen has text, anti-aliased: hundreds of colours; a blank one has one or two
HIDDEN_ECHO = (QLineEdit.EchoMode.Password, QLineEdit.EchoMode.NoEcho)


class ScreenFailed(Exception):
    """A screen could not be rendered as it should be; the message says which and why."""


def wait_until(condition: Callable[[], bool], what: str, seconds: float = WAIT_SECONDS) -> None:
    """Run the event loop until ``condition()`` holds; ScreenFailed naming ``what`` after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise ScreenFailed(f"{what}: still not so after {seconds:g} s")
        QTest.qWait(20)


def settle(ms: int = 300) -> None:
    """Let the window finish what a change started (layouts, repaints, queued signals)."""
    QTest.qWait(ms)


def attribute(owner: object, name: str) -> object:
    """``owner.name``, or ScreenFailed saying that the screen no longer has it (its API changed)."""
    try:
        return getattr(owner, name)
    except AttributeError:
        raise ScreenFailed(f"{type(owner).__name__} has no attribute {name!r}: update scripts/screenshots_*.py "
                           f"to the screen's current API") from None


def focused(widget: QWidget, what: str) -> None:
    """Wait until ``widget`` has the keyboard focus (the cashier's next key goes there)."""
    wait_until(lambda: QApplication.focusWidget() is widget, f"the focus on {what}")


def type_keys(text: str) -> None:
    """Type ``text`` into the widget that has the focus, key by key, as a person does."""
    for char in text:
        target = QApplication.focusWidget()
        if target is None:
            raise ScreenFailed(f"no widget has the focus to type {char!r} into")
        QTest.keyClicks(target, char)


def press(key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    """Press ``key`` where the focus is (the window itself if nothing in it has the focus)."""
    target = QApplication.focusWidget() or QApplication.activeWindow()
    if target is None:
        raise ScreenFailed("no window is active to press a key in")
    QTest.keyClick(target, key, modifier)


def fill_screen(window: QWidget) -> None:
    """Show ``window`` maximized on its screen. Xvfb has no window manager to maximize it, so its
    geometry is set to the screen's, as one would; then wait until it is shown and has the keyboard."""
    window.setGeometry(window.screen().availableGeometry())
    window.showMaximized()
    window.activateWindow()
    wait_until(lambda: window.windowHandle() is not None and window.windowHandle().isExposed(), "the window shown")
    wait_until(lambda: QApplication.activeWindow() is window, "the window active")


def shoot(name: str, out: Path) -> Path:
    """Save the whole screen as ``out/NAME-WxH.png``, after checking that no text on it holds a card
    number; then check the picture is not blank. The file's path; ScreenFailed if either check fails."""
    settle()
    screen = QApplication.primaryScreen()
    for window in QApplication.topLevelWidgets():
        if window.isVisible():
            refuse_card_numbers(window, name)
    size = screen.size()
    path = out / f"{name}-{size.width()}x{size.height()}.png"
    if not screen.grabWindow(0).save(str(path)):
        raise ScreenFailed(f"{name}: {path} could not be written")
    check_picture(path, (size.width(), size.height()))
    print(f"screenshots: {path.relative_to(out.parent.parent)}")
    return path


def clear_pictures(out: Path) -> None:
    """Delete the pictures of this screen's size (and the receipt's) from ``out``, before any is
    taken: a screen that fails, or is never reached, leaves no picture of an earlier run."""
    size = QApplication.primaryScreen().size()
    for old in [*out.glob(f"*-{size.width()}x{size.height()}.png"), out / "receipt-preview.png"]:
        old.unlink(missing_ok=True)


def check_picture(path: Path, size: tuple[int, int] | None = None) -> None:
    """ScreenFailed unless the PNG at ``path`` is ``size`` (if given) and shows something: more than
    MIN_COLOURS colours, counted on a grid of every 3rd pixel."""
    image = QImage(str(path))
    if image.isNull():
        raise ScreenFailed(f"{path.name}: not a readable image")
    if size is not None and (image.width(), image.height()) != size:
        raise ScreenFailed(f"{path.name}: {image.width()}x{image.height()}, not the screen's {size[0]}x{size[1]}")
    colours = {image.pixel(x, y) for y in range(0, image.height(), 3) for x in range(0, image.width(), 3)}
    if len(colours) <= MIN_COLOURS:
        raise ScreenFailed(f"{path.name}: looks blank ({len(colours)} colours)")


def refuse_card_numbers(root: QWidget, screen: str) -> None:
    """ScreenFailed if any visible text under ``root`` holds a card number: fields (but those that
    show dots), labels, buttons, lists and tables, text areas, the window title."""
    texts = [root.windowTitle()]
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisible():
            continue
        if isinstance(widget, QLineEdit) and widget.echoMode() not in HIDDEN_ECHO:
            texts.append(widget.text())  # PasswordEchoOnEdit too: it shows the digits while typed
        elif isinstance(widget, (QLabel, QAbstractButton)):
            texts.append(widget.text())
        elif isinstance(widget, QComboBox):
            texts.append(widget.currentText())
        elif isinstance(widget, (QPlainTextEdit, QTextEdit)):
            texts.append(widget.toPlainText())
        elif isinstance(widget, QAbstractItemView) and widget.model() is not None:
            texts.extend(_cells(widget.model()))
    shown = [text for text in texts if text and contains_pan(text)]
    if shown:
        raise ScreenFailed(f"{screen}: a card number is on screen ({len(shown)} text(s)); no picture taken")


def _cells(model: QAbstractItemModel) -> list[str]:
    return [str(model.index(row, column).data() or "") for row in range(model.rowCount())
            for column in range(model.columnCount())]
