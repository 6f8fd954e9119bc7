"""The first start without settings: keep local mode, or fill in the shared backends."""

import base64
import tomllib

import pytest
from cardgen import random_pan
from guihelpers import KeyClock, reader_types

from posapp import config
from posapp.ui.first_run import FirstRunDialog, Leaving


@pytest.fixture
def dialog(qtbot, posapp_home, runner):
    dialog = FirstRunDialog(config.load(), runner)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_keeping_local_mode_writes_the_workstation_only(qtbot, dialog, posapp_home):
    dialog.workstation.setText("till-03")
    dialog.save()
    qtbot.waitUntil(lambda: dialog.result() == FirstRunDialog.DialogCode.Accepted)
    assert tomllib.loads((posapp_home / "posapp.toml").read_text()) == {"workstation": {"id": "till-03"}}
    assert config.load().files == (posapp_home / "posapp.toml",)


def test_shared_backends_keep_the_password_in_the_keyring(qtbot, dialog, posapp_home, memory_keyring):
    dialog.shared.setChecked(True)
    dialog.workstation.setText("till-04")
    dialog.region.setText("eu-west-1")
    dialog.kms_key.setText("arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab")
    dialog.orders_url.setText("mysql+pymysql://pos@db.internal:3306/pos")
    dialog.password.setText("s3cret-pass")
    dialog.save()
    qtbot.waitUntil(lambda: dialog.result() == FirstRunDialog.DialogCode.Accepted)
    written = (posapp_home / "posapp.toml").read_text()
    assert "s3cret-pass" not in written
    settings = config.load()
    assert (settings.vault.backend, settings.vault.region) == (config.VaultBackend.DYNAMODB, "eu-west-1")
    assert memory_keyring.secrets[("posapp", "orders:pos@db.internal:3306/pos")] == "s3cret-pass"


def test_sealed_materials_pin_back_offices_key_fetched_in_the_background(qtbot, dialog, posapp_home, key_arn):
    from awstest import aws_client

    rsa = aws_client("kms").create_key(KeySpec="RSA_3072", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]["Arn"]
    dialog.shared.setChecked(True)
    dialog.workstation.setText("till-05")
    dialog.region.setText("us-east-1")
    dialog.materials.setCurrentIndex(dialog.materials.findData(config.Materials.SEALED))
    dialog.orders_url.setText("mysql+pymysql://pos@db.internal:3306/pos")
    dialog.password.setText("s3cret-pass")
    dialog.kms_key.setText(key_arn)  # a symmetric key: named beside the key's field, nothing written
    dialog.save()
    problem = dialog._problems[dialog.kms_key]
    qtbot.waitUntil(lambda: "not an asymmetric key" in problem.text() or "RSA_3072" in problem.text())
    assert not (posapp_home / "posapp.toml").exists() and dialog.save_button.isEnabled()
    dialog.kms_key.setText(rsa)
    dialog.save()
    qtbot.waitUntil(lambda: dialog.result() == FirstRunDialog.DialogCode.Accepted)
    pinned = config.load().vault
    assert (pinned.materials, pinned.kms_key_id) == (config.Materials.SEALED, rsa)
    assert base64.b64decode(pinned.back_office_key) == aws_client("kms").get_public_key(KeyId=rsa)["PublicKey"]


def problems(dialog):
    """The problem lines shown, by the accessible name of their field."""
    return {field.accessibleName(): line.text() for field, line in dialog._problems.items() if line.isVisibleTo(dialog)}


def test_every_mistake_is_named_at_once_beside_its_field_and_nothing_is_written(qtbot, dialog, posapp_home):
    dialog.shared.setChecked(True)
    dialog.workstation.setText("till 03")  # a space
    dialog.region.setText("Europe")
    dialog.kms_key.setText("alias/pos")
    dialog.save()
    assert problems(dialog) == {
        "Workstation id": "use 1 to 64 letters, digits, dots, dashes or underscores",
        "AWS region": "use an AWS region name, like eu-west-1",
        "KMS key ARN": "use the full key ARN, like arn:aws:kms:us-east-1:123456789012:key/…",
        "Order database": "required for the shared backends: type it as the example shows"}
    assert dialog.message.text() == "Fix the 4 marked settings, then save."
    assert dialog.message.accessibleDescription() == dialog.message.text()  # announced
    assert dialog.workstation.hasFocus()  # the first to fix
    assert not (posapp_home / "posapp.toml").exists() and dialog.isVisible()

    qtbot.keyClicks(dialog.region, "-west-1")  # edited: its problem is gone, the others stay
    assert "AWS region" not in problems(dialog) and len(problems(dialog)) == 3
    dialog.workstation.setText("till-03")
    dialog.region.setText("eu-west-1")
    dialog.kms_key.setText("arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab")
    dialog.orders_url.setText("mysql+pymysql://pos@db.internal:3306/pos")
    dialog.save()
    assert problems(dialog) == {"Database password": "type the order database's password: posapp keeps it in the "
                                                     "system keyring"}
    assert dialog.message.text() == "Fix the marked setting, then save."


