"""Who sells: the header and footer of every receipt and report (``[merchant]`` settings)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Merchant:
    """The business as receipts name it: ``name`` (None: not set), ``address`` lines, ``tax_id``,
    the receipt ``footer``, and the ``workstation`` (till id) printing."""

    name: str | None
    address: tuple[str, ...]
    tax_id: str | None
    footer: str | None
    workstation: str

    def header_lines(self) -> list[str]:
        """The name, the address lines and "Tax ID: …", those that are set, in that order."""
        lines = [self.name] if self.name else []
        lines += self.address
        if self.tax_id:
            lines.append(f"Tax ID: {self.tax_id}")
        return lines
