"""Building the vault that ``[vault]`` describes: the composition root's one job for cards."""

from __future__ import annotations

import base64

from posapp.config import Materials, Settings, VaultBackend, WorkstationRole
from posapp.vault import Vault


def build_vault(settings: Settings) -> Vault:
    """The DynamoDB vault (direct, cached or sealed materials) or the local vault in the data
    folder (local keys, or sealed materials), as ``[vault]`` says; builds clients only, with no network call, file or keyring read."""
    # Each adapter is imported only when chosen: boto3 stays off the local-mode start-up path.
    workstation = settings.workstation.id
    if settings.vault.backend is VaultBackend.DYNAMODB:
        from posapp.vault.aws import AwsClients
        from posapp.vault.dynamodb import CachedMaterials, DynamoDbVault
        from posapp.vault.dynamodb_sealing import SealedMaterials

        vault = settings.vault
        clients = AwsClients.connect(region=vault.region, kms_key_id=vault.kms_key_id, endpoint_url=vault.endpoint_url)
        cached = (CachedMaterials(vault.meta_table, float(vault.version_ttl))
                  if vault.materials is Materials.CACHED else None)
        sealed = (SealedMaterials(base64.b64decode(vault.back_office_key), lambda: till_secrets(settings))
                  if vault.materials is Materials.SEALED else None)
        return DynamoDbVault(vault.table, vault.kms_key_id, clients, workstation=workstation, cached=cached,
                             sealed=sealed, signer=lambda: till_secrets(settings),
                             till=settings.workstation.role is WorkstationRole.TILL)
    from posapp.vault.local import LocalVault

    sealed_till = (lambda: till_secrets(settings)) if settings.vault.materials is Materials.SEALED else None
    return LocalVault(settings.paths.data_dir / "vault.db", settings.paths.local_key_file, workstation=workstation,
                      sealed=sealed_till, back_office_key_file=settings.paths.back_office_key_file)


def till_secrets(settings: Settings):
    """This till's signing key and audit key (``posapp.vault.till_secrets.TillSecrets``) from the
    keyring or its key file; None where it holds none (it was never registered)."""
    from posapp.vault import till_secrets as secrets

    return secrets.load(settings.workstation.id, settings.paths.till_key_file)
