"""The one card-number detector: every way of writing a PAN is found, identifiers are not."""

import datetime
import re
import secrets
import uuid

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from pan_forms import pans, written

from posapp.pan_detect import contains_pan, find_pans, normalize, redact


def digits_of(text):
    return "".join(char for char in normalize(text) if char.isdigit())


words = st.text(st.characters(categories=("L", "Zs")), max_size=20)


@given(st.data(), pans(), words, words)
@example(None, "4111111111111111", "card ", "")  # the issue's examples, below, as written
def test_a_card_number_is_found_and_masked_however_it_is_written(data, pan, before, after):
    shown = "4111.1111.1111.1111" if data is None else data.draw(written(pan))
    text = f"{before} {shown} {after}"
    assert contains_pan(text)
    masked = redact(text)
    assert pan[:-4] not in digits_of(masked)
    assert f"•••• {pan[-4:]}" in masked
    assert masked.startswith(before) and masked.endswith(after)


@pytest.mark.parametrize("text", [
    "card 4111.1111.1111.1111",
    "card 4111\u00a01111\u00a01111\u00a01111",
    "card 4111\u200b1111\u200b1111\u200b1111",
    "card ４１１１ １１１１ １１１１ １１１１",
    "card \ufeff4111111111111111",
    "card 4111\t1111\n1111\r\n1111",
    "card 4111 - 1111 - 1111 - 1111",
    "card (4111) [1111] {1111} <1111>",
    "card 4111™1111™1111™1111",
    "card ٤١١١١١١١١١١١١١١١",
    "card " + "\u00ad".join("4111111111111111"),
    "card " + "\u0301".join("4111111111111111"),
    "card 4111\x001111\x1b1111\x7f1111",
    "x4111111111111111",
    "4111111111111111abcd",
    "card 4111 -- 1111 -- 1111 -- 1111",
    "4111 / - 1111 1111 1111",
    "4111    1111 1111 1111",
    "4111ー1111ー1111ー1111",  # the Katakana long-vowel mark, typed as a dash
    "4111\u31641111\u31641111\u31641111",  # Hangul filler: shows nothing
    "4111\u115f1111\uffa01111\u11601111",
    "4111\u02bc1111\u02bc1111\u02bc1111",
    "card 4111\u01c01111\u01c01111\u01c01111",
    "4111&nbsp;1111&nbsp;1111&nbsp;1111",
    "&#52;111 1111 &#x31;111 1111",
    "4111&nbsp1111&nbsp1111&nbsp1111",  # browsers read it without its ";" too
    "4111&amp;nbsp;1111&amp;nbsp;1111&amp;nbsp;1111",
    "card 4111 1111 1111 111&#1",  # as plain text "&#" separates; as HTML "&#1" is a control
    "card 4111 1111 1111 111&#49;",  # as HTML the last digit is a reference
    "4111ㅡ1111ㅡ1111ㅡ1111",  # letters that look like marks, standing alone
    "4111一1111一1111一1111",
    "4111ꞏ1111ꞏ1111ꞏ1111",
    "4111ᐧ1111º1111ª1111",
    "4111&AMP;nbsp;1111&#38;nbsp;1111&#x26;nbsp;1111",  # "&" escaped in other ways
])
def test_the_issue_s_examples_and_their_neighbours_are_found(text):
    assert contains_pan(text)
    assert "•••• 1111" in redact(text)


@given(st.uuids(), st.sampled_from([str, lambda u: str(u).upper(), lambda u: u.hex, lambda u: f"{{{u}}}"]))
def test_identifiers_are_never_read_as_card_numbers(identifier, form):
    text = f"sale {form(identifier)} recorded, key {uuid.uuid4()}-retry"
    assert not contains_pan(text)
    assert redact(text) == text


def test_identifiers_in_any_order_are_skipped_and_a_card_after_them_is_found():
    text = f"key {secrets.token_hex(16)} sale {uuid.uuid4()} key {secrets.token_hex(12)} card 4111 1111 1111 1111"
    assert redact(text) == text.replace("4111 1111 1111 1111", "•••• 1111")


