"""The demo shop the screenshots show: a café's till, its operators and a day of sales.

The shop recorded its first sales of the day as card on file, then chose a card processor
(localstripe, the Stripe emulator the tests use) and charged the rest. Sales are spread over the
business day so far, in the merchant's time zone, as a till would have made them.

Demo cards are generated here, at random, with a valid check digit: no card number is written in
this repository. The operators' secrets are random too, and kept in memory only.
"""

from __future__ import annotations

import datetime
import os
import random
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from posapp import luhn

if TYPE_CHECKING:
    from posapp.access.roles import SignedIn
    from posapp.app import Services
    from posapp.localization import Localization
    from posapp.orders import Order

TILL = "till-01"
NEW_TILL = "till-02"  # the first-run dialog's: a till that has no settings yet
MERCHANT = """[workstation]
id = "{till}"

[merchant]
currency = "USD"
name = "Harbour Café"
address = ["12 Quay Street", "Portland, ME 04101"]
receipt_footer = "Thank you, see you soon!"
locale = "en_US"
timezone = "America/New_York"
"""
# The checkout's buttons (F5 to F12, then two more without a key): what a café sells most.
QUICK_KEYS = [("Espresso", "2.80"), ("Flat white", "4.20"), ("Cappuccino", "3.90"), ("Latte", "4.40"),
              ("Tea", "2.60"), ("Croissant", "2.50"), ("Muffin", "3.10"), ("Orange juice", "3.60"),
              ("Bagel & cream cheese", "4.50"), ("Hot chocolate", "3.80")]
# Sales typed by hand: the tables, which the history screenshot filters for.
TABLES = [("Table 4 dinner", 4850), ("Table 2 lunch", 3120), ("Table 7 brunch", 5640), ("Table 1 dinner", 8900),
          ("Table 5 lunch", 2780)]
CARD_ON_FILE = 24  # sales recorded before the processor was set up
CHARGED = 10
# Card on file takes any brand; localstripe takes 16-digit numbers only, and says each is a Visa.
BRANDS = [("4", 16), ("51", 16), ("37", 15), ("6011", 16), ("3530", 16), ("2221", 16)]
VISA = ("4", 16)


def demo_card_number(prefix: str, length: int) -> str:
    """A random number of ``length`` digits starting with ``prefix``, with a valid check digit."""
    secure = random.SystemRandom()
    body = prefix + "".join(secure.choice("0123456789") for _ in range(length - len(prefix) - 1))
    return body + luhn.check_digit(body)


def demo_expiry(years_ahead: int = 3) -> str:
    """An expiry as typed at the checkout (MMYY), ``years_ahead`` years from now."""
    return f"{random.SystemRandom().randint(1, 12):02d}{(datetime.date.today().year + years_ahead) % 100:02d}"


def demo_cvc(length: int = 3) -> str:
    """A random card security code of ``length`` digits."""
    return "".join(random.SystemRandom().choice("0123456789") for _ in range(length))


def _secret(alphabet: str, length: int) -> str:
    """Random characters of ``alphabet``, a digit among them, never a run of one or two characters."""
    secure = random.SystemRandom()
    while True:
        secret = "".join(secure.choice(alphabet) for _ in range(length))
        if len(set(secret)) > 3 and any(char.isdigit() for char in secret):
            return secret


@dataclass(frozen=True)
class Operator:
    """A demo operator: ``login``, display ``name`` and ``secret`` (random, in memory only)."""

    login: str
    name: str
    secret: str


@dataclass
class Shop:
    """The demo till's ``services`` (charging through localstripe), its operators, and the file
    that holds its settings."""

    services: Services
    admin: Operator
    cashier: Operator
    supervisor: Operator
    settings_file: Path


def write_settings(home: Path, *, processor_url: str | None = None) -> Path:
    """Write the demo till's settings file into ``home`` (charging through ``processor_url``, if
    given); the file's path. Private (0600), as posapp wants its settings files."""
    path = home / "posapp.toml"
    text = MERCHANT.format(till=TILL) + "".join(f'\n[[merchant.quick_keys]]\nname = "{name}"\namount = "{amount}"\n'
                                                for name, amount in QUICK_KEYS)
    if processor_url:
        text += f'\n[payments]\nprocessor = "stripe"\napi_base = "{processor_url}"\n'
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    return path


