"""Render posapp's screens with demo data to docs/screenshots/ (run: make screenshots): the
sign-in screen, then a cashier's checkout and order history, with the refund form.

The demo shop recorded its first sales as card on file, then chose a card processor: localstripe
here, the Stripe emulator the tests use (a test dependency, never shipped), started by the tests'
wrapper (127.0.0.1, state in memory) and stopped at the end.

Demo cards are generated here, at random, with a valid check digit: no card number is
written in this repository. The demo operators' secrets are random too, and kept nowhere.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
from pathlib import Path

from posapp import luhn

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
PREFIXES = [("4", 16), ("51", 16), ("37", 15), ("6011", 16), ("3530", 16), ("2221", 16)]
# localstripe takes 16-digit numbers only, and reports every card it charges as a Visa.
CHARGED = [("4", 16)]
ITEMS = ["Table 4 dinner", "Espresso x2", "Flat white", "Lunch menu", "Gift card", "Croissant & tea",
         "Catering deposit", "Wine (bottle)", "Birthday cake", "Breakfast for two"]


def demo_number(rng: random.Random, prefix: str, length: int) -> str:
    body = prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix) - 1))
    return body + luhn.check_digit(body)


def main() -> None:
    home = Path(tempfile.mkdtemp(prefix="posapp-screenshots-"))
    os.environ["POSAPP_HOME"] = str(home)
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    # The screenshots name a demo till, not the machine that made them.
    (home / "posapp.toml").write_text('[workstation]\nid = "till-01"\n')
    sys.path.insert(0, str(ROOT / "tests"))
    import localstripetest

    process, server = localstripetest.start(home / "localstripe.txt")
    try:
        render(home, server.url, localstripetest.API_KEY)
    finally:
        localstripetest.stop(process)
    print(f"screenshots in {OUT}")


def render(home: Path, processor_url: str, processor_key: str) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from posapp import app, config, hardening, logs
    from posapp.access.roles import Role
    from posapp.card import Card, Expiry, Pan
    from posapp.checkout import Sale
    from posapp.cvc import Cvc
    from posapp.money import Money
    from posapp.orders.status import OrderStatus
    from posapp.payment_actions import refund
    from posapp.ui.main_window import MainWindow
    from posapp.ui.refund_dialog import RefundDialog
    from posapp.ui.tasks import TaskRunner
    from posapp.voids import void

    hardening.harden()  # as the window does at start: no core dumps, private files
    settings = config.load()
    logs.setup(settings.paths.log_dir)
    services = app.build(settings)
    rng = random.Random(7)
    secure = random.SystemRandom()
    pin = "".join(secure.choice("0123456789") for _ in range(5)) + "7"
    pin = pin if len(set(pin)) > 2 else "3" + pin[1:]  # never a run of one digit
    password = "demo-" + "".join(secure.choice("abcdefghjkmnpqrstuvwxyz23456789") for _ in range(12)) + "7"
    services.operators.add(None, "admin", Role.ADMIN, "Demo Administrator", password)
    admin = services.operators.sign_in("admin", password)
    services.operators.add(admin, "ana", Role.CASHIER, "Ana Lima", pin)
    cashier = services.operators.sign_in("ana", pin)
    for number in range(30):  # card on file: the sales before the shop chose a processor
        prefix, length = PREFIXES[number % len(PREFIXES)]
        card = Card(Pan.parse(demo_number(rng, prefix, length)), Expiry(rng.randint(1, 12), 2030))
        order = services.checkout(cashier).checkout(Sale(ITEMS[number % len(ITEMS)], None,
                                                         Money(rng.randint(250, 18_000), "USD"), card))
        if number == 26:
            void(services.orders, admin, order.id, workstation=services.workstation)

    with open(home / "posapp.toml", "a") as settings_file:
        settings_file.write(f'[payments]\nprocessor = "stripe"\napi_base = "{processor_url}"\n')
    os.environ["POSAPP_STRIPE_KEY"] = processor_key
    services = app.build(config.load())
    for number in range(8):
        prefix, length = CHARGED[number % len(CHARGED)]
        card = Card(Pan.parse(demo_number(rng, prefix, length)), Expiry(rng.randint(1, 12), 2030))
        cvc = Cvc.parse("".join(rng.choice("0123456789") for _ in range(3)), card.pan.brand)
        order = services.checkout(cashier).checkout(Sale(ITEMS[number % len(ITEMS)], None,
                                                         Money(rng.randint(250, 18_000), "USD"), card, cvc=cvc))
        if number == 5:
            refund(services.processor, services.orders, admin, order.id, order.captured_minor // 3,
                   reason="one dish sent back", workstation=services.workstation)

    application = QApplication(sys.argv[:1])
    runner = TaskRunner()
    window = MainWindow(services, runner, dialogs=False)
    window.resize(1280, 800)
    window.show()
    OUT.mkdir(parents=True, exist_ok=True)

    def sign_in_screen() -> None:
        window.sign_in.login.setText("ana")
        QTest.keyClicks(window.sign_in.secret, pin)
        window.grab().save(str(OUT / "sign-in.png"))
        window.sign_in.sign_in()
        QTimer.singleShot(1500, checkout_screen)

    def checkout_screen() -> None:
        view = window.checkout
        # One real sale through the form, then the next sale half typed in.
        view.name.setText("Flat white")
        view.amount.setText("4.20")
        QTest.keyClicks(view.card, demo_number(rng, "4", 16))  # as a cashier types it
        view.expiry.setText("11/29")
        QTest.keyClicks(view.cvc, "".join(rng.choice("0123456789") for _ in range(3)))
        view.submit()
        QTimer.singleShot(1500, next_sale)

    def next_sale() -> None:
        view = window.checkout
        view.name.setText("Table 4 dinner")
        view.description.setText("Two menus, one bottle of water")
        view.amount.setText("48.50")
        view.card.setFocus()
        QTest.keyClicks(view.card, demo_number(rng, "37", 15))  # as a cashier types it
        view.expiry.setFocus()  # the number is masked once the cashier moves on
        view.expiry.setText("09/29")
        view.cvc.setFocus()
        QTest.keyClicks(view.cvc, "".join(rng.choice("0123456789") for _ in range(4)))  # an AMEX's CID
        QTimer.singleShot(400, lambda: (window.grab().save(str(OUT / "checkout.png")), history_screen()))

    def history_screen() -> None:
        window.tabs.setCurrentWidget(window.history)
        QTimer.singleShot(1200, select_and_grab)

    def select_and_grab() -> None:
        model = window.history_model
        [row] = [row for row in range(model.rowCount())
                 if model.order_at(row).status is OrderStatus.PARTIALLY_REFUNDED]
        window.history.table.selectRow(row)
        QTimer.singleShot(300, lambda: (window.grab().save(str(OUT / "history.png")), refund_form()))

    def refund_form() -> None:
        window.history.details.refund.click()
        [dialog] = [dialog for dialog in window.findChildren(RefundDialog) if dialog.isVisible()]
        QTest.keyClicks(dialog.reason, "cold coffee")
        QTimer.singleShot(300, lambda: (dialog.grab().save(str(OUT / "refund.png")), dialog.reject(),
                                        application.quit()))

    QTimer.singleShot(800, sign_in_screen)
    application.exec()
    runner.wait()


if __name__ == "__main__":
    main()
