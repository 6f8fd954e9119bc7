"""Test card numbers: the networks' published test cards and freshly generated random ones."""

import random

from posapp.luhn import check_digit

# Published test numbers (Stripe, Adyen, Braintree, PayPal test-card lists): (number, brand).
PUBLISHED = [
    ("4242424242424242", "VISA"),
    ("4111111111111111", "VISA"),
    ("4000056655665556", "VISA"),
    ("4222222222222", "VISA"),
    ("5555555555554444", "MASTERCARD"),
    ("5105105105105100", "MASTERCARD"),
    ("2223003122003222", "MASTERCARD"),
    ("378282246310005", "AMEX"),
    ("371449635398431", "AMEX"),
    ("6011111111111117", "DISCOVER"),
    ("6011000990139424", "DISCOVER"),
    ("3056930009020004", "DINERS"),
    ("36227206271667", "DINERS"),
    ("3566002020360505", "JCB"),
    ("3530111333300000", "JCB"),
    ("6200000000000005", "UNIONPAY"),
    ("6759649826438453", "MAESTRO"),
]


def random_pan(prefix: str = "4", length: int = 16, rng: random.Random | None = None) -> str:
    rng = rng or random.SystemRandom()
    body = prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix) - 1))
    return body + check_digit(body)
