"""A private localstripe process (Stripe's API, emulated; a test dependency) for benchmarks.

Bound to 127.0.0.1 on a free port, its state in memory only (never pickled to /tmp), as the
tests start it (tests/localstripetest.py)."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator

API_KEY = "sk_test_12345"
_WRAPPER = """
import sys
import localstripe.resources as resources
resources.Store.dump_to_disk = lambda self: None
from aiohttp import web
from localstripe.server import app
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None)
"""


@contextlib.contextmanager
def localstripe() -> Iterator[str]:
    """Start localstripe; yield its URL; stop it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-c", _WRAPPER, str(port)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                request = urllib.request.Request(f"{url}/v1/balance", headers={"Authorization": f"Bearer {API_KEY}"})
                urllib.request.urlopen(request, timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("localstripe did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
