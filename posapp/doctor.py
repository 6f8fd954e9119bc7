"""``posapp doctor``: every health check of the configured backends, one result each."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass

from posapp import hardening
from posapp.app import Services
from posapp.clock import utc_now
from posapp.errors import ExitCode, Unavailable, describe
from posapp.money import Money, exponent
from posapp.pan_detect import redact

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckResult:
    """One check's outcome: its name, a one-line detail (card numbers masked) and exit code."""

    name: str
    detail: str
    exit_code: ExitCode  # OK when the check passed
    advice: str = ""  # a failed check's sentence for a cashier: what it means and what to do, no detail

    @property
    def ok(self) -> bool:
        """Whether the check passed (``exit_code`` is OK)."""
        return self.exit_code is ExitCode.OK


def run(services: Services) -> Iterator[CheckResult]:
    """Run the checks in turn (configuration, core dumps, vault, order history, pairing),
    yielding each result as it comes. Never raises: a failure is a result."""
    files = ", ".join(map(str, services.settings_files)) or "none (local mode defaults)"
    yield CheckResult("configuration", f"files read: {files}; workstation {services.workstation}",
                      ExitCode.OK)
    checks = [("locale and time zone", lambda: _localization(services)), ("card safety", _card_safety),
              *services.vault.checks(), ("order history", lambda: _order_checks(services)),
              ("vault and order history", lambda: _paired(services))]
    for name, check in checks:
        try:
            yield CheckResult(name, redact(check()), ExitCode.OK)
        except Exception as error:  # a check reports every failure; describe() keeps it to one line
            message, code = describe(error)
            if code is ExitCode.INTERNAL:
                log.error("health check %r failed unexpectedly", name, exc_info=error)
            # A server's own text may quote anything.
            yield CheckResult(name, redact(message), code, redact(describe(error, cashier=True)[0]))


def _order_checks(services: Services) -> str:
    return "; ".join(check() for _, check in services.orders.checks())


def _paired(services: Services) -> str:
    services.paired()
    identity = services.vault.identity()
    return f"card vault {identity.vault_id} keeps the cards of order history {identity.history_id}"


def _localization(services: Services) -> str:
    loc = services.localization
    now = utc_now()
    example = loc.amount(Money(123456 * 10 ** exponent(services.currency) // 100, services.currency))
    return (f"amounts as {loc.locale} writes them ({example}); business days in {loc.zone.key} "
            f"(now {loc.time(now)} {loc.local(now).tzname()})")


def _card_safety() -> str:
    if not hardening.core_dumps_off():
        raise Unavailable("core dumps are possible: a crash could write a card number to disk")
    return "core dumps off; what posapp creates is readable by this user alone"
