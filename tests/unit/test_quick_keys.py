"""[[merchant.quick_keys]]: each key is checked when the settings load, like every setting, and a
bad one is refused in one line naming the file and the key."""

import json

import pytest
from cardgen import random_pan
from hypothesis import given
from hypothesis import strategies as st

from posapp import config
from posapp.app import Services
from posapp.config import ConfigError
from posapp.config_checks import QUICK_KEYS_MAX
from posapp.money import Money
from posapp.pan_detect import contains_pan


def load(tmp_path, text):
    path = tmp_path / "posapp.toml"
    path.write_text(text, encoding="utf-8")
    return path, config.load(path, env={"POSAPP_HOME": str(tmp_path / "home")})


def keys_text(*keys, currency="USD"):
    tables = "".join(f"[[merchant.quick_keys]]\nname = {json.dumps(name, ensure_ascii=False)}\n"
                     f"amount = {json.dumps(amount)}\n" for name, amount in keys)
    return f'[merchant]\ncurrency = "{currency}"\n\n{tables}'


def test_quick_keys_are_read_in_order_as_names_and_amounts_in_the_till_s_currency(tmp_path):
    _, settings = load(tmp_path, keys_text(("Coffee", "3.50"), ("Croissant ", "2"), currency="EUR"))
    assert [(key.name, key.amount) for key in settings.merchant.quick_keys] == [("Coffee", "3.50"), ("Croissant", "2")]
    assert Services(settings).quick_keys == (("Coffee", Money(350, "EUR")), ("Croissant", Money(200, "EUR")))


def test_no_quick_keys_by_default(tmp_path):
    _, settings = load(tmp_path, "")
    assert settings.merchant.quick_keys == () and Services(settings).quick_keys == ()


@pytest.mark.parametrize(("keys", "currency", "reason"), [
    ([("Coffee", "3.505")], "USD", "table 1: amount: USD amounts have at most 2 decimals (the till's currency is USD)"),
    ([("Ramen", "980.5")], "JPY", "table 1: amount: JPY amounts have no decimals (the till's currency is JPY)"),
    ([("Tea", "2"), ("Free", "0.00")], "USD", "table 2: amount: the amount must be more than zero"),
    ([("Tea", "3,50")], "USD", 'table 1: amount: write the amount with digits and a dot, like "3.50"'),
    ([("Tea", "-3")], "USD", 'table 1: amount: write the amount with digits and a dot, like "3.50"'),
    ([("", "3")], "USD", "table 1: name: the name must be 1 to 255 bytes of printable text, as an order name"),
    ([("é" * 128, "3")], "USD", "table 1: name: the name must be 1 to 255 bytes of printable text, as an order name"),
    ([("Tea\u202e", "3")], "USD", "table 1: name: the name must be 1 to 255 bytes of printable text, as an order name"),
    ([("Tea", "3")] * (QUICK_KEYS_MAX + 1), "USD", f"at most {QUICK_KEYS_MAX} quick keys, not {QUICK_KEYS_MAX + 1}"),
])
def test_a_bad_quick_key_is_refused_in_one_line_naming_the_file_and_the_key(tmp_path, keys, currency, reason):
    with pytest.raises(ConfigError) as refused:
        load(tmp_path, keys_text(*keys, currency=currency))
    assert str(refused.value) == f"{tmp_path / 'posapp.toml'}: [merchant] quick_keys: {reason}"


@pytest.mark.parametrize(("text", "reason"), [
    ('[merchant]\nquick_keys = ["Coffee"]\n', "must be a list of tables ([[section.key]]), not a list holding text"),
    ('[merchant]\nquick_keys = [{ name = "Tea" }]\n', "table 1: amount missing"),
    ('[merchant]\nquick_keys = [{ name = "Tea", amount = "3", colour = "red" }]\n',
     "table 1: unknown key colour (known: name, amount)"),
    ('[merchant]\nquick_keys = [{ name = "Tea", amount = 3.5 }]\n',
     "table 1: amount: must be text, not a decimal number"),
])
def test_a_quick_key_of_the_wrong_shape_is_named(tmp_path, text, reason):
    with pytest.raises(ConfigError) as refused:
        load(tmp_path, text)
    assert str(refused.value) == f"{tmp_path / 'posapp.toml'}: [merchant] quick_keys: {reason}"


def test_a_card_number_in_a_quick_key_is_refused_and_never_repeated(tmp_path):
    number = random_pan("4", 16)
    with pytest.raises(ConfigError) as refused:
        load(tmp_path, keys_text(("Coffee", "3"), (f"Card {number}", "3")))
    message = str(refused.value)
    assert message.endswith("[merchant] quick_keys: table 2: name: looks like a card number; settings never hold "
                            "card data")
    assert number not in message


# Printable text of any script; a card number is refused (above), so none is made here.
names = st.text(st.characters(codec="utf-8", categories=("L", "N", "P"), include_characters=" "), min_size=1,
                max_size=40).filter(lambda name: name.strip() and not contains_pan(name))
amounts = st.integers(1, 99_999_99).map(lambda cents: f"{cents // 100}.{cents % 100:02d}")


@given(st.lists(st.tuples(names, amounts), min_size=1, max_size=QUICK_KEYS_MAX))
def test_any_sound_quick_keys_load_as_written(tmp_path_factory, keys):
    _, settings = load(tmp_path_factory.mktemp("keys"), keys_text(*keys))
    assert [(key.name, Money.parse(key.amount)) for key in settings.merchant.quick_keys] == [
        (name.strip(), Money.parse(amount)) for name, amount in keys]
