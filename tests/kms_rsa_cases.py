"""What moto's KMS ``Decrypt`` answers once tests/kms_rsa.py has patched it, whichever way moto runs.

A test module subclasses ``KmsRsaDecrypt`` as ``Test...`` and gives it a class-scoped ``kms`` fixture:
a boto3 KMS client on its moto (in-process ``mock_aws``, a ``ThreadedMotoServer``, the e2e ``moto_server``).
The blobs are wrapped here with ``cryptography``, as a till wraps an item key with the back office's
public key (sealed materials)."""

import os

import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def oaep(mask, digest) -> padding.OAEP:
    return padding.OAEP(mgf=padding.MGF1(mask()), algorithm=digest(), label=None)


KMS_OAEP = {"RSAES_OAEP_SHA_256": oaep(hashes.SHA256, hashes.SHA256), "RSAES_OAEP_SHA_1": oaep(hashes.SHA1, hashes.SHA1)}
# dynamodb-encryption-sdk's "RSA/ECB/OAEPWithSHA-256AndMGF1Padding": Java's meaning, an SHA-1 mask.
JAVA_OAEP_SHA_256 = oaep(hashes.SHA1, hashes.SHA256)


def refusal(call) -> str:
    """The error code of the ClientError ``call()`` raises."""
    with pytest.raises(ClientError) as refused:
        call()
    return refused.value.response["Error"]["Code"]


class KmsRsaDecrypt:
    @pytest.fixture(scope="class")
    @classmethod
    def rsa(cls, kms):
        """An RSA_3072 ENCRYPT_DECRYPT key: (ARN, its public key from GetPublicKey)."""
        arn = kms.create_key(KeySpec="RSA_3072", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]["Arn"]
        return arn, serialization.load_der_public_key(kms.get_public_key(KeyId=arn)["PublicKey"])

    @pytest.mark.parametrize("algorithm", sorted(KMS_OAEP))
    def test_kms_opens_what_its_public_key_wrapped(self, kms, rsa, algorithm):
        arn, public_key = rsa
        item_key = os.urandom(32)
        answer = kms.decrypt(KeyId=arn, CiphertextBlob=public_key.encrypt(item_key, KMS_OAEP[algorithm]),
                             EncryptionAlgorithm=algorithm)
        assert (answer["Plaintext"], answer["KeyId"], answer["EncryptionAlgorithm"]) == (item_key, arn, algorithm)

    # Every subclass runs this same method on its own moto ("differing executors"): any example must
    # fail on each of them alike, so sharing hypothesis's saved examples between them is harmless.
    @settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.differing_executors])
    @given(position=st.integers(0, 383), bit=st.integers(0, 7))
    def test_a_changed_bit_is_an_invalid_ciphertext(self, kms, rsa, position, bit):
        arn, public_key = rsa
        blob = bytearray(public_key.encrypt(os.urandom(32), KMS_OAEP["RSAES_OAEP_SHA_256"]))
        blob[position] ^= 1 << bit
        assert refusal(lambda: kms.decrypt(KeyId=arn, CiphertextBlob=bytes(blob),
                                           EncryptionAlgorithm="RSAES_OAEP_SHA_256")) == "InvalidCiphertextException"

    @pytest.mark.parametrize(("wrapping", "algorithm"), [(JAVA_OAEP_SHA_256, "RSAES_OAEP_SHA_256"),
                                                         (KMS_OAEP["RSAES_OAEP_SHA_256"], "RSAES_OAEP_SHA_1")])
    def test_another_padding_is_an_invalid_ciphertext(self, kms, rsa, wrapping, algorithm):
        arn, public_key = rsa
        blob = public_key.encrypt(os.urandom(32), wrapping)
        assert refusal(lambda: kms.decrypt(KeyId=arn, CiphertextBlob=blob, EncryptionAlgorithm=algorithm)
                       ) == "InvalidCiphertextException"

    def test_a_disabled_key_or_one_pending_deletion_opens_nothing_until_enabled(self, kms, rsa):
        arn, public_key = rsa
        item_key = os.urandom(32)
        blob = public_key.encrypt(item_key, KMS_OAEP["RSAES_OAEP_SHA_256"])

        def unwrap():
            return kms.decrypt(KeyId=arn, CiphertextBlob=blob, EncryptionAlgorithm="RSAES_OAEP_SHA_256")

        key_id = arn.rsplit("/", 1)[1]  # moto's DisableKey and EnableKey take an id, not an ARN
        kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
        assert refusal(unwrap) == "KMSInvalidStateException"
        kms.cancel_key_deletion(KeyId=key_id)  # leaves the key disabled, as KMS does
        assert refusal(unwrap) == "DisabledException"
        kms.enable_key(KeyId=key_id)
        assert unwrap()["Plaintext"] == item_key

    def test_a_symmetric_key_refuses_rsa_and_still_opens_its_own_blobs(self, kms):
        arn = kms.create_key(KeySpec="SYMMETRIC_DEFAULT", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]["Arn"]
        data_key = os.urandom(32)
        blob = kms.encrypt(KeyId=arn, Plaintext=data_key)["CiphertextBlob"]
        assert refusal(lambda: kms.decrypt(KeyId=arn, CiphertextBlob=blob, EncryptionAlgorithm="RSAES_OAEP_SHA_256")
                       ) == "InvalidKeyUsageException"
        for answer in (kms.decrypt(CiphertextBlob=blob), kms.decrypt(KeyId=arn, CiphertextBlob=blob)):
            assert (answer["Plaintext"], answer["KeyId"]) == (data_key, arn)
