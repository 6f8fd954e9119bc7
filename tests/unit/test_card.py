"""Card entry as a cashier sees it, and PAN masking as a PCI assessor checks it."""

import copy
import dataclasses
import datetime
import doctest
import json
import logging
import pickle
import pprint
import random
import re

import pytest
from cardgen import PUBLISHED, random_pan

import posapp.card
from posapp.card import Brand, Card, Expiry, InvalidCard, Pan, Reason, parse_card_input, parse_swipe

TODAY = datetime.date(2025, 6, 15)


def grouped(digits: str, sizes: tuple[int, ...], separator: str) -> str:
    parts, start = [], 0
    for size in sizes:
        parts.append(digits[start:start + size])
        start += size
    return separator.join(parts)


def with_bad_check_digit(digits: str) -> str:
    return digits[:-1] + str((int(digits[-1]) + 1) % 10)


def digits_in(text: str) -> str:
    return re.sub(r"\D", "", text)


# --- brands and typed input ---------------------------------------------------------


@pytest.mark.parametrize("number, brand", PUBLISHED)
def test_published_test_numbers_parse_to_brand_and_last4(number, brand):
    pan = Pan.parse(number)
    assert pan.brand.value == brand
    assert pan.last4 == number[-4:]
    assert pan.reveal() == number


@pytest.mark.parametrize("text, digits, brand", [
    ("4242 4242 4242 4242", "4242424242424242", "VISA"),
    ("4242-4242-4242-4242", "4242424242424242", "VISA"),
    ("5555 5555 5555 4444", "5555555555554444", "MASTERCARD"),
    ("5105-1051-0510-5100", "5105105105105100", "MASTERCARD"),
    ("3782 822463 10005", "378282246310005", "AMEX"),
    ("3714-496353-98431", "371449635398431", "AMEX"),
    ("3622 720627 1667", "36227206271667", "DINERS"),
    ("  4111 1111 1111 1111  ", "4111111111111111", "VISA"),
    ("4242\t4242\t4242\t4242", "4242424242424242", "VISA"),
    ("4242  4242 4242\u00a04242", "4242424242424242", "VISA"),
    ("4242\u20134242\u20134242\u20134242", "4242424242424242", "VISA"),  # en dash, as word processors type "-"
    ("\ufeff4242 4242 4242 4242", "4242424242424242", "VISA"),
    ("４２４２ ４２４２ ４２４２ ４２４２", "4242424242424242", "VISA"),
])
def test_grouped_input_parses_to_same_pan(text, digits, brand):
    pan = Pan.parse(text)
    assert pan.brand.value == brand
    assert pan.reveal() == digits
    assert pan == Pan.parse(digits)


