"""The DynamoDB vault against moto in process: encryption, tampering, KMS calls, faults."""

import datetime
import uuid

import boto3
import botocore.exceptions
import pytest
from botocore.awsrequest import AWSResponse
from botocore.stub import Stubber
from awstest import REGION
from cardgen import random_pan
from kit import card, lose_first_answer

from posapp.card import Pan
from posapp.orders.sql import SqlOrderStore
from posapp.reconcile import reconcile
from posapp.errors import ExitCode, describe
from posapp.pan_detect import redact
from posapp.vault import TamperedItem, TokenNotFound, VaultError, VaultOutcomeUnknown, VaultUnavailable
from posapp.vault.aws import AwsClients
from posapp.vault.dynamodb import CachedMaterials, DynamoDbVault



class Vault:
    """A provisioned vault on a fresh table, its clients, and the KMS calls it made since provisioned."""

    def __init__(self, key_arn, materials):
        self.table, self.key_arn = f"vault-{uuid.uuid4().hex[:12]}", key_arn
        self.cached = CachedMaterials(f"{self.table}-meta", 300.0) if materials == "cached" else None
        self.clients = AwsClients.connect(region=REGION, kms_key_id=key_arn)
        self.kms_calls: list[str] = []
        self.clients.kms.meta.events.register("before-call.kms", self._count)
        self.vault = self.another(workstation="till-01")
        self.vault.provision()
        self.kms_calls.clear()  # provision's own (it makes the audit journal's key): a sale's are counted

    def another(self, **kwargs):
        """One more vault object on the same table and clients."""
        return DynamoDbVault(self.table, self.key_arn, self.clients, cached=self.cached, **kwargs)

    def _count(self, model, **kwargs):
        self.kms_calls.append(model.name)

    def raw_items(self):
        """Every card item, as DynamoDB holds it (posapp's own bookkeeping items left out)."""
        items = self.clients.dynamodb.scan(TableName=self.table)["Items"]
        return [item for item in items if not item["token"]["S"].startswith("posapp:")]

    def raw_item(self, token):
        return self.clients.dynamodb.get_item(TableName=self.table, Key={"token": {"S": token}})["Item"]

    def put_raw(self, item):
        self.clients.dynamodb.put_item(TableName=self.table, Item=item)


@pytest.fixture(params=["direct", "cached"])
def aws(request, key_arn):
    return Vault(key_arn, request.param)


@pytest.fixture
def direct(key_arn):
    return Vault(key_arn, "direct")


def test_round_trip(aws):
    cards = [card() for _ in range(3)]
    tokens = [aws.vault.tokenize(c) for c in cards]
    assert all(uuid.UUID(token).version == 4 for token in tokens)
    assert [aws.vault.detokenize(t) for t in tokens] == [c.pan for c in cards]
    assert [aws.vault.card(t) for t in tokens] == cards  # with the expiry, to bill a stored card again
    assert sorted(entry.token for entry in aws.vault.entries()) == sorted(tokens)
    for token in tokens:
        aws.vault.verify(token)


def test_raw_items_hold_no_card_and_carry_a_signature(aws):
    number = random_pan("37", 15)
    token = aws.vault.tokenize(card(number))
    item = aws.raw_item(token)
    assert number not in repr(item) and number.encode() not in item["pan"]["B"]
    assert "*amzn-ddb-map-sig*" in item and "*amzn-ddb-map-desc*" in item
    assert item["brand"] == {"S": "AMEX"} and item["last4"] == {"S": number[-4:]}
    assert item["exp_month"] == {"N": "12"} and item["workstation"] == {"S": "till-01"}


def flip_bit(item):
    data = bytearray(item["pan"]["B"])
    data[5] ^= 1
    item["pan"] = {"B": bytes(data)}


@pytest.mark.parametrize("tamper", ["signed attribute", "ciphertext bit", "added attribute", "another token"])
def test_tampering_is_caught(aws, tamper):
    token = aws.vault.tokenize(card())
    item = aws.raw_item(token)
    if tamper == "signed attribute":
        item["last4"] = {"S": "0000" if item["last4"]["S"] != "0000" else "1111"}  # always a change
    elif tamper == "ciphertext bit":
        flip_bit(item)
    elif tamper == "added attribute":
        item["note"] = {"S": "hello"}
    else:
        token = str(uuid.uuid4())
        item["token"] = {"S": token}
    aws.put_raw(item)
    with pytest.raises(TamperedItem) as error:
        aws.vault.detokenize(token)
    assert str(error.value) == f"vault item {token} failed its integrity check (tampered or unreadable)"


