"""The card verification code: checked per brand, never shown, never copied out of memory."""

import copy
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from posapp.card import Brand
from posapp.cvc import Cvc, InvalidCvc, split_cvc


@pytest.mark.parametrize(("text", "brand"), [("123", Brand.VISA), (" 999 ", Brand.MASTERCARD), ("1234", Brand.AMEX)])
def test_the_brands_number_of_digits_is_taken(text, brand):
    assert Cvc.parse(text, brand).reveal() == text.strip()


@given(text=st.text(max_size=8), brand=st.sampled_from(Brand))
def test_anything_else_is_refused_without_repeating_it(text, brand):
    wanted = 4 if brand is Brand.AMEX else 3
    digits = text.strip()
    if len(digits) == wanted and digits.isascii() and digits.isdigit():
        assert Cvc.parse(text, brand).reveal() == digits
        return
    with pytest.raises(InvalidCvc) as refused:
        Cvc.parse(text, brand)
    assert refused.value.sentence() == (f"The {brand.value} verification code is {wanted} digits, "
                                        f"printed on the {'front' if brand is Brand.AMEX else 'back'} of the card")


def test_it_never_shows_its_digits():
    code = Cvc.parse("987", Brand.VISA)
    assert "987" not in f"{code} {code!r} {code:>10} {[code]} {dict(c=code)}"
    with pytest.raises(TypeError):
        pickle.dumps(code)
    assert copy.deepcopy(code) is code
    with pytest.raises(AttributeError):
        code._digits = "111"


@pytest.mark.parametrize(("line", "card", "code"), [
    ("4242 4242 4242 4242 12/29 123", "4242 4242 4242 4242 12/29", "123"),
    ("4242424242424242 12/2029 1234", "4242424242424242 12/2029", "1234"),
    ("4242-4242-4242-4242 12/29  12x ", "4242-4242-4242-4242 12/29", "12x"),  # refused by Cvc.parse, not lost
    ("4242 4242 4242 4242 12/29", "4242 4242 4242 4242 12/29", None),
    ("4242 4242 4242 4242", "4242 4242 4242 4242", None),
    ("%B4242424242424242^DOE/JO^2912101?", "%B4242424242424242^DOE/JO^2912101?", None),  # a swipe has no code
    (";4242424242424242=29121010000? 123", ";4242424242424242=29121010000? 123", None),
])
def test_a_code_typed_after_the_expiry_is_split_off(line, card, code):
    assert split_cvc(line) == (card, code)