def open_shop(home: Path, processor_url: str, processor_key: str) -> Shop:
    """Make the demo till in ``home`` (POSAPP_HOME): its operators and the day's sales so far, some
    voided or refunded; returns it charging through ``processor_url`` (localstripe) from now on."""
    from posapp import app, config, hardening, logs
    from posapp.access.roles import Role

    hardening.harden()  # as the window does at start: no core dumps, private files
    os.environ["POSAPP_HOME"] = str(home)
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"  # keys in the demo home only
    write_settings(home)
    settings = config.load()
    logs.setup(settings.paths.log_dir)
    services = app.build(settings)
    admin = Operator("admin", "Dana Reyes", "demo-" + _secret("abcdefghjkmnpqrstuvwxyz23456789", 14))
    cashier = Operator("ana", "Ana Lima", _secret("0123456789", 6))
    supervisor = Operator("sam", "Sam Okafor", "demo-" + _secret("abcdefghjkmnpqrstuvwxyz23456789", 14))
    services.operators.add(None, admin.login, Role.ADMIN, admin.name, admin.secret)
    signed_admin = services.operators.sign_in(admin.login, admin.secret)
    services.operators.add(signed_admin, cashier.login, Role.CASHIER, cashier.name, cashier.secret)
    services.operators.add(signed_admin, supervisor.login, Role.SUPERVISOR, supervisor.name, supervisor.secret)
    signed_cashier = services.operators.sign_in(cashier.login, cashier.secret)

    rng = random.Random(19)  # the same day at each screen size; the cards differ (SystemRandom)
    times = iter(_sale_times(services.localization, CARD_ON_FILE + CHARGED, rng))
    for number in range(CARD_ON_FILE):
        order = _sell(services, signed_cashier, next(times), rng, BRANDS[number % len(BRANDS)], cvc=False)
        if number == 17:
            from posapp.voids import void

            void(services.orders, signed_admin, order.id, workstation=services.workstation)

    settings_file = write_settings(home, processor_url=processor_url)
    os.environ["POSAPP_STRIPE_KEY"] = processor_key
    services = app.build(config.load())
    for number in range(CHARGED):
        order = _sell(services, signed_cashier, next(times), rng, VISA, cvc=True, declined=number == 6)
        if number == 3:
            from posapp.payment_actions import refund

            refund(services.processor, services.orders, signed_admin, order.id, order.captured_minor // 3,
                   reason="one dish sent back", workstation=services.workstation)
    return Shop(services, admin, cashier, supervisor, settings_file)


def _sale_times(localization: Localization, count: int, rng: random.Random) -> list[datetime.datetime]:
    """``count`` sorted UTC times of today's business day, from opening (7 am; midnight before
    7:30) until a few minutes ago."""
    now = datetime.datetime.now(datetime.timezone.utc)
    day_start = localization.business_day(localization.today(now))[0]
    opening = day_start + datetime.timedelta(hours=7)
    begin = opening if now - opening > datetime.timedelta(minutes=30) else day_start
    end = now - min(datetime.timedelta(minutes=3), (now - begin) / 2)
    return sorted(begin + (end - begin) * rng.random() for _ in range(count))


def _sell(services: Services, cashier: SignedIn, when: datetime.datetime, rng: random.Random,
          brand: tuple[str, int], *, cvc: bool, declined: bool = False) -> Order | None:
    """One sale by ``cashier`` at ``when``: a quick key's item or a table's bill; the order (None
    if ``declined``: a card localstripe declines, the order recorded as declined)."""
    from posapp.card import Card, Expiry, Pan
    from posapp.charging import SaleDeclined
    from posapp.checkout import CheckoutService, Sale
    from posapp.cvc import Cvc
    from posapp.money import Money

    if rng.random() < 0.7:
        name, amount = rng.choice(QUICK_KEYS)
        minor = round(float(amount) * 100) * rng.choice([1, 1, 1, 2, 3])
    else:
        name, minor = rng.choice(TABLES)
    if declined:
        import localstripetest

        number = localstripetest.DECLINING  # localstripe's own test card, the one it declines
    else:
        number = demo_card_number(*brand)
    card = Card(Pan.parse(number), Expiry(rng.randint(1, 12), when.year + 3))
    sale = Sale(name, None, Money(minor, "USD"), card,
                cvc=Cvc.parse(demo_cvc(), card.pan.brand) if cvc else None)
    services.paired()  # as services.checkout does; the sale is made at ``when``, not now
    checkout = CheckoutService(services.vault, services.orders, workstation=services.workstation, operator=cashier,
                               clock=lambda: when, processor=services.processor, capture=True,
                               retention_days=services.retention_days)
    try:
        return checkout.checkout(sale)
    except SaleDeclined:
        if not declined:
            raise
        return None