@pytest.mark.parametrize("version", ["", "#x", "#999"], ids=["no version", "unreadable", "not in the meta table"])
def test_a_description_naming_no_cached_key_version_is_tampering(key_arn, version):
    """The SDK's meta store raises a bare Exception, or an AttributeError, for these."""
    from dynamodb_encryption_sdk.internal.formatting.material_description import deserialize, serialize

    cached = Vault(key_arn, "cached")
    token = cached.vault.tokenize(card())
    item = cached.raw_item(token)
    description = deserialize(item["*amzn-ddb-map-desc*"])
    description["amzn-ddb-meta-id"] = cached.table + version
    item["*amzn-ddb-map-desc*"] = {"B": serialize(description)["B"]}
    cached.put_raw(item)
    with pytest.raises(TamperedItem):
        cached.vault.detokenize(token)


def test_direct_materials_call_kms_once_per_put_and_once_per_get(direct):
    token = direct.vault.tokenize(card())
    assert direct.kms_calls == ["GenerateDataKey"]
    direct.vault.detokenize(token)
    assert direct.kms_calls == ["GenerateDataKey", "Decrypt"]


def test_cached_materials_call_kms_at_most_once_for_100_sales_and_lookups(key_arn):
    cached = Vault(key_arn, "cached")
    tokens = [cached.vault.tokenize(card()) for _ in range(100)]
    for token in tokens:
        cached.vault.detokenize(token)
    assert len(cached.kms_calls) <= 1, cached.kms_calls


def test_cached_materials_live_in_the_meta_table(key_arn):
    cached = Vault(key_arn, "cached")
    cached.vault.tokenize(card())
    meta = cached.clients.dynamodb.scan(TableName=cached.cached.meta_table)["Items"]
    assert [item["N"]["S"] for item in meta] == [cached.table]


def test_unknown_and_malformed_tokens(direct):
    with pytest.raises(TokenNotFound):
        direct.vault.detokenize(str(uuid.uuid4()))
    with pytest.raises(TokenNotFound):
        direct.vault.verify("")
    token = direct.vault.tokenize(card())
    direct.vault.delete(token)
    with pytest.raises(TokenNotFound):
        direct.vault.delete(token)
    assert direct.raw_items() == []


def test_provision_twice_is_harmless_and_sets_retention_and_recovery(direct):
    direct.vault.provision()
    db = direct.clients.dynamodb
    table = db.describe_table(TableName=direct.table)["Table"]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    ttl = db.describe_time_to_live(TableName=direct.table)["TimeToLiveDescription"]
    assert (ttl["TimeToLiveStatus"], ttl["AttributeName"]) == ("ENABLED", "expires_at")
    backups = db.describe_continuous_backups(TableName=direct.table)["ContinuousBackupsDescription"]
    assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"


def test_building_a_vault_makes_no_aws_call(key_arn):
    clients = AwsClients.connect(region=REGION, kms_key_id=key_arn)
    calls = []
    for client in (clients.dynamodb, clients.kms):
        client.meta.events.register("before-call", lambda model, **kwargs: calls.append(model.name))
    DynamoDbVault("never-created", key_arn, clients, workstation="till-01",
                  cached=CachedMaterials("never-created-meta", 300.0))
    assert calls == []


@pytest.mark.parametrize(("code", "message"), [
    ("AccessDeniedException", "this workstation may not use KMS key {key}: its AWS role needs kms:GenerateDataKey"),
    ("DisabledException", "KMS key {key} is disabled: enable it or configure another key"),
    ("NotFoundException", "KMS key {key} does not exist: check [vault] kms_key_id"),
])
def test_kms_refusing_a_sale_names_the_key_and_writes_nothing(direct, code, message):
    with Stubber(direct.clients.kms) as kms:
        kms.add_client_error("generate_data_key", service_error_code=code, http_status_code=400)
        with pytest.raises(VaultUnavailable) as error:
            direct.vault.tokenize(card())
    assert str(error.value) == message.format(key=direct.key_arn)
    assert direct.raw_items() == []


