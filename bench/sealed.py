"""Sealed materials (a till stores cards it cannot read back): what they cost, and KMS use.

- sealed_tokenize_ms: crypto only, in process: one item built (``plaintext_item``) and encrypted
  (``item_format.encrypt``) with ``sealing.till_materials``: its content key wrapped with an
  RSA-3072 back-office key (RSA-OAEP SHA-256), the item signed with the till's ECDSA P-256 key.
- sealed_tokenize_ms_rsa2048_signature: the same, signed with an RSA-2048 till key instead
  (SHA256withRSA, the SDK's JceNameLocalDelegatedKey), and sealed_tokenize_rsa2048_vs_ecdsa_ratio:
  the measure behind sealing.py's choice of ECDSA.
- tokenize_crypto_ms_direct: the same item with the keys a KMS data key gives direct materials
  (AES-256 content key, HMAC-SHA256), the KMS call left out: the crypto a sale paid before.
  The three interleaved, medians of CRYPTO_REPETITIONS after a warm-up.
- sale_overhead_ratio_sealed: one sale through CheckoutService on a sealed till over the calls
  it cannot avoid (sales.UnavoidableCalls: the same sealed item put, order INSERT and journal
  INSERT made with raw boto3 and PyMySQL), as sales.py measures sale_overhead_ratio; the
  back-office key is an RSA_3072 ENCRYPT_DECRYPT key of the moto server, its DER from
  GetPublicKey. sale_sealed_vs_direct_ratio: the sealed sale over a direct one, interleaved with
  them. Medians of REPETITIONS after a warm-up.
- kms_calls_per_1000_sales_sealed: KMS calls (a botocore hook on the till vault's KMS client)
  over its first 1,000 sales, those measured above included.
- kms_calls_per_1000_sales_direct: the same over the 200 measured direct sales, times 5.
"""

from __future__ import annotations

import sys
import time
import uuid
from pathlib import Path

import boto3
import pymysql
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from dynamodb_encryption_sdk.delegated_keys.jce import JceNameLocalDelegatedKey
from dynamodb_encryption_sdk.identifiers import EncryptionKeyType, KeyEncodingType
from dynamodb_encryption_sdk.internal.formatting import material_description
from dynamodb_encryption_sdk.internal.identifiers import ReservedAttributes
from dynamodb_encryption_sdk.material_providers.static import StaticCryptographicMaterialsProvider
from dynamodb_encryption_sdk.material_providers.wrapped import WrappedCryptographicMaterialsProvider
from dynamodb_encryption_sdk.materials.raw import RawEncryptionMaterials

sys.path.insert(0, str(Path(__file__).parent))

from mariadb import private_mariadb  # noqa: E402
from motoserver import moto_server  # noqa: E402
from results import median_ms, print_table, record  # noqa: E402
from sales import CASHIER, REGION, REPETITIONS, WARMUP, Counter, UnavoidableCalls, card, vault  # noqa: E402

from posapp.audit_trail import Anchoring  # noqa: E402
from posapp.checkout import CheckoutService, Sale  # noqa: E402
from posapp.clock import utc_now  # noqa: E402
from posapp.money import Money  # noqa: E402
from posapp.orders.base import JournalSetup  # noqa: E402
from posapp.orders.sql import SqlOrderStore  # noqa: E402
from posapp.vault import item_format, sealing  # noqa: E402
from posapp.vault.aws import AwsClients  # noqa: E402
from posapp.vault.dynamodb import DynamoDbVault  # noqa: E402
from posapp.vault.dynamodb_sealing import SealedMaterials, fetch_public_key  # noqa: E402
from posapp.vault.till_registry import TillKeyRecord  # noqa: E402
from posapp.vault.till_secrets import TillSecrets  # noqa: E402

CRYPTO_WARMUP, CRYPTO_REPETITIONS = 20, 500
SEALED_SALES = 1000
TILL = "bench-till"


