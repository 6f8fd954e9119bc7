"""Nothing posapp ships or documents holds a card number, not even a published test card:
a number in a docstring, a help text or the README ends up copied into a shell or a log."""

from __future__ import annotations

import re
from pathlib import Path

from posapp import luhn

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ("posapp", "scripts", "packaging", "docs", "resources", ".ci", "README.md", "Makefile", "pyproject.toml")
# Digit runs with the separators people type between groups.
_RUN = re.compile(r"\d(?:[ \-./]?\d){11,}")


def card_like(text: str) -> list[str]:
    """Every digit run with a 12-19 digit stretch that passes the Luhn check."""
    found = []
    for match in _RUN.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        checks = luhn.Substrings(digits)
        if any(checks.is_valid(begin, end) for begin in range(len(digits))
               for end in range(begin + 12, min(len(digits), begin + 19) + 1)):
            found.append(match.group())
    return found


def shipped_texts():
    for name in SHIPPED:
        path = ROOT / name
        for file in [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file()):
            try:
                yield file, file.read_text(encoding="utf-8")
            except (UnicodeDecodeError, OSError):
                continue  # images and other binaries


def test_the_scan_finds_a_card_number_in_any_layout():
    assert card_like("pay with 4000 0566 5566 5556 today") and card_like("id 0079927398713-x")
    assert not card_like("order 1234123412341234, 2026-11-29 18:00")


def test_nothing_shipped_holds_a_card_number():
    found = {str(file.relative_to(ROOT)): hits for file, text in shipped_texts() if (hits := card_like(text))}
    assert not found