class _Body:
    def __init__(self, data: bytes):
        self.data = data

    def stream(self, **kwargs):
        yield self.data


def test_kms_throttling_is_retried_then_unavailable(direct):
    attempts = []

    def throttled(request, **kwargs):  # answers in place of the network, so retries still apply
        attempts.append(request.url)
        return AWSResponse(request.url, 400, {"Content-Type": "application/x-amz-json-1.1"},
                           _Body(b'{"__type": "ThrottlingException", "message": "Rate exceeded"}'))

    direct.clients.kms.meta.events.register("before-send.kms.GenerateDataKey", throttled)
    with pytest.raises(VaultUnavailable, match=r"the card vault is busy \(ThrottlingException\)"):
        direct.vault.tokenize(card())
    assert len(attempts) == 3  # the standard retry mode's attempts, then a clear failure
    assert direct.raw_items() == []


def test_kms_timeout_is_unavailable(direct):
    def time_out(request, **kwargs):
        raise botocore.exceptions.ReadTimeoutError(endpoint_url=request.url)

    direct.clients.kms.meta.events.register("before-send.kms.GenerateDataKey", time_out)
    with pytest.raises(VaultUnavailable, match="the card vault cannot be reached: Read timeout"):
        direct.vault.tokenize(card())
    assert direct.raw_items() == []


def test_kms_refusing_a_lookup_is_not_reported_as_tampering(direct):
    token = direct.vault.tokenize(card())
    with Stubber(direct.clients.kms) as kms:
        kms.add_client_error("decrypt", service_error_code="AccessDeniedException", http_status_code=400)
        with pytest.raises(VaultUnavailable, match="its AWS role needs kms:Decrypt"):
            direct.vault.detokenize(token)


def test_dynamodb_refusing_a_write_names_the_table(direct):
    with Stubber(direct.clients.dynamodb) as db:
        db.add_client_error("put_item", service_error_code="AccessDeniedException", http_status_code=400)
        with pytest.raises(VaultUnavailable) as error:
            direct.vault.tokenize(card())
    assert str(error.value) == (f"this workstation may not use vault table {direct.table}: "
                                "its AWS role needs dynamodb:PutItem")


def test_missing_table_says_to_provision(key_arn):
    vault = DynamoDbVault("not-provisioned", key_arn, AwsClients.connect(region=REGION, kms_key_id=key_arn),
                          workstation="till-01")
    with pytest.raises(VaultUnavailable, match="vault table not-provisioned does not exist: run 'posapp provision'"):
        vault.tokenize(card())


def test_doctor_checks_pass_on_a_provisioned_vault(aws):
    results = {name: check() for name, check in aws.vault.checks()}
    assert ("cached materials" in results) == (aws.cached is not None)  # a till with them can read every card
    assert results["KMS key"] == f"{aws.key_arn} Enabled"
    assert "ACTIVE" in results["vault table"]
    assert aws.raw_items() == []  # the round trip wrote nothing


def test_doctor_reports_a_disabled_key(direct):
    kms, key_id = boto3.client("kms", region_name=REGION), direct.key_arn.split("/")[-1]
    kms.disable_key(KeyId=key_id)
    try:
        checks = dict(direct.vault.checks())
        with pytest.raises(VaultUnavailable, match="is Disabled"):
            checks["KMS key"]()
    finally:
        kms.enable_key(KeyId=key_id)


def test_doctor_fails_a_key_that_does_not_rotate_and_says_how_to_turn_rotation_on(direct):
    kms = boto3.client("kms", region_name=REGION)
    kms.disable_key_rotation(KeyId=direct.key_arn)
    try:
        checks = dict(direct.vault.checks())
        with pytest.raises(VaultUnavailable) as failed:
            checks["KMS key rotation"]()
        assert str(failed.value) == (f"KMS key {direct.key_arn} does not rotate automatically: turn rotation on "
                                     f"(aws kms enable-key-rotation --key-id {direct.key_arn})")
    finally:
        kms.enable_key_rotation(KeyId=direct.key_arn)
    assert checks["KMS key rotation"]() == "automatic rotation on"


