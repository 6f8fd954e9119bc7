"""Every accepted brand is recognised at the edges of its IIN ranges and at each of its lengths."""

import datetime
import doctest

import pytest
from cardgen import random_pan

import posapp.iin
from posapp.card import Brand, InvalidCard, Pan, Reason, parse_card_input

# Prefixes at and just beyond the edges of each range, with the brand a cashier must see.
EDGES = [
    ("4", "VISA"), ("49", "VISA"), ("493697", "VISA"), ("493698", "MAESTRO"), ("493699", "VISA"),
    ("51", "MASTERCARD"), ("55", "MASTERCARD"), ("2221", "MASTERCARD"), ("2500", "MASTERCARD"),
    ("2720", "MASTERCARD"),
    ("34", "AMEX"), ("37", "AMEX"),
    ("6011", "DISCOVER"), ("644", "DISCOVER"), ("649", "DISCOVER"), ("65", "DISCOVER"), ("659999", "DISCOVER"),
    ("3528", "JCB"), ("3589", "JCB"),
    ("300", "DINERS"), ("305", "DINERS"), ("3095", "DINERS"), ("36", "DINERS"), ("38", "DINERS"), ("39", "DINERS"),
    # UnionPay, its ranges co-branded with Discover included: the card shows UnionPay.
    ("62", "UNIONPAY"), ("620000", "UNIONPAY"), ("622125", "UNIONPAY"), ("622126", "UNIONPAY"),
    ("622925", "UNIONPAY"), ("622926", "UNIONPAY"), ("624000", "UNIONPAY"), ("628200", "UNIONPAY"),
    ("8100", "UNIONPAY"), ("8171", "UNIONPAY"),
    ("50", "MAESTRO"), ("5018", "MAESTRO"), ("56", "MAESTRO"), ("59", "MAESTRO"), ("5893", "MAESTRO"),
    ("6010", "MAESTRO"), ("6012", "MAESTRO"), ("643", "MAESTRO"), ("6304", "MAESTRO"), ("66", "MAESTRO"),
    ("6759", "MAESTRO"), ("6761", "MAESTRO"), ("6771", "MAESTRO"), ("69", "MAESTRO"),
]
# Beyond every accepted range: Mir (2200-2204), UATP (1), the gaps around JCB, Diners and UnionPay's 81.
OUTSIDE = ["1", "2200", "2220", "2721", "306", "31", "33", "3527", "3590", "3094", "3096", "7", "8099",
           "8172", "9"]


@pytest.mark.parametrize("prefix, brand", EDGES)
def test_each_range_edge_gives_the_brand_on_the_card(prefix, brand):
    length = min(posapp.iin.LENGTHS[Brand(brand)] - {13})
    assert Pan.parse(random_pan(prefix, length)).brand.value == brand


@pytest.mark.parametrize("prefix", OUTSIDE)
def test_numbers_outside_every_range_are_not_accepted(prefix):
    with pytest.raises(InvalidCard) as caught:
        Pan.parse(random_pan(prefix, 16))
    assert caught.value.reason is Reason.UNKNOWN_BRAND


def test_the_maestro_card_of_the_report_is_accepted():
    card = parse_card_input("6771 7980 2100 0008", datetime.date(2025, 6, 15))
    assert (card.pan.brand, card.pan.last4) == (Brand.MAESTRO, "0008")


BRAND_PREFIX = {"VISA": "4", "MASTERCARD": "51", "AMEX": "37", "DISCOVER": "6011", "JCB": "3530",
                "DINERS": "36", "UNIONPAY": "62", "MAESTRO": "6771"}
LENGTHS = {"VISA": {13, 16, 19}, "MASTERCARD": {16}, "AMEX": {15}, "DISCOVER": set(range(16, 20)),
           "JCB": set(range(16, 20)), "DINERS": {14, 16, 19}, "UNIONPAY": set(range(16, 20)),
           "MAESTRO": set(range(12, 20))}


@pytest.mark.parametrize("brand", sorted(LENGTHS))
@pytest.mark.parametrize("length", range(11, 21))
def test_each_brand_takes_exactly_its_lengths(brand, length):
    digits = random_pan(BRAND_PREFIX[brand], length)
    if length in LENGTHS[brand]:
        assert Pan.parse(digits).brand.value == brand
        return
    with pytest.raises(InvalidCard) as caught:
        Pan.parse(digits)
    lengths = LENGTHS[brand]
    reason = (Reason.TOO_SHORT if length < min(lengths) else Reason.TOO_LONG_NUMBER if length > max(lengths)
              else Reason.LENGTH)
    assert caught.value.reason is reason
    assert digits not in str(caught.value)
    if 12 <= length <= 19:
        assert str(caught.value).startswith(f"{reason.value}: {brand} cards have ")


def test_table_doctests_pass():
    failed, attempted = doctest.testmod(posapp.iin)
    assert attempted > 0
    assert failed == 0
