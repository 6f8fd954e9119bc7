"""Swipes as keyboard-wedge readers really type them: spaced numbers, padding, failed tracks,
line breaks, and keyboard layouts other than US English."""

import dataclasses
import datetime
import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from posapp import luhn, tracks
from posapp.errors import describe
from posapp.card import Expiry, InvalidCard, Reason, parse_card_input, parse_swipe

TODAY = datetime.date(2025, 6, 15)


def outcome(text):
    try:
        card = parse_card_input(text, TODAY)
    except InvalidCard as error:
        assert not re.search(r"\d{5}", str(error))  # nothing of the swipe is repeated
        return error.reason
    assert [field.name for field in dataclasses.fields(card)] == ["pan", "expiry", "holder"]
    return card.pan.reveal(), card.expiry, card.holder


# --- what readers send -----------------------------------------------------------------------


def test_track1_alone_with_the_number_spaced_as_printed():
    assert outcome("%B3782 822463 10005^HAMMOND/G                 ^^^?") == ("378282246310005", None, "G HAMMOND")


def test_a_failed_track1_and_enter_before_a_good_track2():
    assert outcome("%E?\r\n;4111111111111111=29121010000000000000?\r\n") == (
        "4111111111111111", Expiry(12, 2029), None)


@pytest.mark.parametrize("text", [
    ";E?\n%B4111111111111111^DOE/JOHN^2912101000000?",
    "%B4111111111111111^DOE/JOHN^2912101000000?\n;E?",
    "%B4111 1111 1111 1111^DOE/JOHN                ^2912101000000?",
    "%B4111111111111111^DOE/JOHN^2912101000000?\x1f",  # the LRC after the end sentinel
    "%B4111111111111111^DOE/JOHN^2912101000000?;4111111111111111=2912101?garbage",
    # A misread track 2 (its checksum fails) beside a good track 1.
    "%B4111111111111111^DOE/JOHN^2912101000000?;4111111111111112=2912101?",
])
def test_a_good_track_is_read_whatever_surrounds_it(text):
    assert outcome(text) == ("4111111111111111", Expiry(12, 2029), "JOHN DOE")


def test_the_longest_name_padded_by_the_reader():
    name = "VANDERBILT-WHITNEY/ALEXAND"  # 26 characters, the most track 1 holds
    assert outcome(f"%B4111111111111111^{name}      ^2912101?")[2] == "ALEXAND VANDERBILT-WHITNEY"


@pytest.mark.parametrize("text", ["%E?", ";E?", "%E?\r\n;E?\r\n", "%B4111111111111112^DOE/J^2912?",
                                  "%B4111 1111^DOE/J^2912?", "%B41111111111111111111^X^2912?"])
def test_unreadable_swipes_ask_for_another_swipe(text):
    assert outcome(text) is Reason.BAD_SWIPE


# --- other keyboard layouts --------------------------------------------------------------------

# What each US character of a swipe becomes when the computer's layout is another (key tables of
# Microsoft's KBDGR, KBDTUQ and KBDTUF layouts).
GERMAN = str.maketrans({";": "ö", "^": "&", "=": "´", "?": "_", "/": "-", "Y": "Z", "Z": "Y"})
TURKISH_Q = str.maketrans({";": "ş", "^": "&", "=": "-", "?": ":", "/": "."})
TURKISH_F = str.maketrans({";": "y", "^": "&", "=": "-", "?": ";", "/": ",",
                           **dict(zip("QWERTYUIOPASDFGHJKLZXCVBNM", "FGĞIODRNHPUİEAÜTKMLJÖVCÇZS"))})
LAYOUTS = {"German": GERMAN, "Turkish Q": TURKISH_Q, "Turkish F": TURKISH_F}


def us_swipe(pan="4111111111111111", name="DOE/JOHN", tracks_sent="12", sep=""):
    track1, track2 = f"%B{pan}^{name}^2912101000000?", f";{pan}=2912101000?"
    return sep.join(track for number, track in (("1", track1), ("2", track2)) if number in tracks_sent)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("swipe", [us_swipe(), us_swipe(tracks_sent="1"), us_swipe(tracks_sent="2"),
                                   us_swipe(sep="\r\n"), "%E?" + us_swipe(tracks_sent="2"), "%E?;E?"])
def test_a_swipe_typed_under_another_layout_asks_to_type_the_number(layout, swipe):
    text = swipe.translate(LAYOUTS[layout])
    assert outcome(text) is Reason.OTHER_LAYOUT
    with pytest.raises(InvalidCard) as refused:
        parse_card_input(text, TODAY)
    told = describe(refused.value)[0]  # what the cashier reads: type it, a second swipe reads the same
    assert "type the card number" in told and "swipe again" not in told
    assert outcome(text + "\n") is Reason.OTHER_LAYOUT