def test_bulk_tokenization_stores_all_in_order_and_is_kept_by_reconcile(key_arn, tmp_path):
    cached = Vault(key_arn, "cached")
    cards = [card() for _ in range(250)]  # ten batch writes
    tokens = cached.vault.tokenize_many(cards, "import-test")
    assert len(set(tokens)) == 250
    assert [cached.vault.detokenize(token) for token in tokens[::50]] == [c.pan for c in cards[::50]]
    assert all(entry.imported for entry in cached.vault.entries())
    assert len(cached.kms_calls) <= 1
    orders = SqlOrderStore(f"sqlite:///{tmp_path}/orders.db")
    orders.provision()
    later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)
    for _ in range(2):  # an orphan would be noted, then removed
        report = reconcile(cached.vault, orders, now=lambda: later)
        later += datetime.timedelta(days=1)
    assert (report.imported, report.removed, report.noted) == (250, 0, 0)


def test_a_vault_gets_its_identity_once_and_is_paired_once(direct, tmp_path):
    identity = direct.vault.identity()
    assert identity.vault_id and identity.history_id is None
    direct.vault.provision()
    assert direct.vault.identity() == identity
    direct.vault.pair("history-a")
    direct.vault.pair("history-a")  # the same pairing again is harmless
    with pytest.raises(VaultError, match="is paired with order history history-a already"):
        direct.vault.pair("history-b")
    assert direct.vault.identity().history_id == "history-a"
    assert [entry.token for entry in direct.vault.entries()] == []  # bookkeeping is never a card


def test_a_failed_bulk_write_takes_back_the_others(direct):
    calls = []

    def fail_second(request, **kwargs):
        calls.append(1)
        if len(calls) >= 2:  # the first batch lands, every later one times out
            raise botocore.exceptions.ReadTimeoutError(endpoint_url=request.url)

    direct.clients.dynamodb.meta.events.register("before-send.dynamodb.BatchWriteItem", fail_second)
    with pytest.raises(VaultUnavailable):
        direct.vault.tokenize_many([card() for _ in range(300)], "import-test")
    assert direct.raw_items() == []


def test_a_retried_put_whose_first_attempt_landed_returns_the_token(direct):
    # DynamoDB froze during PutItem: the first attempt stored the item, botocore retried,
    # and the retry failed attribute_not_exists(token) because of our own item.
    lost = lose_first_answer(direct.clients.dynamodb, "PutItem")
    number = random_pan("4", 16)
    token = direct.vault.tokenize(card(number))
    assert len(lost) == 1 and lost[0].status_code == 200
    assert [item["token"]["S"] for item in direct.raw_items()] == [token]
    assert direct.vault.detokenize(token) == Pan.parse(number)


def time_out(client, operation):
    def never_answer(request, **kwargs):
        raise botocore.exceptions.ReadTimeoutError(endpoint_url=request.url)

    client.meta.events.register(f"before-send.dynamodb.{operation}", never_answer)


def test_a_put_whose_every_answer_was_lost_but_landed_returns_the_token(direct):
    lost = lose_first_answer(direct.clients.dynamodb, "PutItem", times=3)
    token = direct.vault.tokenize(card())
    assert len(lost) == 3
    assert [item["token"]["S"] for item in direct.raw_items()] == [token]
    direct.vault.verify(token)


def test_a_lost_put_that_cannot_be_read_back_may_have_stored_the_card(direct):
    lose_first_answer(direct.clients.dynamodb, "PutItem")
    time_out(direct.clients.dynamodb, "GetItem")
    with pytest.raises(VaultOutcomeUnknown) as error:
        direct.vault.tokenize(card())
    [item] = direct.raw_items()
    token = item["token"]["S"]
    assert str(error.value) == (f"the card vault did not confirm the card, which may have been stored under token "
                                f"{token}; 'posapp vault reconcile' will remove it if no order references it")
    assert describe(error.value)[1] == ExitCode.UNAVAILABLE


def test_a_put_that_never_landed_is_unavailable_and_claims_nothing(direct):
    time_out(direct.clients.dynamodb, "PutItem")
    with pytest.raises(VaultUnavailable) as error:
        direct.vault.tokenize(card())
    assert str(error.value).startswith("the card vault cannot be reached: Read timeout")
    assert direct.raw_items() == []


