"""A backend that fails reaches a cashier as a sentence about what to do, with no host, URL, path,
table, key or error number; the command line (administrators) keeps the detail it always printed."""

import errno
import re

import botocore.exceptions
import pymysql
import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from posapp.charging import PaymentPending
from posapp.errors import Backend, ExitCode, Unavailable, describe
from posapp.orders.db_errors import translate as database_error
from posapp.payment_actions import PaymentOutcomeUnknown
from posapp.payments.base import ProcessorLoginRefused, ProcessorOutcomeUnknown, ProcessorUnavailable
from posapp.reports.escpos import PrinterUnavailable
from posapp.reports.files import write_new
from posapp.secrets import KeyringTimeout
from posapp.ui.messages import detail, sentence
from posapp.vault.aws import translate as vault_error
from posapp.vault.base import VaultOutcomeUnknown

URL = sa.make_url("mysql+pymysql://pos@db.shop.internal:3306/pos")
KEY = "arn:aws:kms:eu-west-1:111122223333:key/0b1c2d3e-aaaa-bbbb-cccc-0123456789ab"
REFUSED = f"Can't connect to MySQL server on 'db.shop.internal' ([Errno {errno.ECONNREFUSED}] Connection refused)"
# What a cashier must never read: a URL or host, an ARN or table, a path, an error number, a library's words.
TECHNICAL = re.compile(r"://|db\.shop|arn:|shop-vault|/tmp|/media|errno|\[Errno|HTTP \d|\d{3,}|Traceback|"
                       r"botocore|MySQL|DynamoDB|KMS|Connection refused", re.IGNORECASE)


def client_error(code: str, operation: str) -> botocore.exceptions.ClientError:
    return botocore.exceptions.ClientError({"Error": {"Code": code, "Message": "no"}}, operation)


def disk_full(tmp_path):
    with pytest.raises(Unavailable) as raised:
        write_new(tmp_path / "removed-stick" / "z-report.pdf", b"%PDF")
    return raised.value


KINDS = {
    "order database down": (lambda _: database_error(pymysql.err.OperationalError(2003, REFUSED), URL),
                            Backend.ORDERS, "The order database is not answering."),
    "order database lost": (lambda _: database_error(pymysql.err.OperationalError(2013, "Lost connection"), URL),
                            Backend.ORDERS, "The order database is not answering."),
    "order write unconfirmed": (lambda _: database_error(pymysql.err.OperationalError(2013, "Lost"), URL,
                                                         outcome_unknown=True),
                                Backend.ORDERS, "it may or may not be recorded"),
    "vault unreachable": (lambda _: vault_error(botocore.exceptions.EndpointConnectionError(
        endpoint_url="https://dynamodb.eu-west-1.amazonaws.com/"), table="shop-vault", key_arn=KEY),
        Backend.VAULT, "The card vault is not answering."),
    "vault table gone": (lambda _: vault_error(client_error("ResourceNotFoundException", "PutItem"),
                                               table="shop-vault", key_arn=KEY),
                         Backend.VAULT, "Card sales are not possible"),
    "vault busy": (lambda _: vault_error(client_error("ThrottlingException", "PutItem"), table="shop-vault",
                                         key_arn=KEY), Backend.VAULT, "The card vault is not answering."),
    "vault write unconfirmed": (lambda _: VaultOutcomeUnknown("tok_1234"), Backend.VAULT,
                                "before it confirmed the card"),
    "key service unreachable": (lambda _: vault_error(botocore.exceptions.EndpointConnectionError(
        endpoint_url="https://kms.eu-west-1.amazonaws.com/"), table="shop-vault", key_arn=KEY),
        Backend.KMS, "The key service that protects card numbers is not answering."),
    "key disabled": (lambda _: vault_error(client_error("DisabledException", "GenerateDataKey"), table="shop-vault",
                                           key_arn=KEY), Backend.KMS, "key service"),
    "key refused": (lambda _: vault_error(client_error("AccessDeniedException", "Decrypt"), table="shop-vault",
                                          key_arn=KEY), Backend.KMS, "key service"),
    "processor down": (lambda _: ProcessorUnavailable("the card processor cannot be reached (ConnectionError: "
                                                      "https://api.stripe.com/v1 errno 111); nothing was done"),
                       Backend.PROCESSOR, "The card processor is not answering."),
    "processor answer lost": (lambda _: ProcessorOutcomeUnknown("the card processor did not answer (timeout "
                                                                "https://api.stripe.com)"),
                              Backend.PROCESSOR, "whether it was done is not known yet"),
    "refund answer lost": (lambda _: PaymentOutcomeUnknown("the refund of order 12 may or may not have been made "
                                                           "(HTTP 503 from https://api.stripe.com)"),
                           Backend.PROCESSOR, "Look the order up in the history"),
    "payment pending": (lambda _: PaymentPending(12, "the processor answered captured, but the order history could "
                                                     "not record it (order history at mysql+pymysql://pos@db.shop."
                                                     "internal:3306/pos cannot be reached)"),
                        Backend.PROCESSOR, "Do not charge it again"),
    "printer off": (lambda _: PrinterUnavailable("the receipt printer tcp://10.0.0.7:9100 cannot be used: [Errno 113] "
                                                 "No route to host"), Backend.PRINTER, "Check that it is on"),
    "disk gone": (disk_full, Backend.DISK, "The file could not be written"),
    "keyring silent": (lambda _: KeyringTimeout(5), Backend.KEYRING, "system keyring"),
}


