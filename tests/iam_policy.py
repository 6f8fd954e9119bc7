"""What an IAM policy of packaging/aws/posapp-backend.yaml allows, and a botocore hook that refuses the rest.

moto enforces neither IAM policies nor key policies: these tests make the policy bite by
answering every call the policy does not allow with AWS's own refusal (AccessDeniedException,
raised by botocore as a real ClientError) before it is sent. The evaluator knows what the
template uses and no more: Allow statements, Action and Resource with wildcards, Ref, Fn::GetAtt
and Fn::Sub resolved to a test's table and keys, Fn::If on the template's conditions (AWS::NoValue
dropped, as CloudFormation drops it), and the conditions StringEquals and StringLike, and
ForAllValues: with StringEquals, StringLike or StringNotLike; any other element fails loudly, so a
template change cannot slip by.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from botocore.awsrequest import AWSResponse
from cfnlint.decode import cfn_yaml

TEMPLATE = Path(__file__).resolve().parents[1] / "packaging" / "aws" / "posapp-backend.yaml"
# Names an environment variable for a posapp subprocess: JSON of Stack.to_json() plus "policies".
HOOK_ENV = "IAM_POLICY_HOOK"
PARTITION_KEYS = {"vault": "token", "meta": "N"}  # the partition key attribute of each table


@dataclass(frozen=True)
class Stack:
    """Where a test's backend lives: the vault table's name, and the KMS key's ARN (it names the
    region and account; the tables' ARNs are built from it); ``sealing_key_arn``: the back office's
    RSA key, made where the stack has tills with sealed materials, else None."""

    table: str
    key_arn: str
    sealing_key_arn: str | None = None

    @property
    def region(self) -> str:
        return self.key_arn.split(":")[3]

    @property
    def account(self) -> str:
        return self.key_arn.split(":")[4]

    def table_arn(self, name: str) -> str:
        return f"arn:aws:dynamodb:{self.region}:{self.account}:table/{name}"

    def partition_key(self, table: str) -> str | None:
        """The partition key attribute of ``table``, None for a table not of this stack."""
        return {self.table: PARTITION_KEYS["vault"], f"{self.table}-meta": PARTITION_KEYS["meta"]}.get(table)

    @property
    def conditions(self) -> dict[str, bool]:
        """The template's conditions that its policies use, as this stack answers them."""
        return {"HasSealedMaterialsTills": self.sealing_key_arn is not None}

    def to_json(self) -> dict:
        return {"table": self.table, "key_arn": self.key_arn, "sealing_key_arn": self.sealing_key_arn}


class Policy:
    """The Allow statements of one AWS::IAM::ManagedPolicy of the template (or of several, which
    then allow what any of them allows), resolved for ``stack``."""

    def __init__(self, names: list[str], stack: Stack, template: Path = TEMPLATE):
        resources = cfn_yaml.load(str(template))["Resources"]
        self.names, self.stack = names, stack
        self.statements = []
        for name in names:
            condition = resources[name].get("Condition")
            if condition is not None and not stack.conditions[condition]:
                raise ValueError(f"{name} is made only where {condition}: give the stack its key")
            document = _resolve(resources[name]["Properties"]["PolicyDocument"], stack)
            for statement in document["Statement"]:
                if statement["Effect"] != "Allow" or set(statement) - {"Sid", "Effect", "Action", "Resource",
                                                                       "Condition"}:
                    raise ValueError(f"{name}: the evaluator knows only Allow with Action, Resource, "
                                     f"Condition: {statement}")
                self.statements.append(statement)

    def allows(self, action: str, resource: str, context: Mapping[str, list[str]]) -> bool:
        """Whether some statement allows ``action`` ("dynamodb:GetItem") on ``resource`` (an ARN)
        for a request with the condition keys ``context`` (key -> values; absent keys absent)."""
        return any(_matches(action, _list(s["Action"]), fold=True) and _matches(resource, _list(s["Resource"]))
                   and _conditions_hold(s.get("Condition", {}), context) for s in self.statements)


def _list(value) -> list[str]:
    return value if isinstance(value, list) else [value]


