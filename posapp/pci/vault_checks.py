"""Checks of the card vault: retention (3.2.1), where its keys live (3.6.1.2), their rotation (3.7.4)
and what this workstation's AWS credentials may do (7.2.2)."""

from __future__ import annotations

import os

from posapp.app import Services
from posapp.config import WorkstationRole
from posapp.pci.base import Status, counted


def retention(services: Services) -> tuple[Status, str]:
    """PASS when ``[vault] retention_days`` limits how long cards are kept and every stored card
    carries its expiry; WARN with counts when some do not, or where a till may not list the items."""
    safeguards = services.safeguards
    days = services.retention_days
    if days == 0:
        return Status.FAIL, "[vault] retention_days = 0: stored cards are kept forever; set how many days they may stay"
    setting = f"[vault] retention_days = {days}"
    if services.shared_vault and safeguards.role is WorkstationRole.TILL:
        return Status.WARN, (f"{setting}; stored cards not counted: the till role may not list the vault's items "
                             "(run 'posapp doctor --pci' on a back-office workstation)")
    stored = without = 0
    for entry in services.vault.entries():
        stored += 1
        without += entry.expires_at is None
    if not stored:
        return Status.PASS, f"{setting}; no card is stored"
    if not without:
        return Status.PASS, f"{setting}; every stored card carries its expiry (expires_at): {counted(stored, 'card')}"
    return Status.WARN, (f"{setting}; {without} of {counted(stored, 'stored card')} carry no expiry (expires_at): "
                         "they stay until deleted")


def key_file(services: Services) -> tuple[Status, str]:
    """Where the keys this workstation holds live: AWS KMS or the system keyring PASS; a 0600 key
    file, used where no keyring works, is a WARN, and a FAIL when others may read it, or when it
    opens cards (the local vault's keys, the back office key of sealed local cards) beside a shared
    order history. A sealed till's signing key file is named too: it signs cards as this till."""
    paths = services.safeguards.paths
    # (the key file's name, what it holds, its path, whether that opens cards)
    files = [("this till's signing key file", "this till's signing key is", paths.till_key_file, False)]
    if not services.shared_vault:
        services.vault.provision()  # the keys are made where they will stay, as the first sale would
        files[:0] = [("the local vault's key file", "the local vault's keys are", paths.local_key_file, True),
                     ("the back office key file", "the back office key of sealed cards is", paths.back_office_key_file,
                      True)]
    found = [entry for entry in files if entry[2].exists()]
    for name, _, path, _ in found:
        mode = path.stat().st_mode & 0o777
        if os.name != "nt" and mode & 0o077:
            return Status.FAIL, f"{name} {path} may be read by others (mode {mode:04o}): chmod 600 it"
    if not found:
        return Status.PASS, ("the vault's keys are in AWS KMS (DynamoDB vault): no key file" if services.shared_vault
                             else "the local vault's keys are in the system keyring")
    where = "; ".join(f"{held} in the file {path} (mode 0600)" for _, held, path, _ in found)
    where += ", as no system keyring works here"
    if not any(opens for *_, opens in found):
        return Status.WARN, where + ": whoever can read this user's files can store cards as this till"
    if services.shared_orders:
        return Status.FAIL, (f"{where}, while the order history is shared: keep them in a system keyring "
                             "or use the DynamoDB vault")
    return Status.WARN, where + ": whoever can read this user's files can read the cards"


def rotation(services: Services) -> tuple[Status, str]:
    """PASS when KMS rotates the vault key automatically, FAIL when it does not; the local vault's
    keys are rotated by hand (WARN)."""
    rotates = services.vault.key_rotation()
    if rotates is None and services.safeguards.sealed_materials:
        if services.shared_vault:
            return Status.WARN, ("sealed materials: KMS does not rotate RSA keys; rotate by re-keying the vault to a "
                                 "new key ('posapp vault rekey --to-key') at the end of each cryptoperiod")
        return Status.WARN, ("sealed materials on a local vault: posapp does not rotate its back office key; "
                             "move the cards to the DynamoDB vault to rotate keys")
    if rotates is None:
        return Status.WARN, "local keys: rotate with 'posapp vault rekey'"
    if rotates:
        return Status.PASS, "automatic rotation of the vault's KMS key is on"
    return Status.FAIL, ("automatic rotation of the vault's KMS key is off: turn it on ('posapp doctor' prints "
                         "the aws kms enable-key-rotation command for this key)")


def permissions(services: Services) -> tuple[Status, str]:
    """A till's AWS credentials may do nothing beyond the till policy (FAIL listing what more they
    may do; WARN with cached materials, whose policy decrypts cards too); back office and
    administrator read cards by design."""
    if not services.shared_vault:
        return Status.PASS, "local vault: no AWS role"
    safeguards = services.safeguards
    if safeguards.role is not WorkstationRole.TILL:
        reads = ("reads and bills stored cards" if safeguards.role is WorkstationRole.BACKOFFICE
                 else "provisions, re-keys and purges the vault")
        return Status.PASS, (f"[workstation] role = {safeguards.role.value}: its AWS role {reads} by design; "
                             "keep these credentials off the tills")
    beyond = services.vault.excess_permissions()
    if safeguards.cached_materials:  # the till policy for cached materials lets it decrypt their key material
        beyond = [permission for permission in beyond if not permission.startswith("kms:Decrypt")]
    if beyond:
        return Status.FAIL, "these credentials may do more than the till policy allows: " + ", ".join(beyond)
    if safeguards.cached_materials:
        return Status.WARN, ("nothing beyond the till policy for cached materials, but that policy lets a till "
                             "decrypt key material that also decrypts every card: direct materials keep tills "
                             "from reading cards")
    if safeguards.sealed_materials:
        return Status.PASS, ("nothing beyond the till policy, and sealed materials: this till holds no key that "
                             "opens a card, whatever its credentials")
    return Status.PASS, "nothing beyond the till policy: reading the vault and decrypting cards were refused"
