"""No card number and no CVC in anything the Stripe adapter logs, prints or raises, on every path
(paid, manual capture, refund, void, found, declined, 3-D Secure, lost answer, 5xx, refused key,
refused request), with posapp's log at DEBUG and the ``stripe`` logger forced to DEBUG, where
the library logs every request's form data. Numbers are looked for in any form
(tests/leakscan.py); the CVC as a token on its own (3 digits turn up inside longer numbers).
"""

import datetime
import itertools
import logging
import re
import traceback
import uuid

import pytest
import stripe
from cardgen import random_pan
from kit import card
from leakscan import find_leaks
from localstripetest import API_KEY
from stripefaults import SEND, LoseAnswer, Scripted, error_body, payment_intent, payment_method, read_timeout

from posapp.money import Money
from posapp.payments import PaymentError
from posapp.payments.stripe_processor import StripeProcessor

CVC = "739"
AMOUNT = Money(2500, "EUR")


def cvc_tokens(text: str) -> list[str]:
    """Each place the CVC stands on its own (not inside a longer run of letters or digits)."""
    return re.findall(rf"(?<![0-9A-Za-z]){CVC}(?![0-9A-Za-z])", text)


def test_the_cvc_check_finds_the_cvc_as_the_library_would_log_it():
    assert cvc_tokens(f"post_data='card[cvc]={CVC}&card[exp_month]=12'") == [CVC]
    assert cvc_tokens(f"{{'cvc': '{CVC}'}}") == [CVC] and not cvc_tokens(f"pi_1x{CVC}Ab 4{CVC}1 .{CVC}Z")


class Seen:
    """Everything a path left behind: errors as text and tracebacks, and payments' reprs."""

    def __init__(self):
        self.texts: list[str] = []

    def run(self, action):
        try:
            result = action()
        except PaymentError as error:
            self.texts += [str(error), repr(error), "".join(traceback.format_exception(error))]
            return None
        self.texts.append(repr(result))
        return result


@pytest.fixture
def stripe_at_debug(posapp_log, caplog, monkeypatch):
    """posapp's log at DEBUG, the library asked to print DEBUG on stderr, and, once a processor
    exists (which raises the ``stripe`` logger to INFO), a function that forces it back to DEBUG."""
    caplog.set_level(logging.DEBUG)
    monkeypatch.setattr(stripe, "log", "debug")
    logger = logging.getLogger("stripe")
    level = logger.level
    yield lambda: logger.setLevel(logging.DEBUG)
    logger.setLevel(level)


def test_no_card_number_or_cvc_leaves_the_adapter_on_any_path(localstripe, stripe_at_debug, posapp_log, caplog,
                                                              capsys):
    localstripe.reset()
    numbers = {name: random_pan("4", 16) for name in ("paid", "manual", "declined", "3ds", "lost", "5xx", "key",
                                                      "refused")}
    seen, order_ids = Seen(), itertools.count(1)

    def sale(processor, name, capture=True):
        return seen.run(lambda: processor.authorize(card=card(numbers[name]), cvc=CVC, amount=AMOUNT,
                                                    order_id=next(order_ids),
                                                    idempotency_key=f"sale-{uuid.uuid4()}", capture=capture))

    real = StripeProcessor(API_KEY, api_base=localstripe.url)
    stripe_at_debug()
    paid = sale(real, "paid")
    seen.run(lambda: real.refund(paid.reference, 500, idempotency_key="refund-1"))
    manual = sale(real, "manual", capture=False)
    seen.run(lambda: real.capture(manual.reference, 1000, idempotency_key="capture-1"))
    seen.run(lambda: real.void(sale(real, "manual", capture=False).reference, idempotency_key="void-1"))
    seen.run(lambda: real.find(range(1, 50), since=datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)))

    def scripted(answer, api_base="http://127.0.0.1:9"):
        processor = StripeProcessor(API_KEY, api_base=api_base, http_client=Scripted(answer))
        stripe_at_debug()
        return processor

    def declining(method, path, query, attempt):
        if path == "/v1/payment_methods":
            return 200, payment_method()
        return 402, error_body("card_error", "Your card was declined.", code="card_declined",
                               decline_code="insufficient_funds", payment_intent={"id": "pi_1"})

    def needs_3ds(method, path, query, attempt):
        if path == "/v1/payment_intents":
            return 200, {**payment_intent(1, created=1, order=1, status="requires_action"), "latest_charge": None}
        return (200, payment_method()) if path == "/v1/payment_methods" else (200, {})

    sale(scripted(declining), "declined")
    sale(scripted(needs_3ds), "3ds")
    sale(scripted(lambda method, path, query, attempt: LoseAnswer(read_timeout()) if method == "post" else SEND,
                  localstripe.url), "lost")
    sale(scripted(lambda method, path, query, attempt: (500, error_body("api_error", "down"))), "5xx")
    sale(scripted(lambda method, path, query, attempt: (401, error_body("invalid_request_error", "bad key"))), "key")
    sale(scripted(lambda method, path, query, attempt: (400, error_body("invalid_request_error", "Bad request"))),
         "refused")

    printed = capsys.readouterr()
    records = "\n".join(f"{record.getMessage()}\n{record.exc_text or ''}" for record in caplog.records)
    assert "card[cvc]=[hidden]" in records and "Post details" in records  # the library did log its form data
    assert "Request to Stripe api" in printed.err  # and printed its request lines on stderr, at INFO only
    everything = "\n".join([*seen.texts, records, printed.out, printed.err, posapp_log.read_text(encoding="utf-8")])
    assert find_leaks(list(numbers.values()), [posapp_log.parent], printed.out + printed.err,
                      {"errors": "\n".join(seen.texts).encode(), "records": records.encode()}) == []
    assert cvc_tokens(everything) == []


def test_a_processor_keeps_the_stripe_logger_at_info_and_the_library_off_stderr(monkeypatch):
    logger = logging.getLogger("stripe")
    monkeypatch.setattr(logger, "level", logging.DEBUG)
    monkeypatch.setattr(stripe, "log", "debug")
    monkeypatch.setattr(stripe._util, "STRIPE_LOG", "debug")  # as STRIPE_LOG=debug in the environment sets it
    StripeProcessor(API_KEY)
    assert logger.level == logging.INFO
    assert (stripe.log, stripe._util.STRIPE_LOG) == ("info", "info")
    monkeypatch.setattr(logger, "level", logging.NOTSET)  # NOTSET inherits the root's level, DEBUG or not
    StripeProcessor(API_KEY)
    assert logger.level == logging.INFO


def test_posapps_handlers_redact_the_stripe_librarys_records_too(posapp_log):
    # A child of the "stripe" logger: the adapter's own filter (on "stripe" itself) does not see
    # its records, so what masks the number here is posapp's redaction on every record and handler.
    number = random_pan("4", 16)
    logging.getLogger("stripe._http_client").warning("card %s in a library record", number)
    for handler in logging.getLogger().handlers:
        handler.flush()
    written = posapp_log.read_text(encoding="utf-8")
    assert f"•••• {number[-4:]} in a library record" in written
    assert find_leaks([number], [posapp_log.parent]) == []
