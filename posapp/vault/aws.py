"""AWS clients for the DynamoDB vault, and AWS errors turned into the vault's sentences."""

from __future__ import annotations

import re
from dataclasses import dataclass

import boto3
import botocore.config
import botocore.exceptions

from posapp.errors import Backend
from posapp.vault.base import VaultError, VaultNotPermitted, VaultUnavailable

# A dead endpoint must fail a sale in seconds, not minutes.
CLIENT_CONFIG = botocore.config.Config(
    connect_timeout=3,
    read_timeout=10,
    retries={"mode": "standard", "total_max_attempts": 3},
    user_agent_extra="posapp",
)

KMS_OPERATIONS = frozenset({"GenerateDataKey", "Decrypt", "Encrypt", "DescribeKey", "GetKeyRotationStatus"})
# What reads a card back: the till policy (packaging/aws/posapp-backend.yaml) refuses these on cards.
CARD_READS = frozenset({"Decrypt", "GetItem", "BatchGetItem", "Scan", "Query"})
_BUSY = frozenset({"ThrottlingException", "ProvisionedThroughputExceededException", "RequestLimitExceeded",
                   "LimitExceededException", "KMSInternalException", "InternalServerError",
                   "ServiceUnavailable", "DependencyTimeoutException", "TransactionConflictException"})
_CREDENTIALS_REFUSED = frozenset({"UnrecognizedClientException", "InvalidClientTokenId", "ExpiredTokenException",
                                  "ExpiredToken", "InvalidSignatureException", "IncompleteSignature"})


@dataclass(frozen=True)
class AwsClients:
    """The boto3 clients of one vault, built once and shared by its threads."""

    dynamodb: object
    kms: object
    dynamodb_resource: object  # the meta table of cached materials needs a Table resource
    kms_region: str

    @classmethod
    def connect(cls, *, region: str | None, kms_key_id: str, endpoint_url: str | None = None) -> AwsClients:
        """Clients for the table's ``region`` (None: boto3's default) and the key's; no network call.

        ``endpoint_url`` sends both services elsewhere (moto, DynamoDB Local)."""
        session = boto3.session.Session()
        # The KMS key may live in another region than the table: its ARN says where.
        kms_region = key_region(kms_key_id) or region
        common = {"endpoint_url": endpoint_url, "config": CLIENT_CONFIG}
        return cls(
            dynamodb=session.client("dynamodb", region_name=region, **common),
            kms=session.client("kms", region_name=kms_region, **common),
            dynamodb_resource=session.resource("dynamodb", region_name=region, **common),
            kms_region=kms_region,
        )


def key_region(key_arn: str | None) -> str | None:
    """The region a KMS key or alias ARN names ("eu-west-1"); None for None or a bare key id or alias."""
    match = re.match(r"arn:aws[a-z-]*:kms:([a-z0-9-]+):", key_arn or "")
    return match[1] if match else None


def translate(error: Exception, *, table: str, key_arn: str, till: bool = False) -> VaultError:
    """One sentence a manager can act on, for any botocore error; ``till``: this workstation's
    credentials hold the till role ([workstation] role), which may not read cards back."""
    if isinstance(error, (botocore.exceptions.NoCredentialsError, botocore.exceptions.PartialCredentialsError)):
        return VaultUnavailable("no AWS credentials found for the card vault: set up a profile, "
                                "environment variables or SSO for this workstation")
    if isinstance(error, (botocore.exceptions.ConnectionError, botocore.exceptions.HTTPClientError)):
        endpoint = str(getattr(error, "kwargs", {}).get("endpoint_url", ""))
        return VaultUnavailable(f"the card vault cannot be reached: {error}",
                                backend=Backend.KMS if "kms" in endpoint else None)
    if not isinstance(error, botocore.exceptions.ClientError):
        return VaultUnavailable(f"the card vault cannot be used: {error}")
    code = error.response.get("Error", {}).get("Code", "")
    operation = error.operation_name
    if code in ("AccessDeniedException", "AccessDenied"):
        action = f"kms:{operation}" if operation in KMS_OPERATIONS else f"dynamodb:{operation}"
        if till and operation in CARD_READS:
            return VaultNotPermitted(f"this till's AWS role may not read cards ({action} is refused): "
                                     "run this on a back-office workstation")
        if operation in KMS_OPERATIONS:
            return VaultNotPermitted(f"this workstation may not use KMS key {key_arn}: its AWS role needs {action}",
                                     backend=Backend.KMS)
        return VaultNotPermitted(f"this workstation may not use vault table {table}: its AWS role needs {action}")
    if code == "DisabledException":
        return VaultUnavailable(f"KMS key {key_arn} is disabled: enable it or configure another key",
                                backend=Backend.KMS)
    if code == "NotFoundException":
        return VaultUnavailable(f"KMS key {key_arn} does not exist: check [vault] kms_key_id", backend=Backend.KMS)
    if code == "KMSInvalidStateException":
        return VaultUnavailable(f"KMS key {key_arn} cannot be used in its current state (pending deletion?)",
                                backend=Backend.KMS)
    if code == "ResourceNotFoundException":
        return VaultUnavailable(f"vault table {table} does not exist: run 'posapp provision'")
    service = Backend.KMS if operation in KMS_OPERATIONS else Backend.VAULT  # for the cashier's sentence
    if code in _BUSY:
        return VaultUnavailable(f"the card vault is busy ({code}); try again in a moment", backend=service)
    if code in _CREDENTIALS_REFUSED:
        return VaultUnavailable(f"AWS refused this workstation's credentials ({code})")
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    if status >= 500:  # the server failed; it refused nothing
        return VaultUnavailable(f"the card vault's server failed {operation} (HTTP {status}); try again, "
                                "or check the endpoint", backend=service)
    return VaultUnavailable(f"the card vault refused {operation}: {code}", backend=service)


def conditional_failure(error: Exception) -> bool:
    """Whether ``error`` is DynamoDB's refusal of a write whose condition did not hold."""
    return (isinstance(error, botocore.exceptions.ClientError)
            and error.response["Error"]["Code"] == "ConditionalCheckFailedException")


def may_have_landed(error: Exception) -> bool:
    """Whether a failed write may have been applied all the same.

    A failed condition on a fresh random token most likely met our own earlier attempt;
    a retried request, a server error or a request sent but unanswered (read timeout,
    connection closed) may have been applied. A refused connection on the last attempt
    says nothing of earlier ones; that item is left for reconciliation, and the error
    claims nothing about it.
    """
    if isinstance(error, botocore.exceptions.ClientError):
        meta = error.response.get("ResponseMetadata", {})
        return conditional_failure(error) or meta.get("RetryAttempts", 0) > 0 or meta.get("HTTPStatusCode", 0) >= 500
    return isinstance(error, botocore.exceptions.HTTPClientError)