def test_every_layouts_start_character_is_held_back_by_the_window():
    assert isinstance(tracks.START_SENTINELS, frozenset)
    assert all(isinstance(char, str) and len(char) == 1 for char in tracks.START_SENTINELS)
    for table in LAYOUTS.values():
        for track in us_swipe(tracks_sent="1"), us_swipe(tracks_sent="2"):
            assert track.translate(table)[0] in tracks.START_SENTINELS
    assert {"%", ";"} <= tracks.START_SENTINELS


def test_typed_input_starting_like_a_letter_of_those_layouts_is_still_typed_input():
    assert outcome("y") is Reason.NOT_A_CARD_NUMBER
    assert outcome("öl") is Reason.NOT_A_CARD_NUMBER


# --- properties ---------------------------------------------------------------------------------

NAME_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ .-'"


@st.composite
def cards(draw):
    prefix, length = draw(st.sampled_from([("4", 16), ("51", 16), ("37", 15), ("6011", 16), ("3530", 19),
                                           ("36", 14), ("62", 17), ("6771", 16), ("4", 13)]))
    body = prefix + draw(st.text("0123456789", min_size=length - len(prefix) - 1, max_size=length - len(prefix) - 1))
    surname = draw(st.text(NAME_CHARS, min_size=1, max_size=12).filter(lambda s: s.strip(" .-'")))
    given_name = draw(st.text(NAME_CHARS, max_size=26 - len(surname) - 1))
    month, year = draw(st.integers(1, 12)), draw(st.integers(2026, 2099))
    return body + luhn.check_digit(body), surname, given_name, draw(st.sampled_from([(month, year), None]))


@st.composite
def swipes(draw, card):
    pan, surname, given_name, expiry = card
    yymm = f"{expiry[1] % 100:02d}{expiry[0]:02d}" if expiry else None
    discretionary = draw(st.text("0123456789", max_size=20))
    spaced = draw(st.booleans()) and len(pan) == 15
    number1 = f"{pan[:4]} {pan[4:10]} {pan[10:]}" if spaced else pan
    name = f"{surname}/{given_name}".ljust(draw(st.integers(0, 26)))
    track1 = f"%B{number1}^{name}^" + (f"{yymm}101{discretionary}" if yymm else "^^") + "?"
    track2 = f";{pan}=" + (f"{yymm}101{discretionary[:13]}" if yymm else "==") + "?"
    which = draw(st.sampled_from(["1", "2", "12", "E2", "1E", "EE1", "2E"]))
    parts = {"1": [track1], "2": [track2], "12": [track1, track2], "E2": ["%E?", track2], "1E": [track1, ";E?"],
             "EE1": ["%E?", ";E?", track1], "2E": [track2, "%E?"]}[which]
    breaks = draw(st.sampled_from(["", "\n", "\r\n"]))
    lrc = draw(st.sampled_from(["", "\x1f", "A", "0"]))
    return (breaks + lrc).join(parts) + lrc + breaks, "1" in which


@given(st.data(), cards())
@example(None, ("378282246310005", "HAMMOND", "G", None))
def test_a_swipe_however_sent_reads_as_its_card(data, card):
    pan, surname, given_name, expiry = card
    if data is None:
        text, has_track1 = "%B3782 822463 10005^HAMMOND/G                 ^^^?", True
    else:
        text, has_track1 = data.draw(swipes(card))
    number, read_expiry, holder = outcome(text)
    assert number == pan
    assert read_expiry == (Expiry(*expiry) if expiry else None)
    expected_holder = " ".join(" ".join(part.split()) for part in (given_name, surname) if part.strip()) or None
    assert holder == (expected_holder if has_track1 else None)
    assert parse_swipe(text, TODAY) == parse_card_input(text, TODAY)


@given(st.data(), cards(), st.sampled_from(list(LAYOUTS.values())))
def test_a_swipe_under_another_layout_is_always_refused_as_such(data, card, layout):
    text, _ = data.draw(swipes(card))
    assert outcome(text.translate(layout)) is Reason.OTHER_LAYOUT


# Swipe-like garbage: sentinels, separators, digits, letters, line breaks, layout characters.
garbage = st.lists(st.sampled_from(list("%;?^=B E/0123456789\n\rAöşy&_´:-") + ["4111111111111111", "%B", "^^"]),
                   max_size=60).map("".join)


@given(garbage)
@example("%B4111111111111111^" + "^" * 300)
@example("%B" + "1 " * 200 + "?")
def test_garbage_is_refused_with_a_reason_or_read_as_a_card(text):
    result = outcome(text)
    assert isinstance(result, Reason) or luhn.is_valid(result[0])