@pytest.mark.parametrize("kind", KINDS)
def test_every_backend_failure_reads_as_what_to_do_without_its_detail(kind, tmp_path):
    make, backend, words = KINDS[kind]
    error = make(tmp_path)
    assert error.backend is backend
    told, code = describe(error, cashier=True)
    assert words in told and not TECHNICAL.search(told.replace("order 12", "order"))
    assert told == sentence(error)
    # The command line's sentence and exit code are what they were; the detail goes to the log and Details.
    assert (describe(error)[0], code) == (str(error), describe(error)[1])
    assert detail(error) == str(error) and detail(error) != told


def test_the_order_database_sentence_is_the_issues_own():
    error = database_error(pymysql.err.OperationalError(2003, REFUSED), URL)
    assert sentence(error) == ("The order database is not answering. Sales are not possible until it is back; "
                               "call your administrator.")
    assert describe(error) == (f"order history at mysql+pymysql://pos@db.shop.internal:3306/pos cannot be reached: "
                               f"{REFUSED}", ExitCode.UNAVAILABLE)


@given(backend=st.sampled_from(Backend), said=st.text(max_size=40),
       technical=st.text(alphabet="0123456789:/.@[]_-", min_size=4, max_size=40))
def test_whatever_a_backend_says_the_cashier_reads_its_sentence_alone(backend, said, technical):
    told = sentence(Unavailable(said + technical, backend=backend))
    assert told.startswith("The ") and told.endswith(".")
    assert backend.value in told.lower() or backend is Backend.DISK and "file" in told
    assert technical not in told


def test_a_disk_error_from_the_library_reads_as_the_disk_sentence():
    error = OSError(errno.ENOSPC, "No space left on device", "/media/usb/report.pdf")
    assert sentence(error).startswith("The file could not be written")
    assert describe(error) == ("/media/usb/report.pdf: No space left on device", ExitCode.UNAVAILABLE)


def test_a_refused_processor_key_is_for_an_administrator_to_fix():
    error = ProcessorLoginRefused("the card processor refused posapp's API key (401): check the key in "
                                  "POSAPP_STRIPE_KEY")
    assert sentence(error) == ("The card processor refused this till's key. Cards cannot be charged until it is "
                               "fixed; call your administrator.")
    assert "POSAPP_STRIPE_KEY" in describe(error)[0]


def test_an_error_without_a_backend_reads_as_it_always_did():
    error = Unavailable("core dumps are possible: a crash could write a card number to disk")
    assert sentence(error) == str(error) and detail(error) is None
