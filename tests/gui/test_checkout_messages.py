"""What the checkout tells a cashier: the first field to fix after Enter, marked until it is
edited; every message gone as soon as what it is about is edited; local checks that say what is
wrong with what was typed, never "refused"."""

import pytest
from cardgen import random_pan
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from posapp.money import Money


@pytest.fixture
def view(window):
    window.activateWindow()
    return window.checkout


def marked(field):
    return bool(field.property("problem"))


def test_enter_on_an_empty_sale_focuses_and_marks_the_amount_until_it_is_edited(qtbot, view):
    QTest.keyClick(view.name, Qt.Key.Key_Return)
    assert view.result.text() == "Type the amount."
    assert QApplication.focusWidget() is view.amount and marked(view.amount)
    assert border_colour(view.amount) == QColor("#b00020")  # framed in red
    QTest.keyClicks(view.amount, "4")
    assert not marked(view.amount) and view.result.text() == ""
    assert border_colour(view.amount) != QColor("#b00020")


def border_colour(field):
    """The colour of the field's left edge, half-way down, as drawn."""
    image = field.grab().toImage()
    return QColor(image.pixel(0, image.height() // 2))


@pytest.mark.parametrize(("amount", "card", "expiry", "field", "message"), [
    ("3.50", "", "", "card", "Type the card number or swipe the card."),
    ("3.50", "typo", "12/30", "card", "The card number has a typo"),
    ("3.50", "good", "01/20", "expiry", "This card expired in 01/20"),
    ("3.50", "good", "13/30", "expiry", "The expiry date is not a month and year written MM/YY"),
    ("3.505", "good", "12/30", "amount", "USD amounts have at most 2 decimals"),
])
def test_enter_puts_the_focus_on_the_first_field_to_fix(qtbot, view, amount, card, expiry, field, message):
    number = random_pan("4", 16)
    number = number[:-1] + str((int(number[-1]) + 1) % 10) if card == "typo" else number
    view.amount.setText(amount)
    view.card.setFocus()
    if card:
        QTest.keyClicks(view.card, number)
    view.expiry.setText(expiry)
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert view.result.text() == message
    assert "refused" not in view.card_message.text() and "declined" not in message.lower()
    wanted = getattr(view, field)
    assert QApplication.focusWidget() is wanted and marked(wanted)
    assert [name for name in ("name", "amount", "card", "expiry") if marked(getattr(view, name))] == [field]


EDITS = {  # a field of the sale, and a cashier's edit of it
    "name": lambda view: QTest.keyClicks(view.name, "x"),
    "description": lambda view: QTest.keyClicks(view.description, "x"),
    "amount": lambda view: QTest.keyClick(view.amount, Qt.Key.Key_Backspace),
    "card": lambda view: QTest.keyClick(view.card, Qt.Key.Key_Backspace),
    "expiry": lambda view: QTest.keyClick(view.expiry, Qt.Key.Key_Backspace),
    "currency": lambda view: next(action for action in view.currency.menu().actions() if action.text() == "EUR").trigger(),
    "quick key": lambda view: view.use_quick_key("Coffee", Money(350, "USD")),
}


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edited=st.sampled_from(sorted(EDITS)))
def test_a_refusal_goes_when_any_field_of_the_sale_is_edited(qtbot, view, edited):
    view.discard_sale()
    view.name.setText("Tea")
    view.amount.setText("3.50")
    view.card.setFocus()
    QTest.keyClicks(view.card, random_pan("4", 16))
    view.expiry.setText("01/20")
    view.submit()
    assert view.result.text() == "This card expired in 01/20"
    EDITS[edited](view)
    assert view.result.text() == ""


def test_the_last_sale_s_result_and_receipt_go_when_the_next_sale_is_typed(qtbot, view):
    view.amount.setText("3.50")
    view.card.setFocus()
    QTest.keyClicks(view.card, random_pan("4", 16))
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "recorded" in view.result.text(), timeout=15_000)
    QTest.keyClicks(view.name, "N")
    assert view.result.text() == "" and view.receipt.isHidden()


def test_the_card_check_goes_when_the_number_is_edited(qtbot, view):
    number = random_pan("4", 16)
    view.card.setFocus()
    QTest.keyClicks(view.card, number[:-1] + str((int(number[-1]) + 1) % 10))
    assert view.card_message.text() == "The card number has a typo"
    QTest.keyClick(view.card, Qt.Key.Key_Backspace)
    assert view.card_message.text() == ""


def test_a_wrong_length_reads_as_too_short_or_too_long_for_the_brand(qtbot, view):
    view.card.setFocus()
    QTest.keyClicks(view.card, random_pan("51", 15))
    view.expiry.setFocus()  # left: judged now
    assert view.card_message.text() == "The card number is too short: MASTERCARD cards have 16 digits"


@pytest.mark.parametrize("number, expiry, reason", [
    ("4242424242424241", "1230", "The card number has a typo"),
    (None, "0120", "This card expired in 01/20"),
], ids=["typo", "expired"])
def test_enter_on_a_card_with_a_problem_keeps_the_reason_and_the_masked_card_until_typed_over(
        qtbot, view, number, expiry, reason):
    number = number or random_pan("4", 16)
    view.amount.setText("3.50")
    view.card.setFocus()
    QTest.keyClicks(view.card, number)
    view.expiry.setFocus()
    QTest.keyClicks(view.expiry, expiry)
    QTest.keyClick(view.expiry, Qt.Key.Key_Return)
    problem = view.card if "typo" in reason else view.expiry
    assert QApplication.focusWidget() is problem and marked(problem)
    said = view.result.text() or view.card_message.text()
    assert said.startswith(reason)
    assert view.card.text() == f"VISA •••• {number[-4:]}"  # still there to read beside its reason
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_4)  # the cashier starts again
    assert not marked(problem) and view.result.text() == ""


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_card_number_typed_into_another_field_is_wiped_at_enter_in_any_form(qtbot, view, services, data):
    from kit import stored_orders
    from pan_forms import pans, written

    pan = data.draw(pans())
    field = data.draw(st.sampled_from([view.name, view.description, view.amount]))
    typed = data.draw(st.sampled_from(["", "Tea "])) + data.draw(written(pan))
    view.discard_sale()
    view.amount.setText("3.50")
    field.setText(typed)
    view.card.setFocus()
    QTest.keyClicks(view.card, random_pan("4", 16))
    QTest.keyClicks(view.expiry, "1230")
    view.submit()
    assert field.text() == "" and QApplication.focusWidget() is field and marked(field)
    assert view.result.text()[:1].isupper()  # a sentence of its own
    shown = " ".join(widget.text() for widget in (view.name, view.description, view.amount, view.result))
    assert pan[-8:] not in "".join(char for char in shown if char.isdigit())
    assert stored_orders(services) == []
