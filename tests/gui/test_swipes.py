"""Card readers that type like keyboards: whatever screen or dialog has the cursor, nothing
of a swipe is ever typed into a field, and its Enter never does what Enter does."""

import threading

import pytest
from cardgen import random_pan
from guihelpers import KeyClock, reader_types, type_text
from kit import stored_orders
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QVBoxLayout

from posapp.tracks import START_SENTINELS
from posapp.ui.swipe import pressed_at

TRACK2 = "{number}=30121010000000000000?"
NOTICE = "A card swipe was ignored: swipe cards on the checkout screen (F2), during a sale."
FIXTURES_PER_EXAMPLE = settings(max_examples=25, deadline=None,
                                suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def handed(window):
    """Every text the catcher hands over as a swipe."""
    texts = []
    window.swipes.swiped.connect(texts.append)
    return texts


def next_person_key(widget):
    """The cashier's next key, a moment later: it settles a burst without typing anything."""
    QTest.keyClick(widget, Qt.Key.Key_End)


def test_a_failed_track_then_a_good_one_is_one_swipe_and_nothing_reaches_the_name(
        qtbot, window, key_clock, services, handed):
    view = window.checkout
    qtbot.keyClicks(view.name, "Lunch")
    qtbot.keyClicks(view.amount, "12.00")
    number = random_pan("4", 16)
    reader_types(qtbot, view.name, key_clock, "%E?", ";" + TRACK2.format(number=number))
    qtbot.waitUntil(lambda: "Card swiped" in view.card_message.text())
    assert handed == ["%E?\n;" + TRACK2.format(number=number)]
    assert view.name.text() == "Lunch"
    assert view.card_message.text() == f"Card swiped: VISA •••• {number[-4:]}"
    assert view.expiry.text() == "12/30"
    qtbot.wait(100)
    assert stored_orders(services) == []  # the reader's Enter did not submit the sale


def test_a_swipe_that_fails_whole_leaves_the_form_as_it_was(qtbot, window, key_clock, services, handed):
    view = window.checkout
    qtbot.keyClicks(view.name, "Lunch")
    reader_types(qtbot, view.name, key_clock, "%E?", ";E?")
    qtbot.waitUntil(lambda: handed == ["%E?\n;E?"])
    assert view.name.text() == "Lunch"
    assert view.card_message.text() != ""  # the reason the swipe was not read
    assert view.result.text() == "" and stored_orders(services) == []


def test_a_swipe_on_the_history_screen_is_neither_shown_nor_searched(qtbot, window, key_clock, services, monkeypatch):
    searched = []
    real_page = services.orders.page
    monkeypatch.setattr(services.orders, "page",
                        lambda **kwargs: searched.append(getattr(kwargs.get("where"), "text", None)) or real_page(**kwargs))
    window.tabs.setCurrentWidget(window.history)
    window.history.search.setFocus()
    number = random_pan("51", 16)
    reader_types(qtbot, window.history.search, key_clock, f"%B{number}^DOE/JANE^3012101?",
                 ";" + TRACK2.format(number=number))
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == NOTICE)
    qtbot.wait(400)  # longer than the search box's pause before it searches
    assert window.history.search.text() == ""
    assert all(text is None for text in searched)
    assert window.tabs.currentWidget() is window.history
    assert window.checkout.card_message.text() == ""  # discarded, not kept for the next sale


def test_a_swipe_into_a_dialog_is_discarded_with_a_notice(qtbot, window, key_clock):
    dialog = QDialog(window)
    field = QLineEdit(dialog)
    QVBoxLayout(dialog).addWidget(field)
    dialog.open()
    qtbot.waitExposed(dialog)
    field.setFocus()
    reader_types(qtbot, field, key_clock, "%B" + random_pan("4", 16) + "^DOE/JANE^3012101?")
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == NOTICE)
    assert field.text() == "" and dialog.isVisible()
    assert window.checkout.card_message.text() == ""
    dialog.close()


def test_a_person_typing_sentinels_keeps_every_key(qtbot, window):
    field = window.checkout.description
    qtbot.keyClicks(field, "50% off; 3 for 2; 100%?")
    next_person_key(field)
    assert field.text() == "50% off; 3 for 2; 100%?"


