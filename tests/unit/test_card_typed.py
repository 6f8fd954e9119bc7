"""Card numbers and expiry dates typed the ways people and keyboards type them."""

import datetime
import unicodedata

import pytest
from cardgen import random_pan
from hypothesis import example, given
from hypothesis import strategies as st

from posapp import luhn
from posapp.card import Brand, Card, Expiry, InvalidCard, Pan, Reason, parse_card_input
from posapp.iin import LENGTHS
from posapp.pan_detect import normalize

LENGTH_REASONS = (Reason.LENGTH, Reason.TOO_SHORT, Reason.TOO_LONG_NUMBER)  # the brand's lengths follow

TODAY = datetime.date(2025, 6, 15)


def outcome(text):
    try:
        card = parse_card_input(text, TODAY)
    except InvalidCard as error:
        return error.reason
    return card.pan.reveal(), card.expiry


# --- the examples of the report, and their kind ------------------------------------------


@pytest.mark.parametrize("text", [
    "４２４２ ４２４２ ４２４２ ４２４２ 12/29",
    "٤٢٤٢ ٤٢٤٢ ٤٢٤٢ ٤٢٤٢ ١٢/٢٩",  # Arabic-Indic
    "४२४२ ४२४२ ४२४२ ४२४२ १२/२९",  # Devanagari
    "4242\t4242\t4242\t4242\t12/29",
    "\ufeff4242 4242 4242 4242 12/29",
    "4242\u200b4242\u200b4242\u200b4242 12/29",  # zero-width spaces, as pasted from a web page
    "4242\u00a04242\u00a04242\u00a04242\u00a012/29",
    "4242424242424242 1229",
    "4242424242424242 122029",
    "4242 4242 4242 4242 12-29",
    "4242 4242 4242 4242 12.29",
    "4242 4242 4242 4242 12 29",
    "4242 4242 4242 4242 12 2029",
    "4242 4242 4242 4242 12 / 29",
    "4242–4242–4242–4242 12/2029",  # en dashes
])
def test_card_input_a_correct_pos_reads(text):
    assert outcome(text) == ("4242424242424242", Expiry(12, 2029))


@pytest.mark.parametrize("text", [
    "4242424242424242 1329", "4242424242424242 0029", "4242 4242 4242 4242 13/29", "4242 4242 4242 4242 00-29",
    "4242 4242 4242 4242 13 29", "4242 4242 4242 4242 12/1999", "4242 4242 4242 4242 4242",
    "5555 5555 5555 4444 1399", "3782 822463 10005 9999",
    "4242424242424242 12/2", "4242424242424242 12/299", "4242424242424242 1/", "4242424242424242 /29",
    "4242424242424242 ab/cd", "4242 4242 4242 4242 12//29",
])
def test_a_wrong_expiry_is_refused_as_the_expiry(text):
    assert outcome(text) is Reason.BAD_EXPIRY


@pytest.mark.parametrize("text, reason", [
    ("4242424242424241 1229", Reason.CHECKSUM),
    ("4242 4242 4242 4241 12 29", Reason.CHECKSUM),
    ("4242 4242 4242 42 12/29", Reason.LENGTH),
    ("9999 9999 9999 9995", Reason.UNKNOWN_BRAND),
    ("9999 9999 9999 9995 12/29", Reason.UNKNOWN_BRAND),
    ("4242 4242 abcd 4242 12/29", Reason.NOT_A_CARD_NUMBER),
    ("4242.4242.4242.4242", Reason.GROUPING),
    ("4242/4242/4242/4242", Reason.GROUPING),
    ("42424242424242421229", Reason.EXPIRY_APART),
    ("4242 4242 4242 4242122029", Reason.EXPIRY_APART),
    ("3782822463100051229", Reason.EXPIRY_APART),
    ("424242424242424212/29", Reason.EXPIRY_APART),
    ("4242424242424242/1229", Reason.EXPIRY_APART),
    ("4242424242424242=1229", Reason.EXPIRY_APART),
    ("4242424242424242,12/29", Reason.EXPIRY_APART),
    ("37828224631000512/29", Reason.EXPIRY_APART),
    ("4242.4242.4242.4242 12/29", Reason.GROUPING),
    ("4242_4242_4242_4242", Reason.GROUPING),
    ("4242·4242·4242·4242", Reason.GROUPING),
    ("4242,4242,4242,4242", Reason.GROUPING),
    ("4242424242424242 05/25", Reason.EXPIRED),
    ("4242424242424242 0525", Reason.EXPIRED),
])
def test_other_faults_are_named_with_or_without_an_expiry(text, reason):
    assert outcome(text) is reason