def _matches(value: str, patterns: list[str], *, fold: bool = False) -> bool:
    """IAM wildcards: * any run, ? one character; actions ignore case, ARNs do not."""
    if fold:
        value, patterns = value.lower(), [pattern.lower() for pattern in patterns]
    return any(fnmatch.fnmatchcase(value, pattern) for pattern in patterns)


def _conditions_hold(conditions: Mapping, context: Mapping[str, list[str]]) -> bool:
    for operator, tests in conditions.items():
        qualifier, _, test = operator.rpartition(":")
        if operator not in _OPERATORS:
            raise ValueError(f"the evaluator does not know the condition operator {operator}")
        for key, expected in tests.items():
            values, expected = context.get(key), _list(expected)
            if qualifier == "ForAllValues":
                # IAM's rule, surprising as it is: no values at all satisfy "for all values".
                held = all(_STRING_TESTS[test](value, expected) for value in values or [])
            else:  # a single-valued key: absent, the (positive) test fails
                held = values is not None and any(_STRING_TESTS[test](value, expected) for value in values)
            if not held:
                return False
    return True


# What one value of a condition key must satisfy against the condition's values.
_STRING_TESTS = {
    "StringEquals": lambda value, expected: value in expected,
    "StringLike": lambda value, expected: _matches(value, expected),
    "StringNotLike": lambda value, expected: not _matches(value, expected),
}
# A plain negated test holds where the key is absent, IAM says; the template uses none, so none is known.
_OPERATORS = {"StringEquals", "StringLike", *(f"ForAllValues:{test}" for test in _STRING_TESTS)}


_NO_VALUE = object()  # AWS::NoValue: CloudFormation drops the list item or property it is


def _resolve(node, stack: Stack):
    """Ref, Fn::GetAtt, Fn::Sub and Fn::If of the template replaced by the test's names and ARNs."""
    names = {"AWS::Partition": "aws", "AWS::Region": stack.region, "AWS::AccountId": stack.account,
             "AWS::NoValue": _NO_VALUE, "TableName": stack.table, "VaultTable": stack.table,
             "MetaTable": f"{stack.table}-meta", "VaultTable.Arn": stack.table_arn(stack.table),
             "MetaTable.Arn": stack.table_arn(f"{stack.table}-meta"), "VaultKey.Arn": stack.key_arn}
    if stack.sealing_key_arn is not None:
        names["BackOfficeKey.Arn"] = stack.sealing_key_arn
    if isinstance(node, list):
        return [each for each in (_resolve(each, stack) for each in node) if each is not _NO_VALUE]
    if not isinstance(node, Mapping):
        return node
    if set(node) == {"Fn::If"}:
        condition, when_true, when_false = node["Fn::If"]
        return _resolve(when_true if stack.conditions[condition] else when_false, stack)
    if set(node) == {"Ref"}:
        return names[node["Ref"]]
    if set(node) == {"Fn::GetAtt"}:
        return names[".".join(node["Fn::GetAtt"])]
    if set(node) == {"Fn::Sub"}:
        return re.sub(r"\$\{([^}]+)\}", lambda match: names[match[1]], node["Fn::Sub"])
    if any(key.startswith("Fn::") for key in node):
        raise ValueError(f"the evaluator does not resolve {sorted(node)}")
    resolved = {key: _resolve(value, stack) for key, value in node.items()}
    return {key: value for key, value in resolved.items() if value is not _NO_VALUE}


def request(stack: Stack, service: str, operation: str, params: Mapping) -> list[tuple[str, dict[str, list[str]]]]:
    """The (resource ARN, condition keys) pairs IAM checks ``service:operation`` against: one per
    table a batch names, one otherwise."""
    if service == "kms":
        key = params.get("KeyId") or stack.key_arn  # Decrypt may leave the key to the ciphertext
        context = {f"kms:EncryptionContext:{name}": [value]
                   for name, value in params.get("EncryptionContext", {}).items()}
        return [(key if key.startswith("arn:") else stack.key_arn, context)]
    if service != "dynamodb":
        raise ValueError(f"the evaluator knows dynamodb and kms, not {service}")
    if "RequestItems" in params:  # BatchGetItem, BatchWriteItem
        checked = []
        for table, work in params["RequestItems"].items():
            keys = work["Keys"] if isinstance(work, Mapping) else [
                each.get("PutRequest", {}).get("Item") or each["DeleteRequest"]["Key"] for each in work]
            checked.append((stack.table_arn(table), _leading_keys(stack, table, keys)))
        return checked
    table = params["TableName"]
    keys = [params[name] for name in ("Key", "Item") if name in params]
    return [(stack.table_arn(table), _leading_keys(stack, table, keys))]


