"""moto's KMS ``Decrypt`` doing RSA-OAEP for asymmetric keys, as KMS does. Test-only: tests/ is not packaged.

Why: moto 5 creates RSA ``ENCRYPT_DECRYPT`` keys and answers ``GetPublicKey``, but its ``Decrypt``
ignores ``EncryptionAlgorithm`` and opens only its own AES-GCM blobs, so anything a till wraps with
the back office's public key is an ``InvalidCiphertextException`` (sealed materials, issue 18).
The patch decrypts ``RSAES_OAEP_SHA_1``/``RSAES_OAEP_SHA_256`` requests with the private key moto
holds for the key and answers and refuses as KMS does; every other request gets moto's own answer.
moto refuses no call for a key's state: KMS's ``DisabledException`` and ``KMSInvalidStateException``
are given here, for these requests only.

Applied by tests/conftest.py (mock_aws, ThreadedMotoServer), tests/moto_site/sitecustomize.py
(the e2e ``moto_server`` process) and bench/moto_once.py.
"""

import base64
import functools
import json

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from moto.core.exceptions import JsonRESTError
from moto.kms.exceptions import InvalidCiphertextException, InvalidKeyUsageException
from moto.kms.responses import KmsResponse

_OAEP_HASHES = {"RSAES_OAEP_SHA_1": hashes.SHA1, "RSAES_OAEP_SHA_256": hashes.SHA256}
_REFUSING_STATES = {"Disabled": ("DisabledException", "disabled"),
                    "PendingDeletion": ("KMSInvalidStateException", "pending deletion")}


def patch_moto_kms_rsa() -> None:
    """Replace ``KmsResponse.decrypt`` in this process, once (calling again changes nothing).

    An RSA-OAEP request naming a key: NotFoundException for an unknown key; DisabledException or
    KMSInvalidStateException for a disabled key or one pending deletion; InvalidKeyUsageException
    for a key that is not an RSA ``ENCRYPT_DECRYPT`` key; InvalidCiphertextException for a blob the
    key does not open; else ``{"Plaintext": base64, "KeyId": key ARN, "EncryptionAlgorithm": ...}``."""
    moto_decrypt = KmsResponse.decrypt
    if getattr(moto_decrypt, "rsa_oaep", False):
        return

    @functools.wraps(moto_decrypt)
    def decrypt(self) -> str:
        algorithm, key_id = self._get_param("EncryptionAlgorithm"), self._get_param("KeyId")
        if algorithm not in _OAEP_HASHES or not key_id:  # KMS needs KeyId for RSA: moto's answer refuses it
            return moto_decrypt(self)
        self._validate_key_id(key_id)
        key = self.kms_backend.keys[self.kms_backend.any_id_to_key_id(key_id)]
        if key.key_state in _REFUSING_STATES:
            code, state = _REFUSING_STATES[key.key_state]
            raise JsonRESTError(code, f"{key.arn} is {state}.")
        # moto gives every key a private key, symmetric ones too (an RSA-2048 one): go by the spec.
        if key.key_usage != "ENCRYPT_DECRYPT" or not key.key_spec.startswith("RSA_"):
            raise InvalidKeyUsageException()
        digest = _OAEP_HASHES[algorithm]
        oaep = padding.OAEP(mgf=padding.MGF1(digest()), algorithm=digest(), label=None)
        try:
            plaintext = key.private_key.private_key.decrypt(self._get_param("CiphertextBlob"), oaep)
        except ValueError:
            raise InvalidCiphertextException() from None
        return json.dumps({"Plaintext": base64.b64encode(plaintext).decode("ascii"), "KeyId": key.arn,
                           "EncryptionAlgorithm": algorithm})

    decrypt.rsa_oaep = True
    KmsResponse.decrypt = decrypt
