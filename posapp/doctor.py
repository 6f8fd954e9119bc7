"""``posapp doctor``: every health check of the configured backends, one result each."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass

from posapp.app import Services
from posapp.errors import ExitCode, describe

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckResult:
    name: str
    detail: str
    exit_code: ExitCode  # OK when the check passed

    @property
    def ok(self) -> bool:
        return self.exit_code is ExitCode.OK


def run(services: Services) -> Iterator[CheckResult]:
    files = ", ".join(map(str, services.settings.files)) or "none (local mode defaults)"
    yield CheckResult("configuration", f"files read: {files}; workstation {services.settings.workstation.id}",
                      ExitCode.OK)
    for name, check in [*services.vault.checks(), *services.orders.checks()]:
        try:
            yield CheckResult(name, check(), ExitCode.OK)
        except Exception as error:  # a check reports every failure; describe() keeps it to one line
            message, code = describe(error)
            if code is ExitCode.INTERNAL:
                log.error("health check %r failed unexpectedly", name, exc_info=error)
            yield CheckResult(name, message, code)
