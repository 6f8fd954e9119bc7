"""Render posapp's screens with demo data to docs/screenshots/ (run: make screenshots): the
sign-in screen, then a cashier's checkout and order history.

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

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
PREFIXES = [("4", 16), ("51", 16), ("37", 15), ("6011", 16), ("3530", 16), ("2221", 16)]
ITEMS = ["Table 4 dinner", "Espresso x2", "Flat white", "Lunch menu", "Gift card", "Croissant & tea",
         "Catering deposit", "Wine (bottle)", "Birthday cake", "Breakfast for two"]


def demo_number(rng: random.Random, prefix: str, length: int) -> str:
    body = prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix) - 1))
    return body + luhn.check_digit(body)


def main() -> None:
    os.environ["POSAPP_HOME"] = tempfile.mkdtemp(prefix="posapp-screenshots-")
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    # The screenshots name a demo till, not the machine that made them.
    (Path(os.environ["POSAPP_HOME"]) / "posapp.toml").write_text('[workstation]\nid = "till-01"\n')
    from PySide6.QtCore import QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from posapp import app, config, hardening, logs
    from posapp.access.roles import Role
    from posapp.card import Card, Expiry, Pan
    from posapp.checkout import Sale
    from posapp.money import Money
    from posapp.ui.main_window import MainWindow
    from posapp.ui.tasks import TaskRunner

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
    for number in range(36):
        prefix, length = PREFIXES[number % len(PREFIXES)]
        card = Card(Pan.parse(demo_number(rng, prefix, length)), Expiry(rng.randint(1, 12), 2030))
        services.checkout(cashier).checkout(Sale(ITEMS[number % len(ITEMS)], None,
                                        Money(rng.randint(250, 18_000), "USD"), card))

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
        QTest.keyClicks(view.card, demo_number(rng, "51", 16))  # as a cashier types it
        view.expiry.setText("11/29")
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
        QTimer.singleShot(400, lambda: (window.grab().save(str(OUT / "checkout.png")), history_screen()))

    def history_screen() -> None:
        window.tabs.setCurrentWidget(window.history)
        QTimer.singleShot(1200, select_and_grab)

    def select_and_grab() -> None:
        window.history.table.selectRow(2)
        QTimer.singleShot(300, lambda: (window.grab().save(str(OUT / "history.png")), application.quit()))

    QTimer.singleShot(800, sign_in_screen)
    application.exec()
    runner.wait()
    print(f"screenshots in {OUT}")


if __name__ == "__main__":
    main()