def test_placeholders_read_as_examples(dialog):
    examples = [field.placeholderText() for field in (dialog.region, dialog.kms_key, dialog.orders_url)]
    assert all(example.startswith("e.g. ") for example in examples), examples


@pytest.mark.parametrize(("answer", "leaving"), [("Quit posapp", Leaving.QUIT),
                                                 ("Use local mode for now", Leaving.LOCAL_MODE)])
def test_cancel_asks_whether_to_quit_or_use_local_mode(qtbot, dialog, posapp_home, answer, leaving):
    dialog.reject()  # Cancel, Esc or closing the window
    qtbot.waitUntil(lambda: dialog.question.isVisible())
    assert dialog.isVisible() and dialog.leaving is None  # nothing decided yet
    [button] = [button for button in dialog.question.buttons() if button.text().replace("&", "") == answer]
    button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert (dialog.result(), dialog.leaving) == (FirstRunDialog.DialogCode.Rejected, leaving)
    assert not (posapp_home / "posapp.toml").exists()


def fill_shared(dialog, key_arn, url):
    dialog.shared.setChecked(True)
    dialog.workstation.setText("till-06")
    dialog.region.setText("us-east-1")
    dialog.kms_key.setText(key_arn)
    dialog.orders_url.setText(url)
    dialog.password.setText("s3cret-pass")


def test_test_connection_lists_each_check_passed_or_failed(qtbot, dialog, posapp_home, key_arn):
    from awstest import free_port

    assert not dialog.connection_test.button.isEnabled()  # local mode reaches nothing
    fill_shared(dialog, key_arn, f"mysql+pymysql://pos@127.0.0.1:{free_port()}/pos")
    dialog.connection_test.button.click()
    results = dialog.connection_test.results
    qtbot.waitUntil(lambda: dialog.connection_test.button.isEnabled(), timeout=30_000)
    lines = [results.item(row).text() for row in range(results.count())]
    assert lines[0].startswith("✓ configuration: passed")
    assert any(line.startswith("✗ order history: FAILED — ") and "cannot be reached" in line for line in lines)
    assert all(line[0] in "✓✗" for line in lines) and len(lines) >= 5
    assert results.accessibleDescription().endswith("checks failed.")
    assert not (posapp_home / "posapp.toml").exists()  # a test saves nothing


def test_the_dialog_answers_while_the_connection_is_tested(qtbot, dialog, key_arn, monkeypatch):
    import threading

    from PySide6.QtCore import QTimer

    from posapp import doctor

    release = threading.Event()

    def slow_checks(services):
        release.wait(20)
        yield doctor.CheckResult("order history", "answers", doctor.ExitCode.OK)

    monkeypatch.setattr(doctor, "run", slow_checks)
    fill_shared(dialog, key_arn, "mysql+pymysql://pos@db.internal:3306/pos")
    dialog.connection_test.button.click()
    ticks = []
    timer = QTimer(interval=5)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    qtbot.waitUntil(lambda: len(ticks) >= 20, timeout=10_000)  # the event loop runs during the test
    timer.stop()
    assert not dialog.connection_test.button.isEnabled()
    assert dialog.connection_test.results.item(0).text() == "Testing the connection…"
    release.set()
    qtbot.waitUntil(lambda: dialog.connection_test.button.isEnabled(), timeout=10_000)
    assert dialog.connection_test.results.item(0).text() == "✓ order history: passed — answers"


def test_a_swipe_during_set_up_is_neither_typed_nor_kept(qtbot, posapp_home, runner):
    clock = KeyClock()
    dialog = FirstRunDialog(config.load(), runner, key_clock=clock)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.workstation.setText("till-05")
    dialog.workstation.setFocus()
    reader_types(qtbot, dialog.workstation, clock, f"%B{random_pan('4', 16)}^DOE/JANE^3012101?")
    qtbot.waitUntil(lambda: "swipe was ignored" in dialog.message.text())
    assert dialog.workstation.text() == "till-05"
    assert dialog.message.text() == "A card swipe was ignored: set up the till first, then swipe at the checkout."