def maestro_pair():
    """A 12-digit Maestro and an expiry whose digits also make a valid 16-digit Maestro."""
    while True:
        short = random_pan("6771", 12)
        for year in range(30, 40):
            if luhn.is_valid(short + f"12{year}"):
                return short, f"12{year}"


def test_digits_that_read_two_ways_ask_for_the_slash():
    short, mmyy = maestro_pair()
    grouped = f"{short[:4]} {short[4:8]} {short[8:]}"
    assert outcome(f"{grouped} {mmyy}") is Reason.AMBIGUOUS_EXPIRY
    assert outcome(f"{grouped} {mmyy[:2]}/{mmyy[2:]}") == (short, Expiry(12, 2000 + int(mmyy[2:])))
    assert outcome(short + mmyy) == (short + mmyy, None)


def test_a_typo_that_leaves_a_valid_shorter_card_is_not_taken_for_it():
    short, mmyy = maestro_pair()
    typed_16 = f"{short[:4]} {short[4:8]} {short[8:]} {mmyy}"  # meant: a 16-digit Maestro, mistyped
    assert outcome(typed_16) is Reason.AMBIGUOUS_EXPIRY


# --- properties ----------------------------------------------------------------------------

# Every Unicode decimal digit, by value: what a keyboard, an input method or a paste can give.
DIGITS = {value: [chr(code) for code in range(0x110000) if unicodedata.decimal(chr(code), None) == value]
          for value in range(10)}
# What people put between groups of a card number: spaces of any kind (NFKC makes them " "), tabs
# and dashes. Not dots or slashes: those write amounts and dates.
GAPS = [" ", "  ", "\t", " \t", "\u00a0", "\u2007", "\u202f", "\u3000", "-", "\u2010", "\u2013", "\uff0d"]
INVISIBLE = ["\ufeff", "\u200b", "\u200c", "\u200d", "\u2060", "\u00ad"]
BRAND_PREFIXES = [("4", "VISA"), ("4936", "VISA"), ("51", "MASTERCARD"), ("2221", "MASTERCARD"), ("2720", "MASTERCARD"),
                  ("34", "AMEX"), ("37", "AMEX"), ("6011", "DISCOVER"), ("644", "DISCOVER"), ("65", "DISCOVER"),
                  ("3528", "JCB"), ("3589", "JCB"), ("300", "DINERS"), ("3095", "DINERS"), ("36", "DINERS"),
                  ("39", "DINERS"), ("62", "UNIONPAY"), ("622126", "UNIONPAY"), ("8171", "UNIONPAY"),
                  ("50", "MAESTRO"), ("56", "MAESTRO"), ("6304", "MAESTRO"), ("6771", "MAESTRO")]
EXPIRY_FORMS = ["{m}/{yy:02d}", "{m:02d}/{yy:02d}", "{m:02d}/{yyyy}", "{m}/{yyyy}", "{m:02d}{yy:02d}", "{m:02d}{yyyy}",
                "{m:02d}-{yy:02d}", "{m:02d}.{yy:02d}", "{m:02d}.{yyyy}", "{m:02d} {yy:02d}", "{m:02d} {yyyy}",
                "{m} {yy:02d}", "{m:02d} / {yy:02d}", "{m:02d}–{yy:02d}"]


@st.composite
def valid_pans(draw):
    prefix, brand = draw(st.sampled_from(BRAND_PREFIXES))
    length = draw(st.sampled_from(sorted(LENGTHS[Brand(brand)])))
    body = prefix + draw(st.text("0123456789", min_size=length - len(prefix) - 1, max_size=length - len(prefix) - 1))
    return body + luhn.check_digit(body), Brand(brand)