def test_a_real_token_collision_says_so_and_leaves_the_other_item(direct):
    taken = direct.vault.tokenize(card())
    before = direct.raw_item(taken)
    clashing = direct.another(workstation="till-02", new_token=lambda: uuid.UUID(taken))
    with pytest.raises(VaultError) as error:
        clashing.tokenize(card())
    assert str(error.value) == (f"vault token {taken} is taken by another item (the token source is broken); "
                                "this card was not stored")
    assert direct.raw_items() == [before]


def test_a_bulk_batch_that_landed_but_timed_out_is_taken_back(direct):
    lose_first_answer(direct.clients.dynamodb, "BatchWriteItem", times=3)  # every attempt lands, none answers
    with pytest.raises(VaultUnavailable, match="Read timeout"):
        direct.vault.tokenize_many([card() for _ in range(25)], "import-test")
    assert direct.raw_items() == []


def test_a_bulk_rollback_that_fails_says_which_cards_may_remain(direct, caplog):
    lose_first_answer(direct.clients.dynamodb, "BatchWriteItem", times=3)
    time_out(direct.clients.dynamodb, "DeleteItem")
    with pytest.raises(VaultUnavailable) as error:
        direct.vault.tokenize_many([card() for _ in range(25)], "import-test")
    assert str(error.value).endswith("25 cards of this batch may still be in the vault and could not be taken back "
                                     "(their tokens are in the log file)")
    remaining = [item["token"]["S"] for item in direct.raw_items()]
    # As the log shows them: the redaction masks the odd token whose digit groups read as a card number.
    assert len(remaining) == 25 and all(redact(token) in caplog.text for token in remaining)


def test_a_forged_expiry_fails_verification(direct):
    # expires_at is the table's TTL attribute: an unsigned one would let DynamoDB delete a card unnoticed.
    token = direct.vault.tokenize(card())
    item = direct.raw_item(token)
    item["expires_at"] = {"N": "1700000000"}
    direct.put_raw(item)
    with pytest.raises(TamperedItem):
        direct.vault.verify(token)


def test_a_signed_expiry_verifies_and_a_changed_one_does_not(direct):
    from posapp.vault import item_format

    token = str(uuid.uuid4())
    plain = item_format.plaintext_item(token, card(), workstation="till-01",
                                       created_at=datetime.datetime.now(datetime.timezone.utc))
    plain["expires_at"] = {"N": "4102444800"}
    direct.put_raw(item_format.encrypt(plain, direct.vault._crypto()))
    direct.vault.verify(token)
    item = direct.raw_item(token)
    item["expires_at"] = {"N": "1700000000"}
    direct.put_raw(item)
    with pytest.raises(TamperedItem):
        direct.vault.verify(token)


def test_present_reads_keys_in_batches_without_kms(key_arn):
    cached = Vault(key_arn, "cached")
    stored = cached.vault.tokenize_many([card() for _ in range(130)], "import-test")
    absent = [str(uuid.uuid4()) for _ in range(90)]
    calls = []

    def count_keys(params, **kwargs):
        calls.append(len(params["RequestItems"][cached.table]["Keys"]))

    cached.clients.dynamodb.meta.events.register("before-parameter-build.dynamodb.BatchGetItem", count_keys)
    kms_before = len(cached.kms_calls)
    asked = stored + absent + stored[:5] + ["", "not-a-token"]  # repeats and junk are fine
    assert cached.vault.present(asked) == set(stored)
    assert sorted(calls) == [20, 100, 100] and len(cached.kms_calls) == kms_before
    assert cached.vault.present([]) == set()


def test_present_sends_unprocessed_keys_again(direct):
    tokens = [direct.vault.tokenize(card()) for _ in range(3)]
    shed = []

    def shed_load_once(parsed, **kwargs):  # DynamoDB answers part of a batch when it sheds load
        if not shed:
            table = direct.table
            shed.extend(parsed["Responses"][table][1:])
            parsed["Responses"][table] = parsed["Responses"][table][:1]
            parsed["UnprocessedKeys"] = {table: {"Keys": [{"token": item["token"]} for item in shed]}}

    direct.clients.dynamodb.meta.events.register("after-call.dynamodb.BatchGetItem", shed_load_once)
    assert direct.vault.present(tokens) == set(tokens)
    assert len(shed) == 2