def crypto_materials() -> dict[str, object]:
    """The three materials, by name: sealed (ECDSA P-256), sealed with an RSA-2048 till key, direct."""
    back_office = rsa.generate_private_key(public_exponent=65537, key_size=3072).public_key()
    sealed = sealing.till_materials(TILL, sealing.new_till_key(), back_office, "local")
    rsa_till = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    rsa_signed = WrappedCryptographicMaterialsProvider(
        signing_key=JceNameLocalDelegatedKey(
            key=rsa_till.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()),
            algorithm="SHA256withRSA", key_type=EncryptionKeyType.PRIVATE, key_encoding=KeyEncodingType.DER),
        wrapping_key=sealing._SealingKey(back_office, None),  # the same wrap: only the signature differs
        material_description={sealing.TILL_ID: TILL, sealing.TILL_KEY_ID: sealing.key_id(rsa_till.public_key()),
                              sealing.SEALED_FOR: "local"})
    direct = StaticCryptographicMaterialsProvider(encryption_materials=RawEncryptionMaterials(
        signing_key=JceNameLocalDelegatedKey.generate("HmacSHA256", 256),
        encryption_key=JceNameLocalDelegatedKey.generate("AES", 256)))
    return {"sealed": sealed, "rsa2048": rsa_signed, "direct": direct}


def tokenize_crypto(figures: dict[str, object]) -> None:
    """Per item: build it, make the config a vault makes per operation, encrypt and sign."""
    materials = crypto_materials()
    samples: dict[str, list[float]] = {name: [] for name in materials}
    for repetition in range(CRYPTO_WARMUP + CRYPTO_REPETITIONS):
        for name, provider in materials.items():  # interleaved
            began = time.perf_counter()
            item = item_format.plaintext_item(str(uuid.uuid4()), card(), workstation=TILL, created_at=utc_now())
            item_format.encrypt(item, item_format.crypto_config(provider, "bench"))
            if repetition >= CRYPTO_WARMUP:
                samples[name].append(time.perf_counter() - began)
    figures["sealed_tokenize_ms"] = round(median_ms(samples["sealed"]), 3)
    figures["sealed_tokenize_ms_rsa2048_signature"] = round(median_ms(samples["rsa2048"]), 3)
    figures["tokenize_crypto_ms_direct"] = round(median_ms(samples["direct"]), 3)
    figures["sealed_tokenize_rsa2048_vs_ecdsa_ratio"] = round(
        median_ms(samples["rsa2048"]) / median_ms(samples["sealed"]), 2)


def sealed_till(endpoint: str) -> DynamoDbVault:
    """A sealed till's vault on a new table, provisioned by an administrator's sealed vault; the
    till holds its signing key and its copy of the audit key, as 'posapp till register' gives it."""
    kms = boto3.client("kms", region_name=REGION, endpoint_url=endpoint)
    key_arn = kms.create_key(KeySpec="RSA_3072", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]["Arn"]
    public_der = fetch_public_key(kms, key_arn)
    table = f"bench-{uuid.uuid4().hex[:8]}"

    def built(workstation: str, secrets, *, till: bool) -> DynamoDbVault:
        clients = AwsClients.connect(region=REGION, kms_key_id=key_arn, endpoint_url=endpoint)
        return DynamoDbVault(table, key_arn, clients, workstation=workstation,
                             sealed=SealedMaterials(public_der, secrets), till=till)

    admin = built("bench-admin", lambda: None, till=False)  # it holds no till key, and writes no item
    admin.provision()
    held = TillSecrets(till_id=TILL, signing_key=sealing.new_till_key(), audit_key=admin.audit_key())
    public = held.signing_key.public_key()  # registered: a till whose key is not takes no card
    admin.till_registry().register(TillKeyRecord(TILL, sealing.key_id(public), sealing.public_der(public), utc_now()))
    return built(TILL, lambda: held, till=True)


def sealed_by(vault_: DynamoDbVault, token: str) -> str | None:
    """The till a stored item's material description names (None: not sealed), read raw."""
    item = vault_._clients.dynamodb.get_item(TableName=vault_._table, Key={item_format.PARTITION_KEY: {"S": token}},
                                             ConsistentRead=True)["Item"]
    return material_description.deserialize(item[ReservedAttributes.MATERIAL_DESCRIPTION.value]).get(sealing.TILL_ID)


def journalled_orders(url: str, workstation: str, vault_: DynamoDbVault) -> SqlOrderStore:
    """Orders journalled as a till does (app.py): the audit key and anchors are the vault's."""
    return SqlOrderStore(url, journal=JournalSetup(workstation, key=vault_.audit_key,
                                                   committed=Anchoring(lambda: vault_), clock=utc_now))


