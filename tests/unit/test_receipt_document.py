"""What a receipt says, read back from every format (plain text, the PDF through pdftotext, the
ESC/POS bytes as a printer prints them): the merchant's header, the order, date and time in the
merchant's zone, till, operator, item, amounts as the merchant's locale writes them, the status in
words, the card as brand and last 4, the processor's reference and approval code, the footer;
COPY on a reprint; long text wrapped, never cut; no card number, and none taken for one."""

import datetime
import re

import pytest
from cardgen import random_pan
from hypothesis import given, settings
from hypothesis import strategies as st
from leakscan import find_leaks
from receiptcheck import pdf_blobs, pdf_pages, pdf_text, printed_text

from posapp.card import Brand
from posapp.localization import Localization
from posapp.money import Money
from posapp.orders.base import Order
from posapp.orders.status import OrderStatus
from posapp.reports.document import WIDTH, columns, render_text
from posapp.reports.escpos import render_escpos
from posapp.reports.guard import CardDataInDocument
from posapp.reports.merchant import Merchant
from posapp.reports.pdf import render_pdf
from posapp.reports.receipt_document import COPY_BANNER, receipt

UTC = datetime.timezone.utc
SOLD = datetime.datetime(2026, 11, 29, 14, 5, 9, tzinfo=UTC)
MERCHANT = Merchant("Café Zürich", ("Bahnhofstrasse 1", "8001 Zürich"), "CHE-123.456.789 MWST",
                    "Danke für Ihren Besuch", "till-01")
GERMAN = Localization.named("de_DE", "Europe/Berlin")


def order(**changes):
    values = dict(id=17, name="Flat white", description="Oat milk, large", amount=Money(1050, "EUR"), token="tok",
                  card_brand=Brand.VISA, card_last4="4242", workstation="till-01", created_at=SOLD, operator="cara",
                  status=OrderStatus.PAID, processor="stripe", payment_reference="pi_3Nx8Kq2eZvKYlo2C",
                  authorization_code="831027", captured_minor=1050)
    return Order(**{**values, **changes})


def document(the_order=None, *, localization=GERMAN, merchant=MERCHANT, operator_name="Cara Doe", copy=False,
             printed_at=SOLD):
    return receipt(the_order or order(), merchant=merchant, localization=localization, operator_name=operator_name,
                   copy=copy, printed_at=printed_at)


def formats(the_document):
    """{format: the text a customer reads}, no-break spaces as spaces."""
    return {"text": render_text(the_document).replace("\u00a0", " "),
            "pdf": pdf_text(render_pdf(the_document, title="receipt")),
            "escpos": printed_text(render_escpos(the_document)).replace("\u00a0", " ")}


def field(text, name):
    """The value printed right of ``name`` on its line (the line's own text after the name)."""
    [value] = re.findall(rf"^\s*{re.escape(name)}\s+(.+?)\s*$", text, re.MULTILINE)
    return value


@pytest.mark.parametrize("form", ["text", "pdf", "escpos"])
def test_a_receipt_shows_every_field_in_every_format(form):
    text = formats(document())[form]
    for line in ("CAFÉ ZÜRICH", "Bahnhofstrasse 1", "8001 Zürich", "Tax ID: CHE-123.456.789 MWST", "SALE",
                 "Oat milk, large", "Danke für Ihren Besuch"):
        assert re.search(rf"^\s*{re.escape(line)}\s*$", text, re.MULTILINE), line
    assert {name: field(text, name) for name in ("Order", "Date", "Time", "Till", "Operator", "Flat white",
                                                 "Total (EUR)", "Status", "Card", "Reference", "Approval")} == {
        "Order": "17", "Date": "29.11.2026", "Time": "15:05:09 CET", "Till": "till-01", "Operator": "Cara Doe",
        "Flat white": "10,50 €", "Total (EUR)": "10,50 €", "Status": "PAID", "Card": "VISA •••• 4242",
        "Reference": "pi_3Nx8Kq2eZvKYlo2C", "Approval": "831027"}
    assert "COPY" not in text


def test_without_a_processor_or_names_the_receipt_says_so_and_shows_no_empty_fields():
    bare = order(processor=None, payment_reference=None, authorization_code=None, status=OrderStatus.RECORDED,
                 captured_minor=0, description=None, operator=None, workstation=None)
    text = formats(document(bare, operator_name=None, merchant=Merchant(None, (), None, None, "till-01")))["text"]
    assert "Reference" not in text and "Approval" not in text and "Tax ID" not in text
    assert (field(text, "Till"), field(text, "Operator"), field(text, "Status")) == (
        "—", "—", "RECORDED (card on file)")
    assert text.splitlines()[0].strip("-") == ""  # no header: the receipt starts at its rule


REFUNDED = dict(captured_minor=1050, refunded_minor=400)


