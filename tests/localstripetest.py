"""localstripe, a stateful Stripe emulator, as a process for the payment tests (as moto_server is for AWS).

localstripe (GPL: a test dependency, never shipped) would bind every interface and pickle its
state, card numbers included, to /tmp/localstripe.pickle after every write. It is started from
the small wrapper below instead: bound to 127.0.0.1 on a free port, its state in memory only,
under ``setpriv --pdeathsig`` so that the kernel stops it with the test process, however that ends.
Its output goes to a file that a failed start quotes.

Fixtures (registered in tests/conftest.py): ``localstripe`` (the server, per session) and
``stripe_processor`` (a posapp StripeProcessor on an emptied server, per test).
"""

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from awstest import free_port

API_KEY = "sk_test_12345"  # localstripe takes any "sk_..." key
DECLINING = "4000000000000341"  # the one card localstripe declines when a payment is confirmed
# The wrapper ARCHITECTURE.md gives: localstripe's app, its pickling disabled, on one address.
WRAPPER = """
import sys
import localstripe.resources as resources
resources.Store.dump_to_disk = lambda self: None
from aiohttp import web
from localstripe.server import app
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]))
"""
START_SECONDS = 30


@dataclass
class LocalStripe:
    """A running localstripe: where it listens, and where its output goes."""

    url: str
    output: Path

    def request(self, method: str, path: str, *, auth: bool = True) -> tuple[int, bytes]:
        """(status, body) of one plain HTTP request to the server (not through posapp or the stripe library)."""
        headers = {"Authorization": f"Bearer {API_KEY}"} if auth else {}
        try:
            with urllib.request.urlopen(urllib.request.Request(self.url + path, method=method, headers=headers),
                                        timeout=5) as answer:
                return answer.status, answer.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def reset(self) -> None:
        """Forget every object (``DELETE /_config/data``)."""
        status, body = self.request("DELETE", "/_config/data")
        assert status == 200, body

    def payment_intents(self) -> list[dict]:
        """Every PaymentIntent the server holds, read as JSON from its list API (localstripe: oldest first)."""
        intents, after = [], ""
        while True:
            status, body = self.request("GET", f"/v1/payment_intents?limit=100{after}")
            assert status == 200, body
            page = json.loads(body)
            intents += page["data"]
            if not page["has_more"]:
                return intents
            after = f"&starting_after={page['data'][-1]['id']}"

    def log_text(self) -> str:
        """What the server printed so far."""
        return self.output.read_text(encoding="utf-8", errors="replace")


def start(output: Path) -> tuple[subprocess.Popen, LocalStripe]:
    """Start the wrapper on a free port and wait until ``GET /v1/balance`` answers 200; the process
    and the server. Raises RuntimeError (with the server's output) if it does not come up."""
    port = free_port()
    server = LocalStripe(f"http://127.0.0.1:{port}", output)
    with open(output, "wb") as sink:
        process = subprocess.Popen(["setpriv", "--pdeathsig", "TERM", sys.executable, "-c", WRAPPER, str(port)],
                                   stdout=sink, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    deadline = time.monotonic() + START_SECONDS
    while True:
        try:
            if server.request("GET", "/v1/balance")[0] == 200:
                return process, server
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            stop(process)
            raise RuntimeError(f"localstripe did not start on port {port}:\n{server.log_text()}")
        time.sleep(0.05)  # polling for readiness only; no test outcome depends on time


def stop(process: subprocess.Popen) -> None:
    """Stop the server process, and wait for it."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def adds_cvc_client(timeout=(3, 15)):
    """A stripe HTTP client for localstripe, which refuses a card without a CVC, which Stripe takes for a
    merchant-initiated charge of a stored card: it adds one to such a request, and changes nothing else."""
    import stripe

    class AddsCvcForLocalstripe(stripe.RequestsClient):
        def request(self, method, url, headers, post_data=None):
            if url.endswith("/v1/payment_methods") and post_data and "cvc" not in post_data:
                post_data += "&card[cvc]=000"
            return super().request(method, url, headers, post_data)

    return AddsCvcForLocalstripe(timeout=timeout)
