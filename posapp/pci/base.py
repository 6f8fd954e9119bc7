"""What a PCI DSS self-check finds: one finding per check, PASS, WARN or FAIL with its evidence."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from posapp.app import Services


class Status(enum.Enum):
    """A check's verdict: FAIL makes ``doctor --pci`` exit 4; WARN is for a person to judge."""

    PASS = "PASS"
    WARN = "WARN"
    FAIL = "FAIL"


@dataclass(frozen=True)
class Finding:
    """One check's outcome: the PCI DSS v4.0.1 requirement it serves (``"3.7.4"``), what was checked,
    the verdict and the evidence (one line; card numbers masked, never a secret)."""

    requirement: str
    check: str
    status: Status
    evidence: str


# A check looks at a till's services and returns its verdict and evidence; it may raise PosappError
# (a backend that cannot be asked), which is a FAIL naming the reason.
Check = Callable[[Services], tuple[Status, str]]


def counted(number: int, thing: str, things: str | None = None) -> str:
    """``"1 card"``, ``"3 cards"``."""
    return f"{number} {thing if number == 1 else things or thing + 's'}"
