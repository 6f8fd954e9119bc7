"""Processor decline codes and the one sentence a cashier reads for each.

Source: Stripe's "Decline codes" documentation page (docs.stripe.com/declines/codes, the card
decline codes table), read 2026-12-07. Codes Stripe lists as codes of the error itself rather
than ``decline_code`` (``card_declined``, ``expired_card``, ``incorrect_cvc``,
``incorrect_number``, ``processing_error``) are here too, as is localstripe's and Stripe's
``payment_intent_authentication_failure``. Stripe advises to show the fraud-related codes
(``fraudulent``, ``lost_card``, ``stolen_card``, ``pickup_card``, ``merchant_blacklist``...) as a
plain issuer decline, and so does this table: the customer is at the counter.

Pure: it imports nothing from posapp.

>>> sentence("insufficient_funds")
'Declined: insufficient funds — ask for another card'
>>> sentence("a_code_nobody_knows") == DEFAULT
True
"""

from __future__ import annotations

DEFAULT = "Declined by the card processor — ask for another card"

_ISSUER = "Declined by the card issuer — ask for another card"
_AUTHENTICATION = ("Declined: the card needs the customer's authentication, which this till cannot do — "
                   "ask for another card")
_PIN = "Declined: the card needs its PIN, which this till cannot take — ask for another card"
_LIMIT = "Declined: the card's limit has been reached — ask for another card"
_RETRY = "Declined: the card issuer could not be reached — try again, or ask for another card"
_DO_NOT_RETRY = "Declined by the card issuer — do not try this card again; ask for another card"
_CVC = "Declined: the security code (CVC) is wrong — enter it again, or ask for another card"
_NUMBER = "Declined: the card number is wrong — enter it again, or ask for another card"
_EXPIRY = "Declined: the expiry date is wrong — enter it again, or ask for another card"

SENTENCES: dict[str, str] = {
    "authentication_required": _AUTHENTICATION,
    "payment_intent_authentication_failure": _AUTHENTICATION,
    "approve_with_id": "Declined: the card issuer could not approve it now — try again, or ask for another card",
    "call_issuer": _ISSUER,
    "card_declined": _ISSUER,
    "card_not_supported": "Declined: this card cannot be used for this purchase — ask for another card",
    "card_velocity_exceeded": _LIMIT,
    "currency_not_supported": "Declined: the card cannot pay in this currency — ask for another card",
    "do_not_honor": _ISSUER,
    "do_not_try_again": _DO_NOT_RETRY,
    "duplicate_transaction": ("Declined: the same amount was just paid with this card — check the last sale "
                              "before trying again"),
    "expired_card": "Declined: the card has expired — ask for another card",
    "fraudulent": _ISSUER,
    "generic_decline": _ISSUER,
    "incorrect_cvc": _CVC,
    "incorrect_number": _NUMBER,
    "incorrect_pin": _PIN,
    "incorrect_zip": "Declined: the postcode does not match the card — ask for another card",
    "insufficient_funds": "Declined: insufficient funds — ask for another card",
    "invalid_account": _DO_NOT_RETRY,
    "invalid_amount": "Declined: the card issuer refused this amount — ask for another card",
    "invalid_cvc": _CVC,
    "invalid_expiry_month": _EXPIRY,
    "invalid_expiry_year": _EXPIRY,
    "invalid_number": _NUMBER,
    "invalid_pin": _PIN,
    "issuer_not_available": _RETRY,
    "lost_card": _DO_NOT_RETRY,
    "merchant_blacklist": _ISSUER,
    "new_account_information_available": _DO_NOT_RETRY,
    "no_action_taken": _ISSUER,
    "not_permitted": _ISSUER,
    "offline_pin_required": _PIN,
    "online_or_offline_pin_required": _PIN,
    "pickup_card": _DO_NOT_RETRY,
    "pin_try_exceeded": "Declined: too many wrong PIN entries — ask for another card",
    "processing_error": "Declined: the processor had an error — try again",
    "reenter_transaction": _RETRY,
    "restricted_card": _DO_NOT_RETRY,
    "revocation_of_all_authorizations": _DO_NOT_RETRY,
    "revocation_of_authorization": _DO_NOT_RETRY,
    "security_violation": _ISSUER,
    "service_not_allowed": _ISSUER,
    "stolen_card": _DO_NOT_RETRY,
    "stop_payment_order": _DO_NOT_RETRY,
    "testmode_decline": "Declined: a test card cannot pay on a live account — ask for another card",
    "transaction_not_allowed": _ISSUER,
    "try_again_later": _RETRY,
    "withdrawal_count_limit_exceeded": _LIMIT,
}


def sentence(code: str | None) -> str:
    """The cashier's sentence for a processor decline ``code``; :data:`DEFAULT` for None or an unknown code."""
    return SENTENCES.get(code or "", DEFAULT)