def test_two_quick_keys_of_a_person_stay_typed(qtbot, window, key_clock):
    field = window.checkout.description
    key_clock.pace = KeyClock.READER  # a fast typist's rollover: "%" and space almost at once
    qtbot.keyClicks(field, "% ")
    key_clock.pace = KeyClock.PERSON
    qtbot.keyClicks(field, "off")
    assert field.text() == "% off"


def test_a_person_holding_a_sentinel_key_down_gets_every_repeat(qtbot, window, key_clock):
    field = window.checkout.description
    key_clock.pace = KeyClock.READER  # the keyboard repeats faster than anyone types
    field.setFocus()
    QTest.keyClick(field, Qt.Key.Key_Percent, Qt.KeyboardModifier.NoModifier)
    for _ in range(5):
        QApplication.sendEvent(field, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Percent,
                                                Qt.KeyboardModifier.NoModifier, "%", True))
    key_clock.pace = KeyClock.PERSON
    assert field.text() == "%%%%%%"


def test_a_swipe_while_a_sale_runs_changes_nothing_and_says_so(qtbot, window, key_clock, services, monkeypatch):
    release = threading.Event()
    real_add = services.orders.add
    monkeypatch.setattr(services.orders, "add", lambda order, event: (release.wait(30), real_add(order, event))[1])
    view = window.checkout
    first = random_pan("4", 16)
    qtbot.keyClicks(view.name, "Coffee")
    qtbot.keyClicks(view.amount, "3.50")
    qtbot.keyClicks(view.card, first)
    view.submit()
    assert view.busy
    reader_types(qtbot, view.name, key_clock, ";" + TRACK2.format(number=random_pan("51", 16)))
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == NOTICE)
    assert view.name.text() == "Coffee" and view.card_message.text() == ""
    release.set()
    qtbot.waitUntil(lambda: "recorded" in view.result.text(), timeout=15_000)
    assert stored_orders(services)[0].card_masked == f"VISA •••• {first[-4:]}"


def test_a_person_pressing_enter_after_a_sentinel_still_submits(qtbot, window):
    view = window.checkout
    qtbot.keyClicks(view.name, "50%")
    QTest.keyClick(view.name, Qt.Key.Key_Return)
    assert view.name.text() == "50%"
    assert view.result.text() == "Type the amount."  # the first field a sale still needs


@FIXTURES_PER_EXAMPLE
@given(text=st.text(alphabet=st.sampled_from(sorted(START_SENTINELS) + list("?=^ /abc019")), max_size=20))
def test_whatever_a_person_types_arrives_as_typed(qtbot, window, text):
    field = window.checkout.description
    field.clear()
    type_text(field, text)
    next_person_key(field)
    assert field.text() == text


track_body = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40)


@FIXTURES_PER_EXAMPLE
@given(tracks=st.lists(st.tuples(st.sampled_from(sorted(START_SENTINELS)), track_body), min_size=1, max_size=3))
def test_nothing_of_any_swipe_is_typed_into_the_focused_field(qtbot, window, key_clock, handed, tracks):
    tracks = [sentinel + body + "?" for sentinel, body in tracks]
    view = window.checkout
    view.name.setText("Lunch")
    handed.clear()
    reader_types(qtbot, view.name, key_clock, *tracks)
    next_person_key(view.name)
    assert view.name.text() == "Lunch"
    assert handed == ["\n".join(tracks)]


def test_key_times_are_when_the_keys_were_pressed():
    event = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Percent, Qt.KeyboardModifier.NoModifier, "%")
    event.setTimestamp(5250)
    assert pressed_at(event) == 5.25


@pytest.mark.parametrize("text", ["you", "yes sir", "%ok", ";-)", "öl"])
def test_a_quick_typist_s_words_that_start_like_a_swipe_stay_typed(qtbot, window, key_clock, handed, text):
    # Faster than a reader's gap, but with no Enter and too short for a track: a person's.
    view = window.checkout
    key_clock.pace = 0.02
    try:
        type_text(view.name, text)
    finally:
        key_clock.pace = KeyClock.PERSON
    next_person_key(view.name)
    qtbot.waitUntil(lambda: view.name.text() == text)
    assert handed == []
