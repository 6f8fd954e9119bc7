"""A moto server process for end-to-end runs of the posapp command against AWS APIs."""

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from awstest import create_kms_key, free_port


@pytest.fixture(scope="session")
def moto_endpoint():
    """``moto_server`` on 127.0.0.1 and a free port, for the whole session; stopped whatever
    happens (a failed start, an error, Ctrl-C) and, should the test process die, by the kernel."""
    port = free_port()
    # tests/moto_site's sitecustomize makes the server's KMS Decrypt open RSA-OAEP blobs (tests/kms_rsa.py),
    # and its CloudFormation makes keys and policies as AWS does (tests/moto_cfn.py).
    tests = Path(__file__).resolve().parents[1]
    path = os.pathsep.join(filter(None, [str(tests / "moto_site"), str(tests), os.environ.get("PYTHONPATH")]))
    # setpriv: the kernel sends it SIGTERM when this process ends, as the tests' MariaDB.
    server = subprocess.Popen(["setpriv", "--pdeathsig", "TERM", str(Path(sys.executable).parent / "moto_server"),
                               "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env={**os.environ, "PYTHONPATH": path})
    try:
        endpoint = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"moto_server did not start on port {port}")
                time.sleep(0.1)
        yield endpoint
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="session")
def kms_key_arn(moto_endpoint):
    return create_kms_key(moto_endpoint)