@given(st.integers(12, 64))
def test_hex_keys_and_hashes_are_never_read_as_card_numbers(size):
    text = f"key={secrets.token_hex(size)}"
    assert redact(text) == text


@pytest.mark.parametrize("text", [
    "order 1234 at 2026-11-29 took 12 ms, id 123456789012, not-luhn 4242424242424241",
    "4111 1111 1111 1112",  # fails the check
    "41111111111111111111111",  # 23 digits: no card number is that long
    "4111      1111 1111 1111",  # six spaces: the groups are apart
    "4111 1111 abc 1111 1111",
])
def test_numbers_that_are_not_card_numbers_are_left_alone(text):
    assert not contains_pan(text)
    assert redact(text) == text


def test_the_mask_covers_every_card_number_that_overlaps():
    # "12 4111 …" passes the check from "12" too in some cases; hiding one would show the other.
    text = "12 4111 1111 1111 1111 4242 4242 4242 4242"
    masked = redact(text)
    assert "4111 1111 1111" not in masked and "4242 4242 4242" not in masked
    assert len(re.findall(r"\d", masked)) <= 8 + 2


def test_spans_point_at_the_digits_as_written():
    text = "paid ٤١١١-١١١١-١١١١-١١١١ ok"
    [(start, end, last4)] = find_pans(text)
    assert text[start:end] == "٤١١١-١١١١-١١١١-١١١١" and last4 == "1111"


@given(st.text())
def test_redaction_never_fails_and_keeps_text_without_cards(text):
    masked = redact(text)
    if not find_pans(text):
        assert masked == text


@given(st.datetimes(min_value=datetime.datetime(1900, 1, 1), max_value=datetime.datetime(2099, 12, 31)),
       st.sampled_from(["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S.%f", "%d/%m/%Y %H:%M",
                        "%m/%d/%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%Y/%m/%d %H:%M:%S+00:00", "%Y-%m-%dT%H:%M:%SZ",
                        "%Y年%m月%d日 %H時%M分", "%Y년 %m월 %d일 %H시 %M분", "%a, %d %b %Y %H:%M:%S +0100",
                        "%d %b %Y %H:%M:%S GMT", "%Y%m%dT%H%M%S", "%Y%m%d %H%M%S", "%H:%M-%H:%M %d.%m."]))
def test_dates_and_times_are_never_read_as_card_numbers(moment, form):
    text = f"Pickup {moment.strftime(form)}, order 12"
    assert redact(text) == text


# Letters drawn like marks (Hangul vowels, Canadian syllabics, "一", ordinal indicators…).
LOOKALIKES = "ㅡᅳￚㆍᆞㆎ一ꞏᐧᐨᑊᐟᐠᐩᕀᐝºªஃᜮॽノ"


@given(pans(), st.sampled_from(LOOKALIKES), words)
def test_a_letter_drawn_like_a_mark_between_the_groups_does_not_hide_the_number(pan, letter, before):
    text = f"{before} " + letter.join(pan[i:i + 4] for i in range(0, len(pan), 4))
    assert f"•••• {pan[-4:]}" in redact(text)


@given(st.lists(st.tuples(st.integers(1, 99), st.integers(1, 9999)), min_size=1, max_size=8))
def test_itemised_amounts_are_not_card_numbers(items):
    text = " + ".join(f"{count} x {cents // 100}.{cents % 100:02d}" for count, cents in items)
    assert not contains_pan(text)


@pytest.mark.parametrize("text", ["order 12 abc 3456 7890 1234", "4111 1111 abc 1111 1111",
                                  "Zimmer 12 ab 3456 78 90 12", "SKU 4038 B 5338 A 5694", "(649) 230-3961 x 64",
                                  "4111 x 1111 x 1111 x 1111"])
def test_the_letters_of_a_word_still_end_a_number(text):
    assert redact(text) == text


@given(st.ip_addresses(v=4), st.integers(0, 99))
def test_ip_addresses_are_not_card_numbers(address, till):
    text = f"till {till} {address}."
    assert redact(text) == text
