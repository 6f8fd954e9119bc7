"""The first start of a till without settings: keep local mode, or join the shared backends.

It runs the same flow as 'posapp setup' (``posapp.workstation_setup``): the same checks, the
same file, the database password in the system keyring, never in the file. Every problem of the
form is named at once, beside its field; **Test connection** runs the doctor's checks on the
shared backends in the background before anything is saved; **Cancel** asks whether to quit or
to go on in local mode for now.
"""

from __future__ import annotations

import enum
import re

from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from posapp import config, workstation_setup
from posapp.config_checks import is_mysql
from posapp.errors import ConfigError, PosappError
from posapp.ui import announce, look
from posapp.ui.first_run_checks import ConnectionTest
from posapp.ui.messages import sentence
from posapp.ui.swipe import KeyClock, SwipeCatcher, pressed_at
from posapp.ui.tasks import TaskRunner

# "…/posapp.toml: [vault] kms_key_id: use the full key ARN…": the setting a ConfigError names, and why.
_NAMED_SETTING = re.compile(r"\[(\w+)\] (\w+): (.*)$", re.DOTALL)


class Leaving(enum.Enum):
    """What the till does after a Cancel: the question's answer."""

    QUIT = "quit"
    LOCAL_MODE = "local mode"  # for now: nothing saved, the dialog comes back at the next start


