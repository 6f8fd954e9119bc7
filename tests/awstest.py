"""Fake AWS credentials and clients for moto, kept away from a developer's real AWS setup."""

import os
import socket

import boto3

REGION = "us-east-1"
AWS_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
           "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
           "AWS_EC2_METADATA_DISABLED": "true"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


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
