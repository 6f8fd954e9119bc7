"""moto's KMS Decrypt, patched by tests/conftest.py (tests/kms_rsa.py), opens RSA-OAEP blobs as KMS does,
in this process: under ``mock_aws`` and from a ``ThreadedMotoServer``. (The e2e ``moto_server``
process: tests/e2e/test_moto_server_kms_rsa.py.)"""

import os
from unittest import mock

import pytest
from awstest import AWS_ENV, aws_client, free_port
from kms_rsa_cases import KmsRsaDecrypt


class TestMockAws(KmsRsaDecrypt):
    @pytest.fixture(scope="class")
    @classmethod
    def kms(cls):
        from moto import mock_aws

        with mock.patch.dict(os.environ, AWS_ENV), mock_aws():
            yield aws_client("kms")


class TestThreadedMotoServer(KmsRsaDecrypt):
    @pytest.fixture(scope="class")
    @classmethod
    def kms(cls):
        from moto.server import ThreadedMotoServer

        port = free_port()
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        server.start()
        try:
            yield aws_client("kms", f"http://127.0.0.1:{port}")
        finally:
            server.stop()
