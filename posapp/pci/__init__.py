"""``posapp doctor --pci``: a PCI DSS v4.0.1 self-check of one till, with cardholder-data discovery.

Each check names the requirement it serves and returns PASS, WARN or FAIL with its evidence.
It proves what a till can prove about itself: where the vault keys live and whether they
rotate, how long cards are kept, how the order database is reached, how soon an idle window
locks, that no operator can sign in with a common secret, that the audit journal is whole,
that this workstation's AWS credentials hold no more than its role needs, and that no card
number lies in posapp's folders or in any text of the order database.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from posapp.app import Services
from posapp.errors import ExitCode, describe
from posapp.pan_detect import redact
from posapp.pci import discovery, operators_check, site_checks, vault_checks
from posapp.pci.base import Check, Finding, Status

__all__ = ["CHECKS", "Finding", "Status", "run"]

log = logging.getLogger(__name__)

# (requirement, check, how), in the order of the standard.
CHECKS: list[tuple[str, str, Check]] = [
    ("3.2.1", "cards kept no longer than needed", vault_checks.retention),
    ("3.6.1.2", "vault keys out of plain files", vault_checks.key_file),
    ("3.7.4", "vault key rotation", vault_checks.rotation),
    ("4.2.1", "order database over verified TLS", site_checks.orders_tls),
    ("7.2.2", "AWS permissions within the role", vault_checks.permissions),
    ("8.2.8", "idle window locks", site_checks.idle_lock),
    ("8.3.6", "no default or guessable secret", operators_check.secrets),
    ("10.3.2", "audit journal whole", site_checks.journal),
    ("12.5.2", "cardholder-data discovery", discovery.scan),
]


def run(services: Services) -> Iterator[Finding]:
    """Run every check in turn, yielding each finding as it comes. Never raises: a check whose
    backend cannot be asked, or that fails unexpectedly, is a FAIL saying why."""
    for requirement, name, check in CHECKS:
        try:
            status, evidence = check(services)
        except Exception as error:  # one line whatever failed; describe() says which
            message, code = describe(error)
            if code is ExitCode.INTERNAL:
                log.error("PCI check %s failed unexpectedly", requirement, exc_info=error)
            status, evidence = Status.FAIL, message
        yield Finding(requirement, name, status, redact(evidence))
