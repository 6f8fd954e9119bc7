"""The window's first screen: sign in, unlock after the idle lock, or create the first administrator.

Every check runs through the task runner (Argon2 takes about 0.1 s and the database may be
remote). A secret is taken out of its field the moment it is read, so it is on screen no
longer than it is typed, and it is never logged or kept.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from posapp.access.operators import NoOperators, Operators
from posapp.access.roles import Role, SignedIn
from posapp.ui import announce, look
from posapp.ui.tasks import TaskRunner


class SignInScreen(QWidget):
    """Login and secret, Enter to sign in; while no operator exists, the first administrator's form.

    ``operators()`` is called on a worker thread; ``look_for_operators``: ask it whether any operator
    exists each time the form is shown (else a sign-in that finds none brings up the first
    administrator's form). ``signed_in(SignedIn)`` is emitted once the
    secret was right; refusals are shown as one sentence under the form."""

    signed_in = Signal(object)

    def __init__(self, operators: Callable[[], Operators], runner: TaskRunner, *, workstation: str,
                 look_for_operators: bool = True, parent: QWidget | None = None):
        super().__init__(parent)
        self._operators = operators
        self._look_for_operators = look_for_operators
        self._runner = runner
        self._locked: SignedIn | None = None
        self._busy = False

        self.heading = QLabel()
        self.prompt = QLabel()
        self.prompt.setWordWrap(True)
        self.login = _field(self.tr("Login"))
        self.secret = _field(self.tr("PIN or password"), secret=True)
        self.sign_in_button = QPushButton(self.tr("Sign in"))
        self.sign_in_button.setDefault(True)
        self.sign_in_button.clicked.connect(self.sign_in)
        for field in (self.login, self.secret):
            field.returnPressed.connect(self.sign_in)
        sign_in_form = QFormLayout()
        sign_in_form.addRow(self.tr("&Login"), self.login)
        sign_in_form.addRow(self.tr("&Secret"), self.secret)
        sign_in_form.addRow("", self.sign_in_button)

        self.admin_login = _field(self.tr("Administrator login"))
        self.admin_name = _field(self.tr("Administrator name"))
        self.admin_password = _field(self.tr("Password"), secret=True)
        self.admin_repeat = _field(self.tr("Password again"), secret=True)
        self.create_button = QPushButton(self.tr("Create administrator and sign in"))
        self.create_button.clicked.connect(self.create_first_admin)
        for field in (self.admin_login, self.admin_name, self.admin_password, self.admin_repeat):
            field.returnPressed.connect(self.create_first_admin)
        admin_form = QFormLayout()
        for label, field in ((self.tr("Login"), self.admin_login), (self.tr("Name"), self.admin_name),
                             (self.tr("Password"), self.admin_password), (self.tr("Again"), self.admin_repeat)):
            admin_form.addRow(label, field)
        admin_form.addRow("", self.create_button)

        self.forms = QStackedWidget()
        for form in (sign_in_form, admin_form):
            page = QWidget()
            page.setLayout(form)
            self.forms.addWidget(page)
        self.message = QLabel()
        self.message.setAccessibleName(self.tr("Sign-in message"))
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {look.ERROR};")
        self.till = look.secondary(QLabel(self.tr("Workstation %1").replace("%1", workstation)))

        # A till's screen is read standing, at arm's length: larger type, as at the checkout.
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.25)
        self.setFont(font)
        heading_font = QFont(font)
        heading_font.setPointSizeF(font.pointSizeF() * 1.6)
        heading_font.setBold(True)
        self.heading.setFont(heading_font)

        column = QVBoxLayout()
        column.addStretch(1)
        for widget in (self.heading, self.till, self.prompt, self.forms, self.message):
            column.addWidget(widget)
        column.addStretch(2)
        outer = QHBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(column, 2)
        outer.addStretch(1)

    @property
    def creating_first_admin(self) -> bool:
        """Whether the first administrator's form is showing."""
        return self.forms.currentIndex() == 1

    def ask(self, locked: SignedIn | None = None) -> None:
        """Show the sign-in form: for anyone, or after the idle lock of ``locked`` (who resumes
        with their secret, or another operator signs in instead)."""
        self._locked = locked
        self._wipe_secrets()
        announce.show(self.message, "")
        self.forms.setCurrentIndex(0)
        if locked is None:
            self.heading.setText(self.tr("Sign in"))
            self.prompt.setText(self.tr("Type your login and your PIN or password, then press Enter."))
            self.login.setText("")
            self.login.setFocus()
            if self._look_for_operators:  # a database that does not answer is named by the sign-in itself
                self._runner.run(lambda: self._operators().exist(), self._first_admin_needed, lambda *_: None,
                                 owner=self)
        else:
            self.heading.setText(self.tr("Locked"))
            self.prompt.setText(self.tr("%1 was signed in and the till locked after a pause. Type the secret to go "
                                        "on, or sign in as another operator.").replace("%1", locked.name))
            self.login.setText(locked.login)
            self.secret.setFocus()

    def sign_in(self) -> None:
        """Check the login and secret in the background (Enter); ignored while a check runs."""
        login, secret = self.login.text().strip(), self.secret.text()
        if self._busy or not secret:
            return
        self.secret.setText("")  # setText also empties the undo history
        action = "unlock-screen" if self._locked else "sign-in"
        self._start(lambda: self._operators().sign_in(login, secret, action=action))

    def create_first_admin(self) -> None:
        """Create the first administrator from the form, then sign in as them."""
        login, name = self.admin_login.text().strip(), self.admin_name.text().strip()
        password, repeated = self.admin_password.text(), self.admin_repeat.text()
        if self._busy:
            return
        self._wipe_secrets()
        if password != repeated:
            announce.show(self.message, self.tr("The two passwords differ: type the password twice, the same."),
                          urgent=True)
            self.admin_password.setFocus()
            return

        def create() -> SignedIn:
            operators = self._operators()
            operators.add(None, login, Role.ADMIN, name or None, password)
            return operators.sign_in(login, password)

        self._start(create)

    def _start(self, work: Callable[[], SignedIn]) -> None:
        self._busy = True
        self.message.setStyleSheet("")
        announce.show(self.message, self.tr("Checking…"))
        self._runner.run(work, self._accepted, self._refused, owner=self)

    def _accepted(self, operator: SignedIn) -> None:
        self._busy = False
        announce.show(self.message, "")
        self.signed_in.emit(operator)

    def _refused(self, message: str, error: Exception) -> None:
        self._busy = False
        self.message.setStyleSheet(f"color: {look.ERROR};")
        if isinstance(error, NoOperators):
            self._first_admin_needed(False)
            return
        announce.show(self.message, message, urgent=True)
        (self.admin_password if self.creating_first_admin else self.secret).setFocus()

    def _first_admin_needed(self, operators_exist: bool) -> None:
        if operators_exist or self._locked is not None:
            return
        self.forms.setCurrentIndex(1)
        self.heading.setText(self.tr("Create the first administrator"))
        self.prompt.setText(self.tr("Nobody can use this till yet. Create its administrator: a password of at "
                                    "least 12 characters, typed twice. The administrator then adds cashiers "
                                    "('posapp operator add')."))
        self.admin_login.setFocus()

    def _wipe_secrets(self) -> None:
        for field in (self.secret, self.admin_password, self.admin_repeat):
            field.setText("")


def _field(name: str, *, secret: bool = False) -> QLineEdit:
    field = QLineEdit()
    field.setAccessibleName(name)
    if secret:
        field.setEchoMode(QLineEdit.EchoMode.Password)  # also stops copying it out
    return field
