"""The e2e ``moto_server`` process's KMS Decrypt opens RSA-OAEP blobs as KMS does: tests/moto_site's
sitecustomize applies tests/kms_rsa.py's patch there (tests/e2e/conftest.py puts it on its path)."""

import pytest
from awstest import aws_client
from kms_rsa_cases import KmsRsaDecrypt


class TestMotoServer(KmsRsaDecrypt):
    @pytest.fixture(scope="class")
    @classmethod
    def kms(cls, moto_endpoint):
        return aws_client("kms", moto_endpoint)