def sales(figures: dict[str, object]) -> None:
    with moto_server() as endpoint, private_mariadb(buffer_pool="128M") as sock:
        with pymysql.connect(unix_socket=sock, user="root", autocommit=True) as db, db.cursor() as c:
            c.execute("CREATE DATABASE bench")
        url = f"mysql+pymysql://root@localhost/bench?unix_socket={sock}"
        till = sealed_till(endpoint)
        direct = vault(endpoint, boto3.client("kms", region_name=REGION, endpoint_url=endpoint)
                       .create_key()["KeyMetadata"]["Arn"], cached=False)
        sealed_orders = journalled_orders(url, TILL, till)
        sealed_orders.provision()
        sealed_checkout = CheckoutService(till, sealed_orders, workstation=TILL, operator=CASHIER)
        direct_checkout = CheckoutService(direct, journalled_orders(url, "bench-direct-till", direct),
                                          workstation="bench-direct-till", operator=CASHIER)
        raw = UnavoidableCalls(till._clients.dynamodb, till._table, till._crypto(),
                               pymysql.connect(unix_socket=sock, user="root", database="bench"))
        sealed_kms, direct_kms = Counter(till._clients.kms), Counter(direct._clients.kms)
        sold: list[str] = []

        def sealed_sale() -> None:
            sold.append(sealed_checkout.checkout(Sale("Sealed sale", None, Money(1234, "USD"), card())).token)

        def direct_sale() -> None:
            direct_checkout.checkout(Sale("Direct sale", None, Money(1234, "USD"), card()))

        samples: dict[str, list[float]] = {"sealed": [], "raw": [], "direct": []}
        variants = (("sealed", sealed_sale), ("raw", raw.sale), ("direct", direct_sale))
        for repetition in range(WARMUP + REPETITIONS):
            if repetition == WARMUP:
                direct_kms.calls.clear()
            for name, run in variants:  # interleaved
                began = time.perf_counter()
                run()
                if repetition >= WARMUP:
                    samples[name].append(time.perf_counter() - began)
        while len(sold) < SEALED_SALES:
            sealed_sale()
        assert sealed_by(till, sold[0]) == sealed_by(till, sold[-1]) == TILL
        figures["sale_overhead_ratio_sealed"] = round(median_ms(samples["sealed"]) / median_ms(samples["raw"]), 3)
        figures["sale_sealed_vs_direct_ratio"] = round(median_ms(samples["sealed"]) / median_ms(samples["direct"]), 3)
        figures["sale_sealed_ms"] = round(median_ms(samples["sealed"]), 3)
        figures["sale_sealed_unavoidable_calls_ms"] = round(median_ms(samples["raw"]), 3)
        figures["sale_direct_ms"] = round(median_ms(samples["direct"]), 3)
        figures["kms_calls_per_1000_sales_sealed"] = round(len(sealed_kms.calls) * 1000 / len(sold))
        figures["kms_calls_per_1000_sales_direct"] = round(len(direct_kms.calls) * 1000 / REPETITIONS)


def main() -> None:
    figures: dict[str, object] = {}
    tokenize_crypto(figures)
    sales(figures)
    print_table([
        ("sealed tokenize, crypto only (ECDSA P-256)", f"{figures['sealed_tokenize_ms']} ms", ""),
        ("the same, RSA-2048 till signature", f"{figures['sealed_tokenize_ms_rsa2048_signature']} ms",
         f"{figures['sealed_tokenize_rsa2048_vs_ecdsa_ratio']}x"),
        ("direct materials' crypto (no KMS call)", f"{figures['tokenize_crypto_ms_direct']} ms", ""),
        ("sealed sale / its unavoidable calls", f"{figures['sale_overhead_ratio_sealed']}", "goal ≤ 1.10"),
        ("sealed sale / direct sale", f"{figures['sale_sealed_vs_direct_ratio']}", ""),
        ("KMS calls for 1,000 sealed sales", f"{figures['kms_calls_per_1000_sales_sealed']}", "goal 0"),
        ("KMS calls per 1,000 direct sales (200, ×5)", f"{figures['kms_calls_per_1000_sales_direct']}", ""),
        ("median sealed sale", f"{figures['sale_sealed_ms']} ms", ""),
        ("median unavoidable calls (sealed)", f"{figures['sale_sealed_unavoidable_calls_ms']} ms", ""),
        ("median direct sale", f"{figures['sale_direct_ms']} ms", ""),
    ])
    print(f"results in {record(figures)}")


if __name__ == "__main__":
    main()