@st.composite
def written(draw, text):
    """``text`` with every digit drawn from any script and invisible characters slipped in."""
    out = []
    for char in text:
        if draw(st.integers(0, 9)) == 0:
            out.append(draw(st.sampled_from(INVISIBLE)))
        out.append(draw(st.sampled_from(DIGITS[int(char)])) if char.isdigit() else char)
    return "".join(out)


@st.composite
def grouped(draw, digits):
    parts, rest = [], digits
    while rest:
        size = draw(st.integers(1, 8))
        parts.append(rest[:size])
        rest = rest[size:]
    gap = draw(st.sampled_from(GAPS))  # one kind per number, as people type
    return gap.join(parts)


@given(data=st.data(), card=valid_pans(), month=st.integers(1, 12), year=st.integers(2026, 2099),
       form=st.sampled_from([None] + EXPIRY_FORMS), before=st.sampled_from(["", " ", "\ufeff", "\u3000"]),
       between=st.sampled_from([" ", "\t", "  ", "\u00a0"]), after=st.sampled_from(["", " ", "\n", "\r\n", "\t"]))
@example(data=None, card=("4242424242424242", Brand.VISA), month=12, year=2029, form="{m:02d}{yy:02d}", before="",
         between=" ", after="")
def test_a_valid_card_written_any_way_reads_as_that_card(data, card, month, year, form, before, between, after):
    digits, brand = card
    if data is None:
        number, expiry_text = digits, form.format(m=month, yy=year % 100, yyyy=year)
    else:
        number = data.draw(grouped(digits))
        expiry_text = form.format(m=month, yy=year % 100, yyyy=year) if form else None
        number, expiry_text = data.draw(written(number)), expiry_text and data.draw(written(expiry_text))
    text = before + number + (between + expiry_text if expiry_text else "") + after
    expected = (digits, Expiry(month, year) if form else None)
    got = outcome(text)
    if got is Reason.AMBIGUOUS_EXPIRY:
        # Only when the digits also make a number of a length the brand issues (and the brand
        # issues lengths that far apart): then a guess could take another card.
        words = normalize(expiry_text or number).split()
        sign = 1 if expiry_text else -1  # the expiry joins the number, or the number's end splits off
        extras = {sum(map(str.isdigit, "".join(words[-count:]))) for count in (1, 2)}
        assert any(len(digits) + sign * extra in LENGTHS[brand] for extra in extras)
    else:
        assert got == expected


# Card-like text: digits of several scripts, the separators above, slashes, dots, letters.
mistyped = st.lists(st.sampled_from(list("0123456789４٤ \t-/.\u00a0\ufeffxO") + ["12/29", "4242 ", "6771"]),
                    max_size=40).map("".join)


@given(st.one_of(mistyped, valid_pans().map(lambda card: card[0][:-1] + str((int(card[0][-1]) + 1) % 10))))
def test_mistyped_input_gets_a_reason_and_never_repeats_the_input(text):
    try:
        card = parse_card_input(text, TODAY)
    except InvalidCard as error:
        message = str(error)
        assert message.startswith(error.reason.value)
        assert error.reason in LENGTH_REASONS + (Reason.EXPIRED,) or message == error.reason.value
    else:
        assert isinstance(card, Card) and Pan.is_valid(card.pan.reveal())


@given(card=valid_pans(), position=st.integers(0, 18), shift=st.integers(1, 9),
       form=st.sampled_from([None] + [form for form in EXPIRY_FORMS if "/" in form or "." in form]))
def test_one_mistyped_digit_never_yields_a_card(card, position, shift, form):
    """Luhn catches every single-digit typo. (Not with an expiry written without / or .: its digits
    can join a mistyped number into another valid one, 3530 0000 0000 006 1229; hence the slash.)"""
    digits, _ = card
    position %= len(digits)
    typo = digits[:position] + str((int(digits[position]) + shift) % 10) + digits[position + 1:]
    text = " ".join(typo[i:i + 4] for i in range(0, len(typo), 4)) + (" " + form.format(m=12, yy=29, yyyy=2029)
                                                                       if form else "")
    assert isinstance(outcome(text), Reason)


def test_card_text_doctests_pass():
    import doctest

    from posapp import card_text

    failed, attempted = doctest.testmod(card_text)
    assert attempted > 0
    assert failed == 0
