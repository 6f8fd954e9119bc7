"""The first start of a till without settings: keep local mode, or join the shared backends.

It runs the same flow as 'posapp setup' (``posapp.workstation_setup``): the same checks, the
same file, the database password in the system keyring, never in the file.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from posapp import config, workstation_setup
from posapp.errors import ConfigError, PosappError
from posapp.ui.swipe import KeyClock, SwipeCatcher, pressed_at
from posapp.ui.messages import sentence
from posapp.ui.tasks import TaskRunner


class FirstRunDialog(QDialog):
    """Asks a till without settings for local mode or the shared backends; accepted once the
    settings file (``settings.paths.user_config_file``) and the keyring password are saved."""

    def __init__(self, settings: config.Settings, runner: TaskRunner, *, key_clock: KeyClock = pressed_at,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._runner = runner
        self.target = settings.paths.user_config_file
        self.setWindowTitle(self.tr("Set up this till"))

        self.local = QRadioButton(self.tr("Use this till on its own (local mode: cards and orders stay here)"))
        self.shared = QRadioButton(self.tr("Connect to the shared card vault (DynamoDB + KMS) and order history "
                                           "(MySQL)"))
        self.local.setChecked(True)
        self.workstation = QLineEdit(settings.workstation.id)
        self.workstation.setAccessibleName(self.tr("Workstation id"))

        self.region = QLineEdit()
        self.table = QLineEdit(settings.vault.table)
        self.kms_key = QLineEdit()
        self.kms_key.setPlaceholderText("arn:aws:kms:REGION:ACCOUNT:key/…")
        self.materials = QComboBox()
        for materials in config.Materials:
            self.materials.addItem(materials.value, materials)
        self.orders_url = QLineEdit()
        self.orders_url.setPlaceholderText("mysql+pymysql://USER@HOST:3306/DATABASE")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        shared_form = QFormLayout()
        for label, field in ((self.tr("AWS region"), self.region), (self.tr("Vault table"), self.table),
                             (self.tr("KMS key ARN"), self.kms_key), (self.tr("Key materials"), self.materials),
                             (self.tr("Order database"), self.orders_url),
                             (self.tr("Database password"), self.password)):
            field.setAccessibleName(label)
            shared_form.addRow(label, field)
        self.shared_box = QGroupBox(self.tr("Shared backends"))
        self.shared_box.setLayout(shared_form)
        self.shared_box.setEnabled(False)
        self.shared.toggled.connect(self.shared_box.setEnabled)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)

        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("posapp has no settings on this till yet.")))
        form = QFormLayout()
        form.addRow(self.tr("Workstation id"), self.workstation)
        layout.addLayout(form)
        layout.addWidget(self.local)
        layout.addWidget(self.shared)
        layout.addWidget(self.shared_box)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

        # Before the main window exists a swipe must not type into these fields either.
        self.swipes = SwipeCatcher(self, clock=key_clock)
        self.swipes.swiped.connect(self._swiped)
        QApplication.instance().installEventFilter(self.swipes)

    def _swiped(self, raw: str) -> None:
        del raw  # no sale is taken here: dropped, never typed or kept
        self.message.setText(self.tr("A card swipe was ignored: set up the till first, then swipe at the checkout."))

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

    def save(self) -> None:
        """Check the form and ask for the password here (a mistake is named at once, nothing
        written); then save the file and store the password off the GUI thread, and accept."""
        values, typed = self.values(), self.password.text()

        def password() -> str:
            if not typed:  # the field was left empty: say where the password goes
                raise ConfigError(self.tr("type the order database password: posapp keeps it in the system keyring"))
            return typed

        if values.get("vault", {}).get("materials") is config.Materials.SEALED:
            # Its check asks KMS for back office's public key: off the GUI thread, named when it fails.
            self.save_button.setEnabled(False)
            self._runner.run(lambda: workstation_setup.prepare(self.target, values, shared=False,
                                                               password=password).apply(),
                             lambda _result: self.accept(), self._failed, owner=self)
            return
        try:  # checked here, at once, so a mistake is named before anything runs in the background
            setup = workstation_setup.prepare(self.target, values, shared=False, password=password)
        except PosappError as error:
            self.message.setText(sentence(error))
            return
        self.save_button.setEnabled(False)
        self._runner.run(setup.apply, lambda _result: self.accept(), self._failed, owner=self)

    def _failed(self, message: str, _error: Exception) -> None:
        self.save_button.setEnabled(True)
        self.message.setText(message)
