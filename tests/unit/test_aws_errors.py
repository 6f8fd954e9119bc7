"""AWS's answers turned into the vault's sentences (posapp/vault/aws.py ``translate``), from the
errors botocore itself raises for an answer, without a network."""

import boto3
import botocore.config
import pytest
from botocore.awsrequest import AWSResponse

from posapp.errors import ExitCode, describe
from posapp.vault.aws import translate

KEY = "arn:aws:kms:eu-west-1:111122223333:key/0b1c2d3e-aaaa-bbbb-cccc-0123456789ab"


class _Body:
    def __init__(self, data: bytes):
        self.data = data

    def stream(self, **kwargs):
        yield self.data


def answered(status: int, body: bytes):
    """The error a KMS DescribeKey answered with HTTP ``status`` and ``body`` raises (one attempt)."""
    kms = boto3.session.Session().client(
        "kms", region_name="eu-west-1", aws_access_key_id="testing", aws_secret_access_key="testing",
        config=botocore.config.Config(retries={"mode": "standard", "total_max_attempts": 1}))
    kms.meta.events.register("before-send.kms.DescribeKey", lambda request, **_: AWSResponse(
        request.url, status, {"Content-Type": "application/x-amz-json-1.1"}, _Body(body)))
    with pytest.raises(Exception) as raised:
        kms.describe_key(KeyId=KEY)
    return raised.value


@pytest.mark.parametrize("status", [500, 501, 502, 504, 599])
@pytest.mark.parametrize("body", [b"", b"<html>Internal Server Error</html>", b'{"__type": "SomethingBroke"}'])
def test_a_server_failing_is_not_reported_as_a_refusal(status, body):
    message, code = describe(translate(answered(status, body), table="shop-vault", key_arn=KEY))
    assert message == (f"the card vault's server failed DescribeKey (HTTP {status}); try again, "
                       "or check the endpoint")
    assert code is ExitCode.UNAVAILABLE


def test_an_answer_the_server_gave_on_purpose_keeps_its_code():
    message, code = describe(translate(answered(400, b'{"__type": "SomethingUnexpected"}'), table="shop-vault",
                                       key_arn=KEY))
    assert (message, code) == ("the card vault refused DescribeKey: SomethingUnexpected", ExitCode.UNAVAILABLE)
    busy = translate(answered(500, b'{"__type": "KMSInternalException"}'), table="shop-vault", key_arn=KEY)
    assert describe(busy) == ("the card vault is busy (KMSInternalException); try again in a moment",
                              ExitCode.UNAVAILABLE)
