"""The checkout as a cashier's keyboard drives it: every key is sent to the widget that has the
focus, as a keyboard does, and counted (Enter and each digit count one)."""

import datetime
import random

import pytest
from cardgen import random_pan
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kit import stored_orders
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QWidget

from posapp import luhn
from posapp.money import Money

QUICK_KEYS = '[[merchant.quick_keys]]\nname = "Coffee"\namount = "3.50"\n\n' \
             '[[merchant.quick_keys]]\nname = "Croissant"\namount = "2.20"\n'
BRAND_PREFIX = {"VISA": "4", "MASTERCARD": "51", "AMEX": "37", "DISCOVER": "6011", "JCB": "3530",
                "DINERS": "36", "UNIONPAY": "62", "MAESTRO": "6771"}
# The length each brand's number is taken as complete at (posapp.ui.card_entry.typed_in_full).
COMPLETE_AT = {"VISA": 16, "MASTERCARD": 16, "AMEX": 15, "DISCOVER": 16, "JCB": 16, "DINERS": 14, "UNIONPAY": 16,
               "MAESTRO": 16}


@pytest.fixture
def services(posapp_home):
    """A till's local-mode services with two quick keys: Coffee $3.50 (F5), Croissant $2.20 (F6)."""
    from posapp import app, config

    posapp_home.mkdir(parents=True, exist_ok=True)
    (posapp_home / "posapp.toml").write_text(QUICK_KEYS, encoding="utf-8")
    (posapp_home / "posapp.toml").chmod(0o600)
    return app.build(config.load())


@pytest.fixture
def view(window):
    window.activateWindow()
    return window.checkout


class Keyboard:
    """Keys pressed into whatever has the focus, counted."""

    def __init__(self, qtbot):
        self.qtbot = qtbot
        self.count = 0

    def press(self, key, modifier=Qt.KeyboardModifier.NoModifier):
        focused = QApplication.focusWidget()
        assert focused is not None, "a key pressed with no widget focused goes nowhere"
        QTest.keyClick(focused, key, modifier)
        self.count += 1

    def type(self, text):
        for char in text:
            QTest.keyClicks(QApplication.focusWidget(), char)
            self.count += 1


def test_a_keyed_sale_with_a_name_takes_30_keys(qtbot, view, services):
    number = random_pan("4", 16)
    keys = Keyboard(qtbot)
    assert view.focusWidget() is view.name  # where the window puts a signed-in cashier
    keys.type("Tea")
    keys.press(Qt.Key.Key_Tab)
    keys.type("3.50")
    keys.press(Qt.Key.Key_Tab)
    keys.type(number)  # complete and valid: on to the expiry
    keys.type("1230")  # complete: on to Record
    assert QApplication.focusWidget() is view.charge
    keys.press(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "recorded" in view.result.text(), timeout=15_000)
    [order] = stored_orders(services)
    assert (order.name, order.amount, order.card_last4) == ("Tea", Money(350, "USD"), number[-4:])
    assert keys.count == 30


def test_a_quick_key_sale_with_a_typed_card_takes_22_keys(qtbot, view, services):
    number = random_pan("51", 16)
    keys = Keyboard(qtbot)
    keys.press(Qt.Key.Key_F5)  # Coffee, $3.50, and the focus on the card
    assert (view.name.text(), view.amount.text(), view.amount_due.text()) == ("Coffee", "3.50", "$3.50")
    assert QApplication.focusWidget() is view.card
    keys.type(number)
    keys.type("1230")
    keys.press(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "recorded" in view.result.text(), timeout=15_000)
    [order] = stored_orders(services)
    assert (order.name, order.amount, order.card_brand.value) == ("Coffee", Money(350, "USD"), "MASTERCARD")
    assert keys.count == 22  # 25 where a processor asks the 3-digit code


def test_a_quick_key_button_fills_the_sale_like_its_function_key(qtbot, view):
    [coffee, croissant] = view.quick_keys.buttons
    assert coffee.text() == "F5  Coffee\n$3.50" and croissant.text() == "F6  Croissant\n$2.20"
    assert coffee.accessibleName() == "Quick key Coffee"
    assert coffee.focusPolicy() == Qt.FocusPolicy.NoFocus  # not a Tab stop
    croissant.click()
    assert (view.name.text(), view.amount.text()) == ("Croissant", "2.20")
    assert QApplication.focusWidget() is view.card


