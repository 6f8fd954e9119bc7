"""Billing a stored card again, without the customer present (a tab, a no-show fee, an instalment):
the reason a billing system keeps cards in its own vault.

Back office only. The card is decrypted in memory for the one request to the processor; the new
order refers to the same token, and the journal records who billed it and why. The charge goes
the way a sale does (``posapp.charging``): pending first, then the processor, then paid or
declined; a decline keeps the stored card, which other orders use.
"""

from __future__ import annotations

import datetime
import uuid

from posapp.access.roles import Permission, SignedIn, require
from posapp.audit.chain import Event
from posapp.charging import charge
from posapp.errors import InvalidInput
from posapp.money import Money
from posapp.orders import NewOrder, Order, OrderStore
from posapp.orders.base import checked_text
from posapp.orders.status import OrderStatus
from posapp.payments import Processor
from posapp.retention import item_expires_at
from posapp.vault import TokenNotFound, Vault


class CardNoLongerStored(InvalidInput):
    """The card's retention ended (PCI DSS 3.2.1): it is removed, or about to be, and never billed (exit 2)."""

    def __init__(self, token: str, since: datetime.datetime):
        super().__init__(f"card no longer stored: the retention of the card under token {token} ended on "
                         f"{since:%Y-%m-%d} (UTC); ask the customer for a card")


def charge_stored_card(processor: Processor, orders: OrderStore, vault: Vault, operator: SignedIn, *, token: str,
                       amount: Money, name: str, reason: str | None, workstation: str,
                       now: datetime.datetime, retention_days: int = 0) -> Order:
    """Charge ``amount`` to the card stored under ``token`` as a new order ``name``; the order, paid.
    The order's ``card_expires_at`` is the card's (``retention_days``: for a card stored before
    retention existed).

    Raises NotPermitted (exit 5, before the card is read), InvalidInput (no processor, an expired
    card, refused text: nothing sent), CardNoLongerStored (past its retention), the vault's
    TokenNotFound or TamperedItem, SaleDeclined (exit 6) and PaymentPending (exit 3)."""
    require(operator, Permission.CHARGE_STORED_CARD)
    if not processor.charges:
        raise InvalidInput("no card processor is configured: a stored card can be billed only through one "
                           "([payments] processor in the settings)")
    name = checked_text("order name", name, required=True)
    reason = checked_text("reason", reason, required=False)
    try:
        entry = vault.entry(token)
    except TokenNotFound:
        removed = orders.retention.card_expires_at(token)  # its orders know when retention removed it
        if removed is not None and removed <= now:
            raise CardNoLongerStored(token, removed) from None
        raise
    card_expires_at = item_expires_at(entry.expires_at, entry.created_at, retention_days)
    if card_expires_at is not None and card_expires_at <= now:  # not removed yet (TTL, purge): gone all the same
        raise CardNoLongerStored(token, card_expires_at)
    card = vault.card(token)  # in memory, for this one request; checks the signed expires_at too
    card.check_not_expired(now.date())
    order = NewOrder(name=name, description=reason, amount=amount, token=token, card_brand=card.pan.brand,
                     card_last4=card.pan.last4, workstation=workstation, created_at=now, operator=operator.login,
                     idempotency_key=str(uuid.uuid4()), status=OrderStatus.PENDING, processor=processor.name,
                     card_expires_at=card_expires_at)
    details = {"token": token, "amount_minor": amount.minor, "currency": amount.currency,
               **({"reason": reason} if reason else {})}
    pending = orders.add(order, Event("charge", "pending", operator.login, details=details))
    return charge(processor, orders, vault, pending, card, None, capture=True, operator=operator)
