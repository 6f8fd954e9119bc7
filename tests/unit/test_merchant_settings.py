"""[merchant] currency: the till's currency, validated like every other setting."""

import pytest

from posapp import config
from posapp.errors import ConfigError


def load(tmp_path, text):
    path = tmp_path / "posapp.toml"
    path.write_text(text)
    return config.load(path, env={"POSAPP_HOME": str(tmp_path / "home")}), path


def test_a_till_without_the_setting_sells_in_usd(tmp_path):
    settings, _ = load(tmp_path, '[workstation]\nid = "till-01"\n')
    assert settings.merchant.currency == "USD"


def test_the_setting_names_the_tills_currency(tmp_path):
    settings, _ = load(tmp_path, '[merchant]\ncurrency = "EUR"\n')
    assert settings.merchant.currency == "EUR"


@pytest.mark.parametrize(("value", "reason"), [
    ('"EGX"', "unknown currency 'EGX': use an ISO 4217 code such as USD or EUR"),
    ('"eur"', "unknown currency 'eur': use an ISO 4217 code such as USD or EUR"),
    ('"4111 1111 1111 1111"', "looks like a card number; settings never hold card data"),
    ("978", "must be text, not int"),
])
def test_a_bad_currency_is_refused_in_one_line_naming_file_and_key(tmp_path, value, reason):
    with pytest.raises(ConfigError) as refused:
        load(tmp_path, f"[merchant]\ncurrency = {value}\n")
    assert str(refused.value) == f"{tmp_path / 'posapp.toml'}: [merchant] currency: {reason}"