def test_an_unnamed_sale_is_recorded_as_sale(qtbot, view, services):
    keys = Keyboard(qtbot)
    keys.press(Qt.Key.Key_Tab)  # no name
    keys.type("12.00")
    keys.press(Qt.Key.Key_Tab)
    keys.type(random_pan("4", 16) + "1230")
    keys.press(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "recorded" in view.result.text(), timeout=15_000)
    [order] = stored_orders(services)
    assert order.name == "Sale"


def test_tab_goes_only_through_the_fields_a_cashier_fills(qtbot, view):
    keys = Keyboard(qtbot)
    seen = [QApplication.focusWidget()]
    for _ in range(4):
        keys.press(Qt.Key.Key_Tab)
        seen.append(QApplication.focusWidget())
    assert seen == [view.name, view.amount, view.card, view.expiry, view.charge]  # no CVC asked here
    keys.press(Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)  # the description: by its shortcut
    assert QApplication.focusWidget() is view.description
    assert not view.currency.focusPolicy() & Qt.FocusPolicy.TabFocus


def test_f5_refreshes_the_history_on_the_history_and_is_quick_key_1_on_the_checkout(qtbot, window, view):
    resets = []
    window.history_model.modelReset.connect(lambda: resets.append(True))  # what a refresh ends with
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_F5)
    assert view.name.text() == "Coffee" and resets == []
    view.discard_sale()
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_F3)
    qtbot.waitUntil(lambda: window.history.isAncestorOf(QApplication.focusWidget()))
    resets.clear()
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: bool(resets))  # the reloaded rows replace the shown ones when they arrive
    assert view.name.text() == "" and view.amount.text() == ""  # the history's, not the checkout's


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(brand=st.sampled_from(sorted(BRAND_PREFIX)), seed=st.integers(0, 2**32), typo=st.booleans())
def test_the_number_moves_on_to_the_expiry_once_complete_and_valid(qtbot, view, brand, seed, typo):
    view.discard_sale()
    view.card.setFocus()
    number = random_pan(BRAND_PREFIX[brand], COMPLETE_AT[brand], random.Random(seed))
    if typo:
        number = number[:-1] + str((int(number[-1]) + 1) % 10)
    keys = Keyboard(qtbot)
    keys.type(number[:-1])
    assert QApplication.focusWidget() is view.card  # one digit short: still typing
    keys.type(number[-1])
    if typo:
        assert QApplication.focusWidget() is view.card and view.card_message.text() == "The card number has a typo"
    else:
        assert QApplication.focusWidget() is view.expiry and view.card_message.text() == ""
        assert view.card.text() == f"{brand} •••• {number[-4:]}"  # left: masked, never a row of dots


def test_a_16_digit_visa_is_not_cut_after_13_digits(qtbot, view):
    view.card.setFocus()
    rng = random.Random(7)
    number = next(n for n in (random_pan("4", 16, rng) for _ in range(200)) if luhn.is_valid(n[:13]))
    keys = Keyboard(qtbot)
    keys.type(number[:13])  # a valid 13-digit Visa number, but the cashier is not done
    assert QApplication.focusWidget() is view.card
    keys.type(number[13:])
    assert QApplication.focusWidget() is view.expiry
    assert view.card_entry.card(datetime.date(2026, 1, 1)).pan.last4 == number[-4:]


def test_the_card_shows_masked_once_left_and_is_typed_anew_when_chosen_again(qtbot, view):
    number = random_pan("4", 16)
    keys = Keyboard(qtbot)
    view.card.setFocus()
    keys.type(number[:12])
    keys.press(Qt.Key.Key_Tab)  # left before it was complete
    assert view.card.text() == f"VISA •••• {number[8:12]}"
    assert _widgets_showing(view, number[:12]) == []
    keys.press(Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)  # back to the card: typed again
    assert QApplication.focusWidget() is view.card and view.card.text() == "" and view.card.digits() == ""
    keys.type(number)
    assert QApplication.focusWidget() is view.expiry and view.card.text() == f"VISA •••• {number[-4:]}"
    assert _widgets_showing(view, number) == []


def _widgets_showing(view, digits):
    """The widgets whose text, name, description or tooltip hold ``digits`` (in clear)."""
    found = []
    for widget in view.window().findChildren(QWidget):
        texts = [widget.accessibleName(), widget.accessibleDescription(), widget.toolTip()]
        if isinstance(widget, (QLineEdit, QLabel)):
            texts.append(widget.text().replace(" ", ""))
        if any(digits in text for text in texts):
            found.append(widget)
    return found


def test_esc_on_a_sale_without_a_card_clears_it_at_once(qtbot, view):
    keys = Keyboard(qtbot)
    keys.press(Qt.Key.Key_F5)
    keys.press(Qt.Key.Key_Escape)
    assert view.discard_question is None
    assert (view.name.text(), view.amount.text(), view.amount_due.text()) == ("", "", "— USD")
    assert QApplication.focusWidget() is view.name


