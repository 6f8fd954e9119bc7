"""What GUI tests share: the key clock and a card reader's typing (orders and vault items: tests/kit.py)."""

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest


@dataclass
class KeyClock:
    """When each key was pressed, as the swipe catcher sees it: keys are stamped at a
    person's pace unless a test lets a card reader type, so no test depends on how fast
    this (shared, noisy) machine delivers them."""

    PERSON = 0.12  # seconds between keys
    READER = 0.002

    now: float = 1000.0
    pace: float = PERSON

    def __call__(self, _event) -> float:
        self.now += self.pace
        return self.now


def type_text(widget, text):
    """Key presses for ``text``; QTest.keyClicks aborts the process on a non-ASCII character,
    so those (the "ö" of a German reader's track 2) are sent one by one."""
    for char in text:
        if char.isascii():
            QTest.keyClicks(widget, char)
        else:
            QTest.sendKeyEvent(QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, char, Qt.KeyboardModifier.NoModifier)


def reader_types(qtbot, widget, key_clock, *tracks):
    """A keyboard-wedge reader types ``tracks`` into ``widget``, each ended by Enter."""
    key_clock.pace = KeyClock.READER
    try:
        for track in tracks:
            type_text(widget, track)
            QTest.keyClick(widget, Qt.Key.Key_Return)
    finally:
        key_clock.pace = KeyClock.PERSON


ADMIN_PASSWORD = "admin-pass-2026"
PASSWORD = "till-pass-2026"  # every other role's but a cashier's
PIN = "480713"  # a cashier's
NAMES = {"admin-1": "Admin One", "cashier-1": "Cashier One", "cashier-2": "Cashier Two",
         "supervisor-1": "Supervisor One", "backoffice-1": "Back Office One"}


def secret_of(login):
    """The secret add_operator gives ``login``."""
    if login == "admin-1":
        return ADMIN_PASSWORD
    return PIN if login.startswith("cashier") else PASSWORD


def add_operator(services, login):
    """Operator ``login`` (its role is the login's first part: "cashier-2" is a cashier), created
    through ``services.operators`` as admin-1, who is created first on an empty till."""
    from posapp.access.roles import Role, SignedIn

    operators = services.operators
    admin = SignedIn("admin-1", NAMES["admin-1"], Role.ADMIN)
    if not operators.exist():
        operators.add(None, "admin-1", Role.ADMIN, NAMES["admin-1"], ADMIN_PASSWORD)
    if login != "admin-1":
        operators.add(admin, login, Role(login.split("-")[0]), NAMES.get(login), secret_of(login))


def type_sign_in(qtbot, window, login, secret=None):
    """Type ``login`` and its secret into the window's sign-in screen and press Enter."""
    screen = window.sign_in
    screen.login.setText(login)
    screen.secret.setFocus()
    qtbot.keyClicks(screen.secret, secret or secret_of(login))
    QTest.keyClick(screen.secret, Qt.Key.Key_Return)


def sign_in(qtbot, window, services, login="cashier-1"):
    """Create operator ``login`` (see add_operator) and sign the window in as it."""
    add_operator(services, login)
    type_sign_in(qtbot, window, login)
    qtbot.waitUntil(lambda: window.operator is not None and window.operator.login == login, timeout=10_000)