@pytest.mark.parametrize(("status", "changes", "heading", "words"), [
    (OrderStatus.RECORDED, dict(processor=None, payment_reference=None, captured_minor=0), "CARD ON FILE",
     "RECORDED (card on file)"),
    (OrderStatus.PENDING, dict(payment_reference=None, captured_minor=0), "SALE", "PENDING (not confirmed)"),
    (OrderStatus.AUTHORIZED, dict(captured_minor=0), "AUTHORIZATION", "AUTHORIZED"),
    (OrderStatus.PAID, {}, "SALE", "PAID"),
    (OrderStatus.DECLINED, dict(decline_code="insufficient_funds", authorization_code=None, captured_minor=0),
     "DECLINED", "DECLINED (insufficient_funds)"),
    (OrderStatus.VOIDED, dict(captured_minor=0), "VOID", "VOIDED"),
    (OrderStatus.PARTIALLY_REFUNDED, REFUNDED, "REFUND", "REFUNDED 4,00 €, 6,50 € left"),
    (OrderStatus.REFUNDED, dict(captured_minor=1050, refunded_minor=1050), "REFUND", "REFUNDED 10,50 €"),
    (None, {}, "RECEIPT", "STATUS UNKNOWN"),
])
def test_each_status_has_its_heading_and_words(status, changes, heading, words):
    text = formats(document(order(status=status, **changes)))["text"]
    assert re.search(rf"^\s*{heading}\s*$", text, re.MULTILINE)
    assert field(text, "Status") == words


def test_a_refund_receipt_shows_what_was_refunded_and_what_is_left():
    partly = formats(document(order(status=OrderStatus.PARTIALLY_REFUNDED, **REFUNDED)))["pdf"]
    assert (field(partly, "Total (EUR)"), field(partly, "Refunded"), field(partly, "Left")) == (
        "10,50 €", "4,00 €", "6,50 €")
    whole = formats(document(order(status=OrderStatus.REFUNDED, captured_minor=1050, refunded_minor=1050)))["pdf"]
    assert (field(whole, "Refunded"), field(whole, "Left")) == ("10,50 €", "nothing")


def test_a_partial_capture_shows_what_was_captured():
    text = formats(document(order(captured_minor=800)))["escpos"]
    assert (field(text, "Total (EUR)"), field(text, "Captured")) == ("10,50 €", "8,00 €")
    assert "Captured" not in formats(document(order()))["escpos"]


@pytest.mark.parametrize("form", ["text", "pdf", "escpos"])
def test_a_copy_says_copy_at_its_top_and_bottom_and_when_it_was_printed(form):
    text = formats(document(copy=True, printed_at=datetime.datetime(2026, 12, 1, 9, 30, tzinfo=UTC)))[form]
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert [index for index, line in enumerate(lines) if line == COPY_BANNER] == [2 + 3, len(lines) - 3]
    assert field(text, "Copy printed") == "2026-12-01 10:30"  # Berlin's time, not UTC's


@pytest.mark.parametrize(("locale", "zone", "date", "time"), [
    ("de_DE", "Europe/Berlin", "29.11.2026", "15:05:09 CET"),
    ("en_US", "America/New_York", "Nov 29, 2026", "9:05:09 AM EST"),
    ("ja_JP", "Asia/Tokyo", "2026/11/29", "23:05:09 JST"),
])
def test_date_and_time_are_the_merchants_in_the_merchants_zone(locale, zone, date, time):
    for form, text in formats(document(localization=Localization.named(locale, zone))).items():
        assert (field(text, "Date"), field(text, "Time").replace("\u202f", " ")) == (date, time), form


@pytest.mark.parametrize(("locale", "money", "written", "printed"), [
    ("de_DE", Money(1050, "EUR"), "10,50 €", "10,50 €"),
    ("de_DE", Money(1050, "JPY"), "1.050 ¥", "1.050 ¥"),
    ("de_DE", Money(98765432, "EUR"), "987.654,32 €", "987.654,32 €"),
    ("en_US", Money(1050, "EUR"), "€10.50", "€10.50"),
    ("en_US", Money(123456, "USD"), "$1,234.56", "$1,234.56"),
    ("en_US", Money(1050, "JPY"), "¥1,050", "¥1,050"),
    # ja_JP writes the full-width yen sign, which the PDF font and the printers' code pages lack.
    ("ja_JP", Money(1050, "JPY"), "￥1,050", "¥1,050"),
    ("ja_JP", Money(1050, "EUR"), "€10.50", "€10.50"),
])
def test_amounts_are_written_as_the_merchants_locale_writes_them(locale, money, written, printed):
    the_order = order(amount=money, captured_minor=money.minor)
    texts = formats(document(the_order, localization=Localization.named(locale, "UTC")))
    expected = {"text": written, "pdf": printed, "escpos": printed}
    assert {form: field(text, f"Total ({money.currency})") for form, text in texts.items()} == expected
    assert {form: field(text, "Flat white") for form, text in texts.items()} == expected


