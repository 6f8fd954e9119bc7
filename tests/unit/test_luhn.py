"""The one Luhn module: its examples, and its fast substring check agreeing with the plain one."""

import doctest

import pytest
from hypothesis import given
from hypothesis import strategies as st

from posapp import luhn


def test_the_documented_examples_hold():
    failed, attempted = doctest.testmod(luhn)
    assert attempted > 0 and failed == 0


@given(st.text(alphabet="0123456789", min_size=2, max_size=40))
def test_the_substring_check_agrees_with_the_plain_check(digits):
    check = luhn.Substrings(digits)
    for begin in range(len(digits)):
        for end in range(begin + 2, len(digits) + 1):
            assert check.is_valid(begin, end) == luhn.is_valid(digits[begin:end])


@given(st.text(alphabet="0123456789", min_size=1, max_size=30))
def test_the_check_digit_makes_a_valid_number(body):
    assert luhn.is_valid(body + luhn.check_digit(body))


@pytest.mark.parametrize("text", ["", "4", "4242 4242", "٤٢٤٢", "42a2"])
def test_what_is_not_a_string_of_digits_is_not_valid(text):
    assert not luhn.is_valid(text)
