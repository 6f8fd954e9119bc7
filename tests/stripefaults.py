"""Failures injected at the stripe library's HTTP client, where localstripe cannot model them:
specific decline codes, lost answers, 5xx, refused keys, Stripe's own list order.

:class:`Scripted` is the library's own ``stripe.RequestsClient``; a test's ``answer`` decides each
attempt: send it on to the server (localstripe), answer it with a canned response, or fail it the
way the requests library fails, which the client turns into ``stripe.APIConnectionError`` as it
does for a real failure. Everything above the HTTP client (the library's retries, its error
classes, posapp's adapter) is the real code.
"""

import json
import urllib.parse

import requests
import stripe
import urllib3
from requests.structures import CaseInsensitiveDict

SEND = None  # an answer: send the attempt on to the server


class LoseAnswer:
    """An answer: send the attempt on to the server, then fail as if its answer never came (``error``)."""

    def __init__(self, error: Exception):
        self.error = error


def read_timeout() -> requests.exceptions.ReadTimeout:
    """What requests raises when the server took the request and did not answer in time."""
    return requests.exceptions.ReadTimeout("HTTPConnectionPool(host='127.0.0.1'): Read timed out.")


def refused() -> requests.exceptions.ConnectionError:
    """What requests raises for a refused connection: nothing was sent."""
    reason = urllib3.exceptions.NewConnectionError(None, "Failed to establish a new connection: [Errno 111] "
                                                         "Connection refused")
    return requests.exceptions.ConnectionError(urllib3.exceptions.MaxRetryError(None, "/", reason))


def reset() -> requests.exceptions.ConnectionError:
    """What requests raises when the connection dropped after the request went out."""
    return requests.exceptions.ConnectionError(
        urllib3.exceptions.ProtocolError("Connection aborted.", ConnectionResetError(104, "Connection reset by peer")))


class Scripted(stripe.RequestsClient):
    """stripe's RequestsClient whose attempts ``answer(method, path, query, attempt)`` decides.

    ``answer`` returns SEND, a LoseAnswer, a requests exception (the attempt fails before or
    while sending), or ``(status, json_body)``. ``attempt`` counts from 1 per method and path.
    ``sent`` lists every attempt as (method, path, Idempotency-Key header). The library's
    back-off between retries is skipped: the attempts are counted, not timed.
    """

    def __init__(self, answer=lambda method, path, query, attempt: SEND):
        super().__init__(timeout=(3, 15))
        self.answer = answer
        self.sent: list[tuple[str, str, str | None]] = []

    def request(self, method, url, headers, post_data=None):
        parts = urllib.parse.urlsplit(url)
        self.sent.append((method, parts.path, (headers or {}).get("Idempotency-Key")))
        attempt = sum(1 for sent in self.sent if sent[:2] == (method, parts.path))
        scripted = self.answer(method, parts.path, dict(urllib.parse.parse_qsl(parts.query)), attempt)
        if scripted is SEND:
            return super().request(method, url, headers, post_data)
        if isinstance(scripted, LoseAnswer):
            super().request(method, url, headers, post_data)
            self._handle_request_error(scripted.error)
        if isinstance(scripted, Exception):
            self._handle_request_error(scripted)
        status, body = scripted
        return json.dumps(body).encode(), status, CaseInsensitiveDict({"Request-Id": "req_scripted"})

    def _sleep_time_seconds(self, num_retries: int) -> float:
        return 0.0

    def attempts(self, method: str, path: str) -> list[str | None]:
        """The Idempotency-Key of each attempt at ``method path``, in order."""
        return [key for sent_method, sent_path, key in self.sent if (sent_method, sent_path) == (method, path)]


def error_body(status_type: str, message: str, **fields) -> dict:
    """A Stripe error response body."""
    return {"error": {"type": status_type, "message": message, **fields}}


def payment_method(brand: str = "visa", last4: str = "4242") -> dict:
    """A PaymentMethod as Stripe answers its creation (never the number or the CVC)."""
    return {"id": "pm_scripted", "object": "payment_method", "type": "card",
            "card": {"brand": brand, "last4": last4, "exp_month": 12, "exp_year": 2099}}


def payment_intent(number: int, *, created: int, order: int | None, status: str = "succeeded",
                   amount: int = 500, brand: str = "mastercard", last4: str = "4444") -> dict:
    """A PaymentIntent as Stripe lists it with ``payment_method`` and ``latest_charge`` expanded."""
    charge = {"id": f"ch_{number}", "object": "charge", "amount": amount, "amount_captured": amount,
              "status": "succeeded",
              "payment_method_details": {"type": "card", "card": {"brand": brand, "last4": last4,
                                                                  "authorization_code": f"A{number:05d}"}}}
    return {"id": f"pi_{number}", "object": "payment_intent", "amount": amount, "currency": "eur",
            "status": status, "amount_received": amount if status == "succeeded" else 0, "created": created,
            "metadata": {"posapp_order": str(order)} if order is not None else {},
            "payment_method": {"id": f"pm_{number}", "object": "payment_method", "card": {"brand": brand,
                                                                                         "last4": last4}},
            "latest_charge": charge, "last_payment_error": None}


def list_pages(intents: list[dict]):
    """An ``answer`` for GET /v1/payment_intents that pages ``intents`` in the given order as Stripe
    does (``limit``, ``starting_after``, ``has_more``)."""
    def answer(method, path, query, attempt):
        assert (method, path) == ("get", "/v1/payment_intents"), (method, path)
        limit = int(query.get("limit", 10))
        start = 0
        if "starting_after" in query:
            start = 1 + next(i for i, intent in enumerate(intents) if intent["id"] == query["starting_after"])
        page = intents[start:start + limit]
        return 200, {"object": "list", "url": "/v1/payment_intents", "has_more": start + limit < len(intents),
                     "data": page}
    return answer
