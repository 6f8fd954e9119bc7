"""The fast scan finds what posapp's detector finds, in long text and in files read in chunks."""

import io
import random

from cardgen import PUBLISHED, random_pan
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pan_forms import pans, written

from posapp import pan_scan
from posapp.pan_detect import find_pans

# Pieces that put the detector's rules to work: digits, separators, words, identifiers, dates,
# HTML references, digits beyond ASCII and marks read as several digits, invisible characters.
PIECES = st.sampled_from([
    "0", "1", "4", "7", "9", "42", "4242", " ", "-", ".", "\n", "\x00", "\xa0", "\u200b", "/", ":", "•", "a", "x",
    "Total", " USD ", "&nbsp;", "&#52;", "&#x34;", "&half;", "&amp;nbsp;", "&frac12", "½", "⑽", "㏾", "４", "٤", "²",
    "ー", "一", "2026-11-29 18:18", "3f2a9c1e-1b2c-4d5e-8f90-123456789abc", "192.168.10.200", "09:30-18:00",
    "deadbeefdeadbeefdeadbeef0123456789", "Sun, 16 Nov 2026 23:16:42 +0100", "20261129T1818",
])


@st.composite
def texts(draw):
    """Long text (the fast path) made of pieces and card numbers, some of them written oddly."""
    parts = []
    for _ in range(draw(st.integers(1, 6))):
        parts.append("".join(draw(st.lists(PIECES, min_size=20, max_size=120))))
        if draw(st.booleans()):
            parts.append(draw(written(draw(pans()))) if draw(st.booleans()) else draw(pans()))
    return "".join(parts)


@settings(max_examples=300, deadline=None)
@given(texts())
@example("Paid with 4111 1111 1111 1111 " + "note " * 80)
@example("x" * 300 + "&#52;&#50;&#52;&#50;&#52;&#50;&#52;&#50;&#52;&#50;&#52;&#50;&#52;&#50;&#52;&#50;" + "y" * 300)
@example("a" * 300 + "½½½½½½" + "b" * 300)
def test_the_fast_scan_finds_what_the_detector_finds(text):
    assert pan_scan.find_in_text(text) == find_pans(text)


def planted(filler: bytes, pan: str, at: int) -> bytes:
    return filler[:at] + pan.encode() + filler[at:]


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_a_number_across_a_chunk_boundary_is_found_once_at_its_first_byte(data):
    chunk = data.draw(st.integers(16, 200), label="chunk")
    overlap = data.draw(st.integers(40, 100), label="overlap")
    pan = data.draw(st.sampled_from([number for number, _ in PUBLISHED]))
    form = data.draw(st.sampled_from(["plain", "spaces", "dashes", "utf-16", "json"]))
    groups = " ".join(pan[i:i + 4] for i in range(0, len(pan), 4))
    text = {"plain": pan, "spaces": groups, "dashes": groups.replace(" ", "-"), "utf-16": pan,
            "json": f'{{"card": "{groups}"}}'}[form]
    encoded = text.encode("utf-16-le") if form == "utf-16" else text.encode()
    filler = bytes(random.Random(data.draw(st.integers(0, 1000))).choice(b"abcdefgh ,.\n\xff\xfe") for _ in range(600))
    at = data.draw(st.integers(0, len(filler)), label="at")
    blob = filler[:at] + encoded + filler[at:]
    found = list(pan_scan.find_in_bytes(io.BytesIO(blob), chunk=chunk, overlap=overlap))
    first = at + (encoded.index(b"{") + len('{"card": "') if form == "json" else 0)
    assert found == [(first, pan[-4:])]


def test_digits_that_are_no_card_number_are_not_reported():
    # A 20-digit run with no Luhn-valid stretch of 12 to 19 digits, as the detector reads it.
    run = "12345678901234567890"
    assert find_pans(run) == []
    blob = (b"order " + run.encode() + b" done\n") * 50_000
    assert list(pan_scan.find_in_bytes(io.BytesIO(blob), chunk=4096, overlap=256)) == []


def test_bytes_that_are_not_utf8_are_read_as_latin1_and_offsets_count_bytes():
    pan = random_pan("5", 16)
    grouped = "\xa0".join(pan[i:i + 4] for i in range(0, 16, 4)).encode("latin-1")  # NBSP of Windows-1252
    before = "é€".encode() * 100 + b"\x80\xff" * 50
    blob = before + grouped + "ü".encode() * 200
    assert list(pan_scan.find_in_bytes(io.BytesIO(blob), chunk=64, overlap=64)) == [(len(before), pan[-4:])]