class FirstRunDialog(QDialog):
    """Asks a till without settings for local mode or the shared backends; accepted once the
    settings file (``settings.paths.user_config_file``) and the keyring password are saved.
    Rejected after Cancel, with ``leaving`` saying whether to quit or go on in local mode."""

    def __init__(self, settings: config.Settings, runner: TaskRunner, *, key_clock: KeyClock = pressed_at,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._runner = runner
        self.target = settings.paths.user_config_file
        self.leaving: Leaving | None = None
        self.setWindowTitle(self.tr("Set up this till"))

        self.local = QRadioButton(self.tr("Use this till on its own (local mode: cards and orders stay here)"))
        self.shared = QRadioButton(self.tr("Connect to the shared card vault (DynamoDB + KMS) and order history "
                                           "(MySQL)"))
        self.local.setChecked(True)
        self.workstation = QLineEdit(settings.workstation.id)
        self.region = QLineEdit()
        self.region.setPlaceholderText(self.tr("e.g. eu-west-1"))
        self.table = QLineEdit(settings.vault.table)
        self.kms_key = QLineEdit()
        self.kms_key.setPlaceholderText(self.tr("e.g. arn:aws:kms:eu-west-1:123456789012:key/…"))
        self.materials = QComboBox()
        for materials in config.Materials:
            self.materials.addItem(materials.value, materials)
        self.orders_url = QLineEdit()
        self.orders_url.setPlaceholderText(self.tr("e.g. mysql+pymysql://pos@db.example:3306/pos"))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(self.tr("kept in the system keyring, not in the file"))
        # Each setting's field, by the name a ConfigError gives it; the password is in no file.
        self._fields: dict[tuple[str, str], QWidget] = {
            ("workstation", "id"): self.workstation, ("vault", "region"): self.region,
            ("vault", "table"): self.table, ("vault", "kms_key_id"): self.kms_key,
            ("vault", "materials"): self.materials, ("orders", "url"): self.orders_url}
        self._problems: dict[QWidget, QLabel] = {}

        top_form = QFormLayout()
        self._add_row(top_form, self.tr("Workstation id"), self.workstation)
        shared_form = QFormLayout()
        for label, field in ((self.tr("AWS region"), self.region), (self.tr("Vault table"), self.table),
                             (self.tr("KMS key ARN"), self.kms_key), (self.tr("Key materials"), self.materials),
                             (self.tr("Order database"), self.orders_url),
                             (self.tr("Database password"), self.password)):
            self._add_row(shared_form, label, field)
        self.shared_box = QGroupBox(self.tr("Shared backends"))
        self.shared_box.setLayout(shared_form)
        self.shared_box.setEnabled(False)
        self.connection_test = ConnectionTest(self, runner)
        self.shared.toggled.connect(self.shared_box.setEnabled)
        self.shared.toggled.connect(self.connection_test.button.setEnabled)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {look.ERROR};")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.addButton(self.connection_test.button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)

        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("posapp has no settings on this till yet.")))
        layout.addLayout(top_form)
        layout.addWidget(self.local)
        layout.addWidget(self.shared)
        layout.addWidget(self.shared_box)
        layout.addWidget(self.connection_test.results)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

        # Before the main window exists a swipe must not type into these fields either.
        self.swipes = SwipeCatcher(self, clock=key_clock)
        self.swipes.swiped.connect(self._swiped)
        QApplication.instance().installEventFilter(self.swipes)

    def _add_row(self, form: QFormLayout, label: str, field: QWidget) -> None:
        """``field`` under ``label``, with the line that names its problem under it (hidden until then)."""
        field.setAccessibleName(label)
        problem = QLabel()  # one line: the dialog widens to it (a wrapped label would not grow the dialog)
        problem.setStyleSheet(f"color: {look.ERROR};")
        problem.setAccessibleName(self.tr("Problem with %1").replace("%1", label))
        problem.hide()
        cell = QVBoxLayout()
        cell.setSpacing(2)
        cell.addWidget(field)
        cell.addWidget(problem)
        form.addRow(label, cell)
        self._problems[field] = problem
        if isinstance(field, QLineEdit):  # a problem is gone once its field is edited
            field.textEdited.connect(lambda _text: self._show_problem(field, ""))

    def _swiped(self, raw: str) -> None:
        del raw  # no sale is taken here: dropped, never typed or kept
        announce.show(self.message, self.tr("A card swipe was ignored: set up the till first, then swipe at the "
                                            "checkout."), urgent=True)

    def values(self) -> dict[str, dict[str, object]]:
        """The form as settings values, ``{section: {key: value}}`` (None: left empty), as
        ``posapp.workstation_setup`` takes them; the password is not among them."""
        values: dict[str, dict[str, object]] = {"workstation": {"id": self.workstation.text().strip()}}
        if self.shared.isChecked():
            values["vault"] = {"backend": config.VaultBackend.DYNAMODB, "region": self.region.text().strip() or None,
                               "table": self.table.text().strip() or None,
                               "kms_key_id": self.kms_key.text().strip() or None,
                               "materials": self.materials.currentData()}
            values["orders"] = {"url": self.orders_url.text().strip() or None}
        return values

    # -- problems ----------------------------------------------------------------------

    def problems(self) -> dict[QWidget, str]:
        """Every problem of the form at once, by field: each value's own check, the shared backends'
        required settings and the password; then, with none of those, the settings' checks together."""
        values, found = self.values(), {}
        for (section, key), field in self._fields.items():
            value = values.get(section, {}).get(key)
            if value is None:
                continue
            try:
                config.check_each(self.target, {section: {key: value}})
            except ConfigError as error:
                found[field] = self._reason(error)[1]
        if self.shared.isChecked():
            for field in (self.region, self.kms_key, self.orders_url):
                if not field.text().strip() and field not in found:
                    found[field] = self.tr("required for the shared backends: type it as the example shows")
            if is_mysql(values["orders"]["url"]) and not self.password.text():
                found[self.password] = self.tr("type the order database's password: posapp keeps it in the system "
                                               "keyring")
        if not found and values.get("vault", {}).get("materials") is not config.Materials.SEALED:
            try:  # sealed materials are checked once back office's key is fetched, in the background
                config.check(self.target, values)
            except ConfigError as error:
                field, reason = self._reason(error)
                found[field or self.workstation] = reason
        return found

    def _reason(self, error: PosappError) -> tuple[QWidget | None, str]:
        """The field a ConfigError names (None: none) and its reason without the file's name."""
        named = _NAMED_SETTING.search(str(error))
        if named is None or (named[1], named[2]) not in self._fields:
            return None, sentence(error)
        return self._fields[named[1], named[2]], named[3]

    def show_problems(self, found: dict[QWidget, str]) -> None:
        """Name each problem beside its field, clear the others, and focus the first field to fix."""
        for field in self._problems:
            self._show_problem(field, found.get(field, ""))
        count = len(found)
        summary = ("" if not count else self.tr("Fix the marked setting, then save.") if count == 1
                   else self.tr("Fix the %1 marked settings, then save.").replace("%1", str(count)))
        announce.show(self.message, summary, urgent=True)
        if found:
            next(field for field in self._problems if field in found).setFocus()

    def _show_problem(self, field: QWidget, text: str) -> None:
        announce.show(self._problems[field], text, urgent=bool(text))
        self._problems[field].setVisible(bool(text))

    # -- saving, leaving ---------------------------------------------------------------

    def save(self) -> None:
        """Check the form (every problem is named at once, nothing written); then save the file and
        store the password off the GUI thread, and accept."""
        found = self.problems()
        self.show_problems(found)
        if found:
            return
        values, typed = self.values(), self.password.text()
        self.save_button.setEnabled(False)
        # Sealed materials' check asks KMS for back office's public key: off the GUI thread too.
        self._runner.run(lambda: workstation_setup.prepare(self.target, values, shared=False,
                                                           password=lambda: typed).apply(),
                         lambda _result: self.accept(), self.show_failure, owner=self)

    def show_failure(self, message: str, error: Exception) -> None:
        """Say why saving (or testing) failed: beside the field a ConfigError names, else under the form."""
        self.save_button.setEnabled(True)
        field, reason = self._reason(error) if isinstance(error, ConfigError) else (None, message)
        if field is not None:
            self.show_problems({field: reason})
        else:
            announce.show(self.message, message, urgent=True)

    def reject(self) -> None:
        """Cancel (or closing the dialog): ask whether to quit posapp or go on in local mode for now."""
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Set up this till"),
                          self.tr("Leave the set-up without saving?"), parent=self)
        box.setInformativeText(self.tr("Nothing is saved: this question comes back at the next start. In local "
                                       "mode cards and orders stay on this till."))
        quit_button = box.addButton(self.tr("&Quit posapp"), QMessageBox.ButtonRole.DestructiveRole)
        local_button = box.addButton(self.tr("Use &local mode for now"), QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(local_button)
        box.buttonClicked.connect(lambda button: self._leave(Leaving.QUIT if button is quit_button
                                                             else Leaving.LOCAL_MODE))
        self.question = box
        box.open()

    def _leave(self, leaving: Leaving) -> None:
        self.leaving = leaving
        super().reject()
