"""What the Stripe adapter needs around the ``stripe`` library: knowing whether a failed request
may have reached Stripe, and keeping card data out of the library's logging.

:class:`SendingClient` wraps the library's HTTP client (``stripe.RequestsClient`` or a test's) and
runs the library's own retry loop over it, noting per thread whether any attempt of the current
request may have been received: an answer of 5xx or 409, or a connection error other than one
raised before a byte was sent (connection refused, connect timeout). Only then can a failed
change have taken effect.

At DEBUG the library logs every request's form data (``card[number]``, ``card[cvc]``) and, when
``stripe.log`` or the ``STRIPE_LOG`` environment variable says "debug", prints it on stderr
without logging. :func:`guard_stripe_logging` keeps the ``stripe`` logger at INFO or above, stops
the stderr copy, and adds a filter that blanks card fields in any record it still gets.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import requests
import stripe
import urllib3
from stripe import _util as stripe_util

from posapp.logs import redact_record

STRIPE_LOGGER = "stripe"

# Exceptions that mean the connection was never made: no byte of the request left this machine.
_NOT_CONNECTED = (requests.exceptions.ConnectTimeout, urllib3.exceptions.NewConnectionError,
                  urllib3.exceptions.ConnectTimeoutError)
_TIMED_OUT = (requests.exceptions.Timeout, urllib3.exceptions.TimeoutError, TimeoutError)
# Form fields that carry the card, however the library or a server spells them in a log line.
_CARD_FIELD = re.compile(r"""(card(?:\[|%5B)(?:number|cvc|exp_month|exp_year)(?:\]|%5D)="""
                         r"""|(?<!\w)["']?(?:number|cvc)["']?\s*:\s*["']?)[^&\s'",}]*""", re.IGNORECASE)


class SendingClient(stripe.HTTPClient):
    """An HTTP client for ``stripe.StripeClient`` that delegates each attempt to ``inner`` and
    remembers, for this thread's latest request, whether it may have reached Stripe.

    The retry policy and back-off are ``inner``'s (``_should_retry``, ``_sleep_time_seconds``).
    """

    def __init__(self, inner: stripe.HTTPClient):
        super().__init__()
        self._inner = inner
        self.name = inner.name

    @property
    def maybe_sent(self) -> bool:
        """Whether any attempt of this thread's latest request may have been received by Stripe."""
        return getattr(self._thread_local, "maybe_sent", False)

    def request_with_retries(self, method: str, url: str, headers: Any, post_data: Any = None,
                             max_network_retries: int | None = None, *, _usage: Any = None) -> Any:
        """The library's retry loop over :meth:`request`, after clearing :attr:`maybe_sent`."""
        self._thread_local.maybe_sent = False
        return super().request_with_retries(method, url, headers, post_data, max_network_retries, _usage=_usage)

    def request(self, method: str, url: str, headers: Any, post_data: Any = None, *, _usage: Any = None) -> Any:
        """One attempt through ``inner``; (body, status, headers), or stripe.APIConnectionError."""
        try:
            content, status, response_headers = self._inner.request(method, url, headers, post_data)
        except stripe.APIConnectionError as error:
            if not never_sent(error):
                self._thread_local.maybe_sent = True
            raise
        if status >= 500 or status == 409:
            self._thread_local.maybe_sent = True
        return content, status, response_headers

    def request_stream(self, method: str, url: str, headers: Any, post_data: Any = None, *,
                       _usage: Any = None) -> Any:
        """Streaming is not used by posapp; refused rather than sent untracked."""
        raise NotImplementedError("posapp sends no streaming request to Stripe")

    def close(self) -> None:
        """Close ``inner``'s connections."""
        self._inner.close()

    def _should_retry(self, *args: Any) -> bool:
        return self._inner._should_retry(*args)

    def _sleep_time_seconds(self, num_retries: int) -> float:
        return self._inner._sleep_time_seconds(num_retries)


def _causes(error: BaseException):
    """``error`` and what it wraps: causes, contexts, wrapped first arguments and urllib3 reasons."""
    seen, pending = set(), [error]
    while pending and len(seen) < 32:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        pending += [current.__cause__, current.__context__, getattr(current, "reason", None)]
        pending += [arg for arg in getattr(current, "args", ())[:1] if isinstance(arg, BaseException)]


def never_sent(error: stripe.APIConnectionError) -> bool:
    """Whether the connection failed before any byte of the request was sent (refused, unreachable,
    connect timeout). False when unsure: the request may then have taken effect."""
    return any(isinstance(cause, _NOT_CONNECTED) for cause in _causes(error))


def why(error: stripe.StripeError) -> str:
    """A few words on why a request failed, for a cashier's sentence; never the request itself."""
    if isinstance(error, stripe.APIConnectionError):
        if never_sent(error):
            return "no connection"
        if any(isinstance(cause, _TIMED_OUT) for cause in _causes(error)):
            return "no answer in time"
        return "the connection was lost"
    if isinstance(error, stripe.RateLimitError):
        return "too many requests"
    return f"HTTP {error.http_status}" if error.http_status else type(error).__name__


class CardFieldFilter(logging.Filter):
    """A filter on the ``stripe`` logger: card numbers masked (posapp's redaction) and the card
    form fields (number, verification code, expiry) blanked in every record; keeps them all."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact ``record`` in place; always True."""
        redact_record(record)
        record.msg = _CARD_FIELD.sub(r"\1[hidden]", str(record.msg))
        record.posapp_redacted = record.msg
        return True


def guard_stripe_logging() -> None:
    """Keep the ``stripe`` logger at INFO or above (at DEBUG it logs card fields), stop the
    library's own copy of DEBUG lines on stderr, and filter card fields out of its records. Idempotent."""
    logger = logging.getLogger(STRIPE_LOGGER)
    if logger.level < logging.INFO:  # NOTSET too: it would inherit a DEBUG root
        logger.setLevel(logging.INFO)
    if not any(isinstance(existing, CardFieldFilter) for existing in logger.filters):
        logger.addFilter(CardFieldFilter())
    # "debug" makes the library print the form data on stderr, outside logging; "info" prints
    # only request lines, which stay allowed.
    if getattr(stripe, "log", None) == "debug":
        stripe.log = "info"
    if getattr(stripe_util, "STRIPE_LOG", None) == "debug":
        stripe_util.STRIPE_LOG = "info"