def _leading_keys(stack: Stack, table: str, keys: list[Mapping]) -> dict[str, list[str]]:
    attribute = stack.partition_key(table)
    values = [next(iter(key[attribute].values())) for key in keys if attribute in key]
    return {"dynamodb:LeadingKeys": values} if values else {}


class Refusals:
    """botocore handlers: every call ``policy`` does not allow gets AWS's AccessDeniedException
    instead of being sent; ``refused`` lists them as "service:Operation"."""

    def __init__(self, policy: Policy):
        self.policy = policy
        self.refused: list[str] = []

    def judge(self, model, params, context, **_kwargs):
        """``before-parameter-build``: the call's own parameters, before botocore serializes them."""
        service = model.service_model.service_name
        action = f"{service}:{model.name}"
        context["iam_policy_refused"] = not all(
            self.policy.allows(action, resource, keys)
            for resource, keys in request(self.policy.stack, service, model.name, params))

    def refuse(self, model, context, **_kwargs):
        """``before-call``: AWS's answer to a refused call, which botocore raises as a ClientError."""
        if not context.pop("iam_policy_refused"):
            return None  # sent as usual
        service = model.service_model.service_name
        action = f"{service}:{model.name}"
        self.refused.append(action)
        message = f"User is not authorized to perform: {action} (test policy {'+'.join(self.policy.names)})"
        error = {"Error": {"Code": "AccessDeniedException", "Message": message},
                 "ResponseMetadata": {"HTTPStatusCode": 400}}
        return AWSResponse(f"https://{service}", 400, {}, None), error

    def install(self, *clients) -> None:
        """Refuse on these boto3 clients (a resource's: ``resource.meta.client``)."""
        for client in clients:
            for service in ("dynamodb", "kms"):
                client.meta.events.register(f"before-parameter-build.{service}", self.judge)
                client.meta.events.register(f"before-call.{service}", self.refuse)


def install_from_environment(environ: Mapping[str, str]) -> None:
    """In a posapp subprocess (tests/iam_site/sitecustomize.py): refuse, on every vault client
    ``AwsClients.connect`` makes, what the policies named in ``environ[HOOK_ENV]`` do not allow."""
    settings = json.loads(environ[HOOK_ENV])
    refusals = Refusals(Policy(settings["policies"], Stack(settings["table"], settings["key_arn"],
                                                           settings["sealing_key_arn"])))
    from posapp.vault.aws import AwsClients

    AwsClients.connect = refusing_connect(refusals)


def refusing_connect(refusals: Refusals) -> classmethod:
    """``AwsClients.connect`` as it is now, installing ``refusals`` on every vault client it makes:
    set it on AwsClients in a posapp subprocess, or with monkeypatch in a test's own process."""
    from posapp.vault.aws import AwsClients

    connect = AwsClients.connect.__func__

    def connect_refusing(cls, **kwargs):
        clients = connect(cls, **kwargs)
        refusals.install(clients.dynamodb, clients.kms, clients.dynamodb_resource.meta.client)
        return clients

    return classmethod(connect_refusing)


def hook_environment(policies: list[str], stack: Stack) -> dict[str, str]:
    """The environment that makes a posapp subprocess refuse what ``policies`` do not allow."""
    tests = Path(__file__).resolve().parent
    # The checkout's posapp first: the hook imports it before ``-m posapp`` would put it on the path.
    return {"PYTHONPATH": f"{tests / 'iam_site'}:{tests}:{tests.parent}",
            HOOK_ENV: json.dumps({**stack.to_json(), "policies": policies})}
