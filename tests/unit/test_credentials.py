"""The rules a new PIN or password must meet (PCI DSS 8.3.6), and that no refusal repeats it."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from posapp.access.credentials import WeakSecret, check_new_secret, hash_secret, is_guessable, matches
from posapp.access.roles import Role

OTHER_ROLES = [Role.SUPERVISOR, Role.BACKOFFICE, Role.ADMIN]


RUN = "that PIN is easy to guess: use at least 4 different digits, not counting up or down or repeating a pattern"
# Every sentence a refusal may be: fixed, so none can carry the secret (or a part of it).
RULES = {"a secret has at most 128 characters", "a secret cannot hold control characters",
         "a cashier's PIN is digits only", "a cashier's PIN has at least 6 digits", RUN,
         "a PIN cannot be a card number",
         "a password (every role but cashier signs in with one) has at least 12 characters",
         "a password holds both letters and digits", "a password cannot contain the login"}


def refusal(role, secret, login="anna"):
    """The sentence refusing ``secret``: one of RULES, whatever the secret."""
    with pytest.raises(WeakSecret) as refused:
        check_new_secret(role, secret, login=login)
    sentence = str(refused.value)
    assert sentence in RULES
    return sentence


def is_run(digits):
    steps = {(int(b) - int(a)) % 10 for a, b in zip(digits, digits[1:])}
    return len(steps) == 1 and steps <= {0, 1, 9}


def card_like(digits):
    from posapp.pan_detect import contains_pan

    return contains_pan(digits)


@given(st.text("0123456789", min_size=6, max_size=20).filter(
    lambda pin: not is_run(pin) and len(set(pin)) >= 4 and not card_like(pin)))
def test_a_pin_of_six_or_more_different_enough_digits_is_taken_unless_it_repeats_a_block(pin):
    repeats = any(len(pin) % size == 0 and pin == pin[:size] * (len(pin) // size) for size in range(1, len(pin)))
    if repeats:
        assert refusal(Role.CASHIER, pin) == RUN
    else:
        assert check_new_secret(Role.CASHIER, pin, login="anna") == pin


@pytest.mark.parametrize("pin", ["121212", "123123", "112233", "111222", "12341234", "909090", "505050"])
def test_repeated_patterns_and_few_different_digits_are_refused(pin):
    assert is_guessable(pin) and refusal(Role.CASHIER, pin) == RUN


def test_a_card_number_is_no_pin():
    from cardgen import random_pan

    assert refusal(Role.CASHIER, random_pan("4", 16)) == "a PIN cannot be a card number"


@given(st.text("0123456789", min_size=1, max_size=5))
def test_a_pin_shorter_than_six_digits_is_refused(pin):
    assert refusal(Role.CASHIER, pin) == "a cashier's PIN has at least 6 digits"


@pytest.mark.parametrize("pin", ["123456", "000000", "987654", "890123", "3210987", "99999999", "0123456789"])
def test_runs_of_digits_are_refused(pin):
    assert refusal(Role.CASHIER, pin) == RUN


@given(st.text(min_size=6, max_size=20).filter(lambda pin: not (pin.isascii() and pin.isdigit())))
def test_a_pin_that_is_not_ascii_digits_is_refused(pin):
    refusal(Role.CASHIER, pin)


@pytest.mark.parametrize("pin", ["１２８４５７", "١٢٨٤٥٧", "12 84 57", "128457\n"])
def test_lookalike_digits_and_spaces_are_no_pin(pin):
    refusal(Role.CASHIER, pin)


@pytest.mark.parametrize("role", OTHER_ROLES)
@given(letters=st.text("abcdefghXYZ", min_size=1, max_size=10), digits=st.text("0123456789", min_size=1, max_size=10))
def test_a_password_of_twelve_with_letters_and_digits_is_taken(role, letters, digits):
    password = (letters + digits + "Qq9" * 4)[:max(12, len(letters) + len(digits))]
    assert check_new_secret(role, password, login="anna") == password


@pytest.mark.parametrize("role", OTHER_ROLES)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Zs")),
               max_size=11))
def test_a_password_shorter_than_twelve_is_refused(role, password):
    assert refusal(role, password) == "a password (every role but cashier signs in with one) has at least 12 characters"


@pytest.mark.parametrize("password", ["correcthorsebattery", "1234567890123", "!!!!????####$$$$"])
def test_a_password_without_letters_and_digits_is_refused(password):
    assert refusal(Role.ADMIN, password) == "a password holds both letters and digits"


@given(st.from_regex(r"[a-z]{3,10}", fullmatch=True), st.text("abc123", min_size=12, max_size=20))
def test_a_password_containing_the_login_is_refused(login, rest):
    password = rest[:6] + login.upper() + rest[6:] + "a1"
    assert refusal(Role.SUPERVISOR, password, login=login) == "a password cannot contain the login"


@pytest.mark.parametrize("role", list(Role))
@given(secret=st.text(max_size=200))
def test_no_refusal_ever_contains_the_secret(role, secret):
    try:
        check_new_secret(role, secret, login="anna")
    except WeakSecret:
        refusal(role, secret)


def test_control_characters_and_overlong_secrets_are_refused():
    assert refusal(Role.ADMIN, "abc\x00def12345678") == "a secret cannot hold control characters"
    assert refusal(Role.ADMIN, "a1" * 65) == "a secret has at most 128 characters"


def test_a_hash_matches_only_its_own_secret_and_never_holds_it():
    secret = "Till-opens-at-0730"
    hashed = hash_secret(secret)
    assert hashed.startswith("$argon2id$") and secret not in hashed
    assert matches(hashed, secret)
    assert not matches(hashed, "Till-opens-at-0731")
    assert not matches("not a hash", secret)
    assert hash_secret(secret) != hashed  # salted