@pytest.mark.parametrize("number, brand", PUBLISHED)
@pytest.mark.parametrize("separator", [" ", "-"])
def test_every_published_number_parses_grouped_by_four(number, brand, separator):
    text = grouped(number, (4,) * ((len(number) + 3) // 4), separator)
    assert Pan.parse(text).brand.value == brand


@pytest.mark.parametrize("prefix, brand", [
    ("2221", "MASTERCARD"),
    ("2500", "MASTERCARD"),
    ("2720", "MASTERCARD"),
    ("51", "MASTERCARD"),
    ("55", "MASTERCARD"),
    ("622126", "UNIONPAY"),  # co-branded with Discover, which routes it; the card shows UnionPay
    ("622500", "UNIONPAY"),
    ("622925", "UNIONPAY"),
    ("622125", "UNIONPAY"),
    ("622926", "UNIONPAY"),
    ("620000", "UNIONPAY"),
])
def test_iin_ranges_most_specific_wins(prefix, brand):
    assert Pan.parse(random_pan(prefix, 16)).brand.value == brand


@pytest.mark.parametrize("prefix", ["2220", "2721"])
def test_just_outside_mastercard_2_series_is_unknown_brand(prefix):
    with pytest.raises(InvalidCard) as caught:
        Pan.parse(random_pan(prefix, 16))
    assert caught.value.reason is Reason.UNKNOWN_BRAND


# --- refusals -------------------------------------------------------------------------


def test_bad_checksum_is_refused_as_checksum():
    digits = with_bad_check_digit(random_pan("4", 16))
    with pytest.raises(InvalidCard) as caught:
        Pan.parse(digits)
    assert caught.value.reason is Reason.CHECKSUM
    assert digits not in str(caught.value)


@pytest.mark.parametrize("number", [number for number, _ in PUBLISHED])
def test_published_numbers_with_wrong_check_digit_fail_checksum(number):
    with pytest.raises(InvalidCard) as caught:
        Pan.parse(with_bad_check_digit(number))
    assert caught.value.reason is Reason.CHECKSUM


@pytest.mark.parametrize("prefix, length, brand, lengths_text, reason", [
    ("4", 15, "VISA", "13, 16 or 19", Reason.LENGTH),
    ("4", 14, "VISA", "13, 16 or 19", Reason.LENGTH),
    ("5555", 15, "MASTERCARD", "16", Reason.TOO_SHORT),
    ("37", 16, "AMEX", "15", Reason.TOO_LONG_NUMBER),
    ("6011", 15, "DISCOVER", "16 to 19", Reason.TOO_SHORT),
])
def test_wrong_length_for_brand_names_the_brand(prefix, length, brand, lengths_text, reason):
    digits = random_pan(prefix, length)
    with pytest.raises(InvalidCard) as caught:
        Pan.parse(digits)
    assert caught.value.reason is reason
    message = str(caught.value)
    assert message == f"{reason.value}: {brand} cards have {lengths_text} digits"
    assert digits not in message


@pytest.mark.parametrize("text", [
    "",
    "   ",
    "abcd efgh ijkl mnop",
    "12ab",
    "4242 4242 4242 424a",
    "4242    4242 4242 4242",
    "4242--4242-4242-4242",
    "4242 -4242 4242 4242",
    "-4242424242424242",
    "4242424242424242-",
    "4242.4242.4242.4242",
    "4242/4242/4242/4242",
    "42",
])
def test_non_numbers_are_refused_as_not_a_card_number(text):
    with pytest.raises(InvalidCard) as caught:
        Pan.parse(text)
    assert caught.value.reason is Reason.NOT_A_CARD_NUMBER


@pytest.mark.parametrize("prefix", ["1", "9"])
def test_unknown_brand_is_refused(prefix):
    with pytest.raises(InvalidCard) as caught:
        Pan.parse(random_pan(prefix, 16))
    assert caught.value.reason is Reason.UNKNOWN_BRAND


@pytest.mark.parametrize("text", [
    # Luhn-valid 4242... written with Arabic-Indic digits after the leading 4.
    "4" + "242424242424242".translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")),
    # Full-width digits, as some input methods type them.
    "4242424242424242".translate(str.maketrans("0123456789", "０１２３４５６７８９")),
], ids=["arabic-indic", "fullwidth"])
def test_non_ascii_digits_are_normalised(text):
    """A PAN must end up as ASCII digits: the vault stores reveal() and __eq__ uses compare_digest."""
    assert Pan.parse(text).reveal() == "4242424242424242"


def test_invalid_card_is_a_value_error_with_reason_text():
    error = InvalidCard(Reason.CHECKSUM)
    assert isinstance(error, ValueError)
    assert str(error) == "The card number has a typo"


@pytest.mark.parametrize("make_text, expected", [
    (lambda: "4242 4242 4242 4242", True),
    (lambda: "3782-822463-10005", True),
    (lambda: random_pan("2720", 16), True),
    (lambda: with_bad_check_digit(random_pan("4", 16)), False),
    (lambda: random_pan("4", 15), False),
    (lambda: random_pan("1", 16), False),
    (lambda: random_pan("2721", 16), False),
    (lambda: "", False),
    (lambda: "12ab", False),
    (lambda: "4242 4242", False),
])
def test_is_valid_returns_bool(make_text, expected):
    assert Pan.is_valid(make_text()) is expected


# --- masking --------------------------------------------------------------------------

MASKING_CASES = [("4242424242424242", "VISA •••• 4242"), ("378282246310005", "AMEX •••• 0005")]


@pytest.mark.parametrize("digits, masked", MASKING_CASES)
def test_str_repr_and_format_show_only_brand_and_last4(digits, masked):
    pan = Pan.parse(digits)
    renderings = {
        "str": str(pan),
        "repr": repr(pan),
        "f-string": f"{pan}",
        "format spec": f"{pan:>30}",
        "format()": format(pan, "<25"),
        "str.format": "card {}".format(pan),
        "%s": "card %s" % pan,
        "%r": "card %r" % (pan,),
        "container": str([pan]),
    }
    assert renderings["str"] == masked
    assert renderings["repr"] == f"<Pan {masked}>"
    assert renderings["format spec"] == masked.rjust(30)
    for how, text in renderings.items():
        assert digits not in text, how
        assert digits_in(text) == digits[-4:], how


@pytest.mark.parametrize("digits, masked", MASKING_CASES)
def test_exception_messages_embedding_a_pan_are_masked(digits, masked):
    pan = Pan.parse(digits)
    for error in (RuntimeError(f"charge failed for {pan}"), RuntimeError("charge failed", pan), RuntimeError(pan),
                  InvalidCard(Reason.EXPIRED, f" for {pan}")):
        for text in (str(error), repr(error)):
            assert digits not in text
            assert digits_in(text) == digits[-4:]
            assert masked in text


def test_logging_a_pan_is_masked(caplog):
    pan = Pan.parse("4242424242424242")
    with caplog.at_level(logging.INFO, logger="posapp.test_card"):
        logging.getLogger("posapp.test_card").info("charging %s / %r", pan, pan)
    assert caplog.records[0].getMessage() == "charging VISA •••• 4242 / <Pan VISA •••• 4242>"


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_pickling_a_pan_is_refused(protocol):
    pan = Pan.parse("4242424242424242")
    with pytest.raises(TypeError):
        pickle.dumps(pan, protocol=protocol)
    with pytest.raises(TypeError):
        pickle.dumps(Card(pan, Expiry(12, 2029)), protocol=protocol)


def test_copy_and_deepcopy_return_an_equal_pan():
    pan = Pan.parse("4242424242424242")
    for duplicate in (copy.copy(pan), copy.deepcopy(pan), copy.deepcopy({"pan": pan})["pan"]):
        assert duplicate == pan
        assert duplicate.reveal() == "4242424242424242"
        assert duplicate.brand is Brand.VISA


def test_equal_pans_hash_alike_and_different_pans_differ():
    assert Pan.parse("4242 4242 4242 4242") == Pan.parse("4242424242424242")
    assert hash(Pan.parse("4242 4242 4242 4242")) == hash(Pan.parse("4242424242424242"))
    assert Pan.parse("4242424242424242") != Pan.parse("4111111111111111")
    assert Pan.parse("4242424242424242") != "4242424242424242"


def test_generic_dumps_of_a_card_show_only_the_masked_number():
    """What a debugger, pprint or a JSON dump of a card's fields shows: brand and last 4 only."""
    number = random_pan("4", 16)
    card = Card(Pan.parse(number), Expiry(12, 2029))
    with pytest.raises(TypeError):
        vars(card.pan)  # no __dict__ for a dumper to walk: the digits sit in a slot
    shown = [repr(vars(card)), pprint.pformat(card),
             json.dumps(dataclasses.asdict(card), default=str, ensure_ascii=False)]
    for text in shown:
        assert number not in text and f"VISA •••• {number[-4:]}" in text


def test_reveal_returns_the_digits():
    assert Pan.parse("4242-4242-4242-4242").reveal() == "4242424242424242"


@pytest.mark.parametrize("name, value", [("brand", Brand.AMEX), ("_digits", "4111111111111111"), ("other", 1)])
def test_pan_attributes_cannot_be_set(name, value):
    pan = Pan.parse("4242424242424242")
    with pytest.raises(AttributeError):
        setattr(pan, name, value)
    assert pan.brand is Brand.VISA
    assert pan.reveal() == "4242424242424242"


@pytest.mark.parametrize("name", ["brand", "_digits"])
def test_pan_attributes_cannot_be_deleted(name):
    pan = Pan.parse("4242424242424242")
    with pytest.raises(AttributeError):
        delattr(pan, name)
    assert pan.brand is Brand.VISA
    assert pan.reveal() == "4242424242424242"


# --- expiry ---------------------------------------------------------------------------


@pytest.mark.parametrize("text, month, year, shown", [
    ("12/29", 12, 2029, "12/29"),
    ("1/30", 1, 2030, "01/30"),
    ("01/30", 1, 2030, "01/30"),
    ("12/2031", 12, 2031, "12/31"),
    (" 07/28 ", 7, 2028, "07/28"),
    ("1229", 12, 2029, "12/29"),
    ("122029", 12, 2029, "12/29"),
    ("12-29", 12, 2029, "12/29"),
    ("12.29", 12, 2029, "12/29"),
    ("12 29", 12, 2029, "12/29"),
    ("12 / 2029", 12, 2029, "12/29"),
    ("１２／２９", 12, 2029, "12/29"),
])
def test_expiry_parse(text, month, year, shown):
    expiry = Expiry.parse(text)
    assert expiry == Expiry(month, year)
    assert str(expiry) == shown


@pytest.mark.parametrize("text", ["13/29", "00/29", "1329", "ab/cd", "", "12/", "/29", "12--29", "12/293", "12/1999", "129", "2029/12", "12\n\n\n\n29"])
def test_bad_expiry_is_refused(text):
    with pytest.raises(InvalidCard) as caught:
        Expiry.parse(text)
    assert caught.value.reason is Reason.BAD_EXPIRY


@pytest.mark.parametrize("expiry, last_good_day, first_bad_day", [
    (Expiry(12, 2029), datetime.date(2029, 12, 31), datetime.date(2030, 1, 1)),
    (Expiry(2, 2028), datetime.date(2028, 2, 29), datetime.date(2028, 3, 1)),
    (Expiry(6, 2025), datetime.date(2025, 6, 30), datetime.date(2025, 7, 1)),
])
def test_card_is_good_through_the_last_day_of_its_expiry_month(expiry, last_good_day, first_bad_day):
    card = Card(Pan.parse("4242424242424242"), expiry)
    card.check_not_expired(datetime.date(expiry.year, expiry.month, 1))
    card.check_not_expired(last_good_day)  # does not raise
    with pytest.raises(InvalidCard) as caught:
        card.check_not_expired(first_bad_day)
    assert caught.value.reason is Reason.EXPIRED
    assert str(expiry) in str(caught.value)


def test_card_without_expiry_is_never_expired():
    Card(Pan.parse("4242424242424242")).check_not_expired(datetime.date(2099, 12, 31))


# --- typed card input -----------------------------------------------------------------


@pytest.mark.parametrize("text, digits, expiry", [
    ("4242424242424242", "4242424242424242", None),
    ("4242424242424242 12/29", "4242424242424242", Expiry(12, 2029)),
    ("4242 4242 4242 4242 12/29", "4242424242424242", Expiry(12, 2029)),
    ("4242-4242-4242-4242 1/30", "4242424242424242", Expiry(1, 2030)),
    ("3782 822463 10005 12/2031", "378282246310005", Expiry(12, 2031)),
    ("4242424242424242 12/29\n", "4242424242424242", Expiry(12, 2029)),
    ("4242 4242 4242 4242   \n", "4242424242424242", None),
    ("  5555555555554444\t06/25 \r\n", "5555555555554444", Expiry(6, 2025)),
])
def test_parse_card_input_typed(text, digits, expiry):
    card = parse_card_input(text, TODAY)
    assert card.pan.reveal() == digits
    assert card.expiry == expiry
    assert card.holder is None


@pytest.mark.parametrize("text, reason", [
    ("4242424242424242 05/25", Reason.EXPIRED),
    ("4242 4242 4242 4242 12/2024", Reason.EXPIRED),
    ("4242424242424242 13/29", Reason.BAD_EXPIRY),
    ("4242424242424241 12/29", Reason.CHECKSUM),
    ("4242 4242 4242 4242 12/29 extra", Reason.NOT_A_CARD_NUMBER),
    ("", Reason.NOT_A_CARD_NUMBER),
])
def test_parse_card_input_refusals(text, reason):
    with pytest.raises(InvalidCard) as caught:
        parse_card_input(text, TODAY)
    assert caught.value.reason is reason
    assert "4242424242424242" not in str(caught.value)


# --- magnetic stripe ------------------------------------------------------------------


def discretionary(length: int) -> str:
    return "".join(random.SystemRandom().choice("0123456789") for _ in range(length))


def track1(pan: str, yymm: str = "2912", name: str = "DOE/JOHN A", service: str = "101", extra: str = "") -> str:
    return f"%B{pan}^{name}^{yymm}{service}{extra}?"


def track2(pan: str, yymm: str = "2912", service: str = "101", extra: str = "") -> str:
    return f";{pan}={yymm}{service}{extra}?"


def assert_nothing_beyond_pan_holder_expiry(card: Card, extra: str) -> None:
    """Only last 4, month and year may show: no service code, no discretionary data."""
    assert [field.name for field in dataclasses.fields(card)] == ["pan", "expiry", "holder"]
    for text in (repr(card), str(card)):
        assert extra not in text
        assert card.pan.reveal() not in text
        assert re.findall(r"\d+", text) == [card.pan.last4, "12", "2029"]


def test_swipe_with_both_tracks():
    pan, extra = random_pan("4", 16), discretionary(20)
    card = parse_card_input(track1(pan, extra=extra) + track2(pan, extra=extra[:13]) + "\n", TODAY)
    assert card.pan.reveal() == pan
    assert card.holder == "JOHN A DOE"
    assert card.expiry == Expiry(12, 2029)
    assert_nothing_beyond_pan_holder_expiry(card, extra[:13])


def test_swipe_track2_only():
    pan, extra = random_pan("5555", 16), discretionary(13)
    card = parse_card_input(track2(pan, extra=extra), TODAY)
    assert card.pan.reveal() == pan
    assert card.holder is None
    assert card.expiry == Expiry(12, 2029)
    assert_nothing_beyond_pan_holder_expiry(card, extra)


def test_swipe_track1_only():
    pan, extra = random_pan("37", 15), discretionary(20)
    card = parse_card_input(track1(pan, extra=extra), TODAY)
    assert card.pan.reveal() == pan
    assert card.pan.brand is Brand.AMEX
    assert card.holder == "JOHN A DOE"
    assert card.expiry == Expiry(12, 2029)
    assert_nothing_beyond_pan_holder_expiry(card, extra)


def test_parse_swipe_directly_matches_parse_card_input():
    pan = random_pan("4", 16)
    text = track1(pan) + track2(pan)
    assert parse_swipe(text, TODAY) == parse_card_input(text, TODAY)


def test_swipe_with_different_pans_on_the_two_tracks_is_refused():
    with pytest.raises(InvalidCard) as caught:
        parse_card_input(track1(random_pan("4", 16)) + track2(random_pan("5555", 16)), TODAY)
    assert caught.value.reason is Reason.BAD_SWIPE


@pytest.mark.parametrize("text", ["%", "%garbage", "%B^^?", "%B4242424242424242", ";", ";42=?", "%E?;E?"])
def test_unreadable_swipe_is_refused(text):
    with pytest.raises(InvalidCard) as caught:
        parse_card_input(text, TODAY)
    assert caught.value.reason is Reason.BAD_SWIPE


@pytest.mark.parametrize("make_swipe", [
    lambda pan: track1(pan) + track2(pan),
    lambda pan: track2(pan),
    lambda pan: track1(pan),
])
def test_misread_swipe_with_bad_checksum_asks_for_another_swipe(make_swipe):
    pan = with_bad_check_digit(random_pan("4", 16))
    with pytest.raises(InvalidCard) as caught:
        parse_card_input(make_swipe(pan), TODAY)
    assert caught.value.reason is Reason.BAD_SWIPE
    assert pan not in str(caught.value)


def test_expired_swipe_is_refused_as_expired():
    pan = random_pan("4", 16)
    with pytest.raises(InvalidCard) as caught:
        parse_card_input(track1(pan, yymm="2505") + track2(pan, yymm="2505"), TODAY)
    assert caught.value.reason is Reason.EXPIRED
    assert pan not in str(caught.value)


def test_module_doctests_pass():
    failed, attempted = doctest.testmod(posapp.card)
    assert attempted > 0
    assert failed == 0