def test_long_names_wrap_within_the_width_and_nothing_is_cut():
    name = "Seasonal tasting menu with wine pairing " * 4 + "Donaudampfschifffahrtsgesellschaftskapitänsmütze"
    description = "お好み焼き定食と味噌汁とご飯のセット" * 3  # wide characters: two columns each
    the_document = document(order(name=name, description=description))
    text = render_text(the_document)
    assert max(columns(line) for line in text.splitlines()) <= WIDTH
    squeezed = re.sub(r"\s+", "", text)
    assert re.sub(r"\s+", "", name) + "10,50€" in squeezed.replace("\u00a0", "")
    assert description in squeezed
    pdf = render_pdf(the_document, title="receipt")
    assert pdf_pages(pdf) == 1
    assert "Donaudampfschifffahrtsgesellschaftskapit" in pdf_text(pdf).replace("\n", "")


def test_stored_text_is_shown_never_obeyed():
    hostile = order(name="Tea\x1b[2J\x1b]0;owned\x07", description="\u202egnp.exe", workstation="till\r\n-02")
    texts = formats(document(hostile, operator_name="cara\x1bp\x00\x19ú"))
    for form, text in texts.items():
        assert "Tea\\x1b[2J\\x1b]0;owned\\x07" in text and "\\u202egnp.exe" in text, form
        assert field(text, "Operator") == "cara\\x1bp\\x00\\x19ú", form
        assert "\x1b" not in text and "\u202e" not in text, form
    # printed_text refuses any command it does not know: the name's ESC sequences are not in the bytes
    assert printed_text(render_escpos(document(hostile)))


def test_a_card_number_in_an_adopted_row_is_printed_masked_in_every_format():
    pans = [random_pan("4"), random_pan("51"), random_pan("37", 15)]
    adopted = order(name=f"Table 4 {pans[0]}", description=" ".join(pans[1][i:i + 4] for i in range(0, 16, 4)),
                    payment_reference=f"ref-{pans[2]}")
    the_document = document(adopted)
    texts = formats(the_document)
    assert f"Table 4 •••• {pans[0][-4:]}" in texts["text"]
    blobs = {"text": render_text(the_document).encode(), "escpos": render_escpos(the_document),
             **pdf_blobs(render_pdf(the_document, title="receipt"))}
    assert find_leaks(pans, [], blobs=blobs) == []


@pytest.mark.parametrize("render", [render_text, render_escpos, lambda doc: render_pdf(doc, title="receipt")])
def test_a_card_number_that_reaches_a_receipt_stops_it_naming_the_field(render):
    pan = random_pan("4")
    with pytest.raises(CardDataInDocument) as refused:
        render(document(operator_name=f"Cara {pan}"))
    assert "receipt of order 17 was not written: its operator holds what looks like a card number" in str(refused.value)
    assert pan[-8:] not in str(refused.value)
    with pytest.raises(CardDataInDocument, match="its merchant name holds"):
        render(document(merchant=Merchant(pan, (), None, None, "till-01")))


LOCALES = [("de_DE", "Europe/Berlin"), ("en_US", "America/New_York"), ("ja_JP", "Asia/Tokyo"),
           ("fr_FR", "Europe/Paris"), ("en_GB", "Europe/London"), ("es_ES", "Europe/Madrid")]


@settings(max_examples=400, deadline=None)
@given(sold=st.datetimes(datetime.datetime(2000, 1, 1), datetime.datetime(2099, 12, 31), timezones=st.just(UTC)),
       printed=st.datetimes(datetime.datetime(2000, 1, 1), datetime.datetime(2099, 12, 31), timezones=st.just(UTC)),
       major=st.integers(1, 1_000_000), minor=st.integers(0, 99), order_id=st.integers(1, 2**31 - 1),
       currency=st.sampled_from(["EUR", "USD", "JPY", "GBP"]), place=st.sampled_from(LOCALES))
def test_no_line_a_receipt_makes_itself_is_taken_for_a_card_number(sold, printed, major, minor, order_id, currency,
                                                                   place):
    """Dates, times, amounts and order ids never stop a receipt: only text that holds a card does."""
    amount = Money(major if currency == "JPY" else min(major * 100 + minor, 100_000_000), currency)
    the_order = order(id=order_id, created_at=sold.replace(microsecond=0), amount=amount, captured_minor=amount.minor,
                      authorization_code=None, payment_reference=None)
    document(the_order, localization=Localization.named(*place), copy=True, printed_at=printed).check()


@pytest.mark.parametrize("form", ["text", "pdf", "escpos"])
def test_a_recorded_sale_whose_card_left_the_vault_never_says_card_on_file(form):
    kept_until = SOLD + datetime.timedelta(days=400)
    recorded = order(status=OrderStatus.RECORDED, processor=None, payment_reference=None, authorization_code=None,
                     captured_minor=0, card_expires_at=kept_until)
    before = formats(document(recorded, printed_at=kept_until - datetime.timedelta(seconds=1)))[form]
    after = formats(document(recorded, printed_at=kept_until))[form]
    assert "CARD ON FILE" in before and field(before, "Status") == "RECORDED (card on file)"
    assert "on file" not in after.lower() and "RECORDED SALE" in after
    assert field(after, "Status") == "RECORDED (card no longer stored)"
    assert field(after, "Card") == "VISA •••• 4242"
