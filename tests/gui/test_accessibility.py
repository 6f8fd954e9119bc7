"""Use without a mouse and with a screen reader: every control of every screen is named for what it is
(never for its current value), the focus ring is seen on every kind of control, placeholder and
secondary text reach a 4.5:1 contrast (WCAG 2.1 AA), and messages are announced."""

import pytest
from cardgen import random_pan
from guihelpers import sign_in
from kit import sell
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QColor, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTabBar,
    QVBoxLayout,
    QWidget,
)

from posapp import config
from posapp.access.roles import Role, SignedIn
from posapp.ui import announce, look
from posapp.ui.first_run import FirstRunDialog
from posapp.ui.override import SupervisorDialog
from posapp.ui.refund_dialog import RefundDialog

ADMIN = SignedIn("admin-1", "Admin One", Role.ADMIN)


def luminance(colour: QColor) -> float:
    """WCAG 2.1 relative luminance of an sRGB colour."""
    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(colour.redF()) + 0.7152 * linear(colour.greenF()) + 0.0722 * linear(colour.blueF())


def contrast(one: QColor, other: QColor) -> float:
    """WCAG 2.1 contrast ratio, 1 to 21."""
    lighter, darker = sorted((luminance(one), luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_the_contrast_formula_is_wcags():
    assert contrast(QColor("black"), QColor("white")) == pytest.approx(21)
    assert contrast(QColor("#767676"), QColor("white")) == pytest.approx(4.54, abs=0.01)


def test_placeholder_and_secondary_text_are_readable(qtbot, signed_out_window):
    field = signed_out_window.sign_in.login  # a field as the screens have them, in the palette in use
    palette = field.palette()
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        ratio = contrast(palette.color(group, QPalette.ColorRole.PlaceholderText),
                         palette.color(group, QPalette.ColorRole.Base))
        assert ratio >= 4.5, f"placeholder text {ratio:.2f}:1"
    hint = signed_out_window.sign_in.till  # "Workstation till-01", a secondary line
    ratio = contrast(hint.palette().color(QPalette.ColorRole.WindowText),
                     signed_out_window.palette().color(QPalette.ColorRole.Window))
    assert ratio >= 4.5, f"secondary text {ratio:.2f}:1"
    for colour in (look.ERROR, look.SUCCESS):
        assert contrast(QColor(colour), signed_out_window.palette().color(QPalette.ColorRole.Window)) >= 4.5


def ring_pixels(widget: QWidget) -> int:
    """How many pixels of ``widget`` have the focus ring's colour."""
    image, ring = widget.grab().toImage(), QColor(look.FOCUS)

    def near(colour: QColor) -> bool:
        return max(abs(colour.red() - ring.red()), abs(colour.green() - ring.green()),
                   abs(colour.blue() - ring.blue())) < 40

    return sum(1 for x in range(image.width()) for y in range(image.height()) if near(image.pixelColor(x, y)))


def test_every_kind_of_control_shows_a_focus_ring(qtbot):
    combo = QComboBox()
    combo.addItems(["VISA", "AMEX"])
    kinds = [QPushButton("Charge"), QLineEdit("Table 4"), combo, QDateEdit(), QCheckBox("From"),
             QRadioButton("Local mode"), QTableWidget(3, 3), QPlainTextEdit("Z report")]
    page = QWidget()
    layout = QVBoxLayout(page)
    for widget in kinds:
        layout.addWidget(widget)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()
    for widget in kinds:
        widget.setFocus()
        qtbot.waitUntil(widget.hasFocus)
        with_focus = ring_pixels(widget)
        (kinds[1] if widget is kinds[0] else kinds[0]).setFocus()
        qtbot.waitUntil(lambda: not widget.hasFocus())
        # A ring at least around the text of a check box (the whole control for the others), gone with the focus.
        assert with_focus >= 4 * widget.height() and ring_pixels(widget) == 0, type(widget).__name__


# -- names -----------------------------------------------------------------------------


def focusable(screen: QWidget) -> list[QWidget]:
    """Every control of ``screen`` that Tab can reach, shown now or not (a hidden one is shown later)."""
    return [widget for widget in [screen, *screen.findChildren(QWidget)]
            if widget.focusPolicy() & Qt.FocusPolicy.TabFocus and not isinstance(widget, (QLabel, QTabBar))
            and not widget.inherits("QCalendarWidget")
            and not isinstance(widget.parentWidget(), (QComboBox, QDateEdit))  # a combo's own line edit
            and widget.window() is screen.window()]


def names(screen: QWidget) -> dict[int, str]:
    """The name a screen reader reads for each control, by the control's identity."""
    found = {}
    for widget in focusable(screen):
        # On Linux Qt names a combo box by its current item (its label is a relation): it needs a name of its own.
        interface = None if isinstance(widget, QComboBox) else QAccessible.queryAccessibleInterface(widget)
        found[id(widget)] = widget.accessibleName() or (interface.text(QAccessible.Text.Name) if interface else "")
        assert found[id(widget)], f"{type(widget).__name__} showing {text_of(widget)!r} has no accessible name"
    return found


def text_of(widget: QWidget) -> str:
    return getattr(widget, "text", lambda: "")() if callable(getattr(widget, "text", None)) else ""


def give_values(screen: QWidget) -> None:
    """Type into every field and pick another item of every list, as a cashier would."""
    for field in screen.findChildren(QLineEdit):
        if field.isEnabled() and not isinstance(field.parentWidget(), (QComboBox, QDateEdit)):
            field.setText("12.50" if "mount" in field.accessibleName() else "Table 4")
    for box in screen.findChildren(QComboBox):
        box.setCurrentIndex(box.count() - 1)


def assert_named_for_what_they_are(screen: QWidget) -> None:
    before = names(screen)
    assert before, "a screen without controls tests nothing"
    give_values(screen)
    QApplication.processEvents()
    after = names(screen)
    changed = {name: after[key] for key, name in before.items() if after[key] != name}
    assert not changed, f"named for their value: {changed}"


def test_every_control_of_every_screen_is_named_for_what_it_is(qtbot, signed_out_window, services, runner):
    window = signed_out_window
    assert_named_for_what_they_are(window.sign_in)  # both forms: sign-in and the first administrator's
    window.sign_in.ask()  # the form emptied again
    sign_in(qtbot, window, services, "admin-1")
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        assert_named_for_what_they_are(window.tabs.widget(index))
    order = sell(services, "Dinner", random_pan("4", 16))
    window.checkout.receipt.show_order(order)  # the receipt buttons under a sale
    assert_named_for_what_they_are(window.checkout.receipt)
    window.status.keep_problem("The printer is not answering.", "printer 10.0.0.7: refused")
    assert window.status.details_button.accessibleName() == "Details of the last problem"


@pytest.mark.parametrize("dialog", ["first run", "refund", "supervisor"])
def test_every_control_of_every_dialog_is_named_for_what_it_is(qtbot, services, runner, dialog):
    if dialog == "first run":
        shown = FirstRunDialog(config.load(), runner)
    elif dialog == "refund":
        shown = RefundDialog(sell(services, "Dinner", random_pan("4", 16)), services.localization)
    else:
        shown = SupervisorDialog("void order 1", lambda login, secret: None, runner)
    qtbot.addWidget(shown)
    shown.show()
    assert_named_for_what_they_are(shown)


# -- messages ----------------------------------------------------------------------------


@pytest.fixture
def announced(monkeypatch):
    said = []
    monkeypatch.setattr(announce, "_post", lambda event: said.append((event.message(), event.politeness())))
    return said


def test_a_sign_in_refusal_is_announced_urgently(qtbot, signed_out_window, services, announced):
    from guihelpers import add_operator, type_sign_in

    add_operator(services, "cashier-1")
    type_sign_in(qtbot, signed_out_window, "cashier-1", "000000")
    message = signed_out_window.sign_in.message
    qtbot.waitUntil(lambda: message.text() not in ("", "Checking…"), timeout=10_000)
    assert message.accessibleDescription() == message.text()
    assert (message.text(), QAccessible.AnnouncementPoliteness.Assertive) in announced


def test_status_bar_messages_are_announced(qtbot, window, announced):
    window.status.say("Payments: no order was left pending.")
    assert window.statusBar().accessibleDescription() == "Payments: no order was left pending."
    assert ("Payments: no order was left pending.", QAccessible.AnnouncementPoliteness.Polite) in announced


def test_every_checkout_message_is_announced_and_problems_urgently(qtbot, window, announced):
    view = window.checkout
    urgent, polite = QAccessible.AnnouncementPoliteness.Assertive, QAccessible.AnnouncementPoliteness.Polite
    qtbot.keyClicks(view.amount, "1.2.3")  # the amount check
    assert (view.amount_message.text(), urgent) in announced and view.amount_message.text()
    view.amount.setText("")
    qtbot.keyClicks(view.card, "4242424242424241")  # the card check: a typo
    assert (view.card_message.text(), urgent) in announced and view.card_message.text()
    view.submit()  # the sale's result line: what to fix
    assert (view.result.text(), urgent) in announced and view.result.text()
    view.discard_sale()
    view.amount.setText("3.50")
    view.card.setFocus()
    qtbot.keyClicks(view.card, random_pan("4", 16))
    qtbot.keyClicks(view.expiry, "1230")
    view.submit()
    qtbot.waitUntil(lambda: "recorded" in view.result.text(), timeout=20_000)  # the sale done: said, not shouted
    assert (view.result.text(), polite) in announced
    assert view.result.accessibleDescription() == view.result.text()


def test_the_same_message_again_is_not_said_again(qtbot, announced):
    label = QLabel()
    qtbot.addWidget(label)
    announce.show(label, "7 orders shown")
    announce.show(label, "7 orders shown")  # the list refreshed by itself, and reads the same
    announce.show(label, "8 orders shown")
    assert [text for text, _politeness in announced] == ["7 orders shown", "8 orders shown"]
