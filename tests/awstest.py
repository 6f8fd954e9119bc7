"""Fake AWS credentials and clients for moto, kept away from a developer's real AWS setup."""

import contextlib
import functools
import os
import socket
import threading
from unittest import mock

import boto3

REGION = "us-east-1"
AWS_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
           "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
           "AWS_EC2_METADATA_DISABLED": "true"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def one_dynamodb_request_at_a_time():
    """moto (in this process) answers DynamoDB requests one at a time, as DynamoDB isolates
    each write. moto's TransactWriteItems deep-copies the whole table first, to roll back to
    it: a write from another thread meanwhile breaks the copy ("dictionary changed size during
    iteration") or is undone by the roll-back."""
    from moto.dynamodb.responses import DynamoHandler

    lock, answer = threading.Lock(), DynamoHandler.call_action

    @functools.wraps(answer)
    def one_at_a_time(self):
        with lock:
            return answer(self)

    with mock.patch.object(DynamoHandler, "call_action", one_at_a_time):
        yield


def aws_client(service: str, endpoint: str | None = None):
    return boto3.client(service, region_name=REGION, endpoint_url=endpoint, aws_access_key_id="testing",
                        aws_secret_access_key="testing", aws_session_token="testing")


def create_kms_key(endpoint: str | None = None, *, rotation: bool = True) -> str:
    """A symmetric key, rotating automatically as packaging/aws/posapp-backend.yaml makes it unless told."""
    kms = aws_client("kms", endpoint)
    arn = kms.create_key(Description="posapp test", KeyUsage="ENCRYPT_DECRYPT",
                         KeySpec="SYMMETRIC_DEFAULT")["KeyMetadata"]["Arn"]
    if rotation:
        kms.enable_key_rotation(KeyId=arn)
    return arn
