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
    ("978", "must be text, not a whole number"),
])
def test_a_bad_currency_is_refused_in_one_line_naming_file_and_key(tmp_path, value, reason):
    with pytest.raises(ConfigError) as refused:
        load(tmp_path, f"[merchant]\ncurrency = {value}\n")
    assert str(refused.value) == f"{tmp_path / 'posapp.toml'}: [merchant] currency: {reason}"


def test_the_receipt_header_locale_and_zone_are_read_as_written(tmp_path):
    settings, _ = load(tmp_path, '[merchant]\nname = "Café Müller"\naddress = ["Hauptstraße 1", "10115 Berlin"]\n'
                                 'tax_id = "DE123456789"\nreceipt_footer = "Danke!"\nlocale = "de-DE"\n'
                                 'timezone = "Europe/Berlin"\n[receipts]\nprinter = "escpos-network:10.0.0.9:9100"\n')
    merchant = settings.merchant
    assert (merchant.name, merchant.address, merchant.tax_id, merchant.receipt_footer) == (
        "Café Müller", ("Hauptstraße 1", "10115 Berlin"), "DE123456789", "Danke!")
    assert (merchant.locale, merchant.timezone, settings.receipts.printer) == (
        "de_DE", "Europe/Berlin", "escpos-network:10.0.0.9:9100")


def test_unset_locale_and_zone_are_the_systems(tmp_path):
    settings, _ = load(tmp_path, '[workstation]\nid = "till-01"\n')
    assert (settings.merchant.locale, settings.merchant.timezone, settings.receipts.printer) == (None, None, "system")


@pytest.mark.parametrize(("line", "reason"), [
    ('locale = "xx_QQ"', "unknown locale 'xx_QQ': use a language and country code, like de_DE or en_US"),
    ('timezone = "Europe/Atlantis"', "unknown time zone 'Europe/Atlantis': use an IANA name, like Europe/Berlin"),
    ('timezone = "../../etc/passwd"', "unknown time zone '../../etc/passwd': use an IANA name, like Europe/Berlin"),
    ('name = ""', "use 1 to 64 printable characters on one line"),
    ('name = "' + "x" * 65 + '"', "use 1 to 64 printable characters on one line"),
    ('receipt_footer = "two\\nlines"', "use 1 to 64 printable characters on one line"),
    ('address = "1 Main Street"', 'must be a list of text, like ["first line", "second line"], not text'),
    ('address = ["a", "b", "c", "d", "e"]', "at most 4 lines"),
    ('address = ["4111 1111 1111 1111"]', "looks like a card number; settings never hold card data"),
    ('tax_id = 12345', "must be text, not a whole number"),
])
def test_bad_merchant_settings_are_refused_in_one_line(tmp_path, line, reason):
    with pytest.raises(ConfigError) as refused:
        load(tmp_path, f"[merchant]\n{line}\n")
    key = line.split(" ")[0]
    assert str(refused.value) == f"{tmp_path / 'posapp.toml'}: [merchant] {key}: {reason}"


@pytest.mark.parametrize("printer", ["printer", "escpos-network:host", "escpos-network:host:0",
                                     "escpos-network:host:70000", "escpos-usb:4b8:0202", "escpos-file:relative/path",
                                     "cups:office"])
def test_a_printer_of_another_form_is_refused(tmp_path, printer):
    with pytest.raises(ConfigError, match=r"\[receipts\] printer: (use \"system\"|the port must be)"):
        load(tmp_path, f'[receipts]\nprinter = "{printer}"\n')
