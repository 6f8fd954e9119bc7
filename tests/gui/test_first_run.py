"""The first start without settings: keep local mode, or fill in the shared backends."""

import base64
import tomllib

import pytest
from cardgen import random_pan
from guihelpers import KeyClock, reader_types

from posapp import config
from posapp.ui.first_run import FirstRunDialog


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
    dialog.kms_key.setText(key_arn)  # a symmetric key: named, nothing written
    dialog.save()
    qtbot.waitUntil(lambda: "not an asymmetric key" in dialog.message.text() or "RSA_3072" in dialog.message.text())
    assert not (posapp_home / "posapp.toml").exists() and dialog.save_button.isEnabled()
    dialog.kms_key.setText(rsa)
    dialog.save()
    qtbot.waitUntil(lambda: dialog.result() == FirstRunDialog.DialogCode.Accepted)
    pinned = config.load().vault
    assert (pinned.materials, pinned.kms_key_id) == (config.Materials.SEALED, rsa)
    assert base64.b64decode(pinned.back_office_key) == aws_client("kms").get_public_key(KeyId=rsa)["PublicKey"]


def test_a_mistake_is_named_and_nothing_is_written(qtbot, dialog, posapp_home):
    dialog.shared.setChecked(True)
    dialog.region.setText("eu-west-1")
    dialog.kms_key.setText("alias/pos")
    dialog.save()
    assert "[vault] kms_key_id: use the full key ARN" in dialog.message.text()
    assert not (posapp_home / "posapp.toml").exists()
    assert dialog.isVisible()


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
