"""The ``none`` processor: no card processor is configured, so a sale is recorded as card on file.

Nothing is ever sent anywhere; every verb refuses with one sentence that says how to choose a
processor. ``charges`` is False, which is how the front ends know to say "Record sale", not "Charge".
"""

from __future__ import annotations

import datetime
from collections.abc import Collection

from posapp.card import Card
from posapp.money import Money
from posapp.payments.base import Payment, PaymentRefused, Processor, Refund

NOT_CONFIGURED = ("no card processor is configured: this till records sales as card on file and charges "
                  "nothing; to charge cards, set [payments] processor = \"stripe\" in the settings")


class NoProcessor(Processor):
    """No processor: every verb raises :class:`PaymentRefused` (exit 2) and nothing is sent."""

    name = "none"
    charges = False

    def authorize(self, *, card: Card, cvc: str | None, amount: Money, order_id: int,
                  idempotency_key: str, capture: bool) -> Payment:
        """Refused: PaymentRefused, whatever the card."""
        raise PaymentRefused(NOT_CONFIGURED)

    def capture(self, reference: str, amount_minor: int | None, *, idempotency_key: str) -> Payment:
        """Refused: PaymentRefused."""
        raise PaymentRefused(NOT_CONFIGURED)

    def void(self, reference: str, *, idempotency_key: str) -> Payment:
        """Refused: PaymentRefused."""
        raise PaymentRefused(NOT_CONFIGURED)

    def refund(self, reference: str, amount_minor: int, *, idempotency_key: str) -> Refund:
        """Refused: PaymentRefused."""
        raise PaymentRefused(NOT_CONFIGURED)

    def find(self, order_ids: Collection[int], *, since: datetime.datetime) -> dict[int, Payment]:
        """Refused: PaymentRefused (no processor holds any payment to recover)."""
        raise PaymentRefused(NOT_CONFIGURED)