def test_esc_with_a_card_asks_first_no_keeps_the_sale_and_yes_wipes_the_card(qtbot, view):
    from PySide6.QtWidgets import QMessageBox

    number = random_pan("4", 16)
    keys = Keyboard(qtbot)
    keys.press(Qt.Key.Key_F6)
    keys.type(number + "1230")
    keys.press(Qt.Key.Key_Escape)
    question = view.discard_question
    assert question is not None and question.isVisible()
    assert question.defaultButton() is question.button(QMessageBox.StandardButton.No)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is question)
    keys.press(Qt.Key.Key_Escape)  # a second Esc answers No
    qtbot.waitUntil(lambda: view.discard_question is None)
    assert view.card.digits() == number and view.name.text() == "Croissant"
    assert view.card.text() == f"VISA •••• {number[-4:]}"
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.charge)  # back where the cashier was

    keys.press(Qt.Key.Key_Escape)
    view.discard_question.button(QMessageBox.StandardButton.No).click()
    qtbot.waitUntil(lambda: view.discard_question is None)
    assert view.card.digits() == number
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.charge)

    keys.press(Qt.Key.Key_Escape)
    view.discard_question.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: view.discard_question is None)
    assert (view.name.text(), view.amount.text(), view.card.text(), view.expiry.text(), view.cvc.text()) == \
        ("", "", "", "", "")
    assert view.card.digits() == "" and view.card_entry.empty and not view.card.isUndoAvailable()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.name)  # ready for the next sale


def test_esc_wipes_a_swiped_card_too(qtbot, view):
    from PySide6.QtWidgets import QMessageBox

    number = random_pan("4", 16)
    view.accept_swipe(f"%B{number}^DOE/JANE^30121010000000000000?;{number}=301210100000000000?")
    assert view.card.text() == f"VISA •••• {number[-4:]}" and QApplication.focusWidget() is view.charge
    Keyboard(qtbot).press(Qt.Key.Key_Escape)
    view.discard_question.button(QMessageBox.StandardButton.Yes).click()
    assert view.card_entry.swiped is None and view.card_entry.empty
    assert (view.card.text(), view.expiry.text(), view.card_message.text()) == ("", "", "")


@pytest.fixture
def charging_services(posapp_home, localstripe, monkeypatch):
    """Local-mode services whose sales localstripe charges, with the same quick keys."""
    from localstripetest import API_KEY

    from posapp import app, config

    localstripe.reset()
    posapp_home.mkdir(parents=True, exist_ok=True)
    settings = posapp_home / "posapp.toml"
    settings.write_text(f'[payments]\nprocessor = "stripe"\napi_base = "{localstripe.url}"\n\n{QUICK_KEYS}')
    settings.chmod(0o600)
    monkeypatch.setenv("POSAPP_STRIPE_KEY", API_KEY)
    services = app.build(config.load())
    yield services
    services.processor.close()


def test_a_charged_quick_key_sale_with_a_typed_card_takes_25_keys(qtbot, charging_window, charging_services):
    view = charging_window.checkout
    charging_window.activateWindow()
    keys = Keyboard(qtbot)
    keys.press(Qt.Key.Key_F5)
    keys.type("4242424242424242")  # Stripe's test Visa
    keys.type("1230")  # on to the code
    assert QApplication.focusWidget() is view.cvc
    keys.type("123")
    keys.press(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "paid" in view.result.text(), timeout=30_000)
    [order] = stored_orders(charging_services)
    assert (order.name, order.amount, order.status.value) == ("Coffee", Money(350, "USD"), "paid")
    assert keys.count == 25


@pytest.mark.parametrize("name", ["Bagel & cream cheese", "&Co coffee", "Fish&Chips", "R&&D"])
def test_a_quick_key_shows_its_name_whole_and_takes_no_alt_shortcut_from_it(qtbot, name):
    from PySide6.QtGui import QKeySequence

    from posapp.localization import Localization
    from posapp.ui.quick_keys import QuickKeys

    scope = QWidget()
    qtbot.addWidget(scope)
    keys = QuickKeys([(name, Money(350, "USD"))], Localization.named("en_US", "UTC"), scope)
    [button] = keys.buttons
    assert QKeySequence.mnemonic(button.text()).isEmpty()  # "&" is not the mark of an Alt key here
    assert button.text().replace("&&", "&") == f"F5  {name}\n$3.50"
