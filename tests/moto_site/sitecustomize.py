"""Test-only: Python imports this at start-up when tests/moto_site is on PYTHONPATH, as it is (with tests/)
for the e2e ``moto_server`` process (tests/e2e/conftest.py): that server's KMS ``Decrypt`` then opens
RSA-OAEP blobs as KMS does (tests/kms_rsa.py says why), and its CloudFormation makes the template's
keys and policies as CloudFormation does (tests/moto_cfn.py). posapp subprocesses never get this folder."""

from kms_rsa import patch_moto_kms_rsa
from moto_cfn import patch_moto_cloudformation

patch_moto_kms_rsa()
patch_moto_cloudformation()
