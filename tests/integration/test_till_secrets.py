"""A till's signing key and audit key: in the keyring when it keeps secrets, else in a 0600 key
file with a warning; damaged or foreign content is one sentence that never shows key text."""

import errno
import json
import logging
import os
import secrets as random

import pytest

from posapp import secrets
from posapp.errors import ExitCode, PosappError, describe
from posapp.vault import key_files, till_secrets
from posapp.vault.sealing import key_id, new_till_key, private_key_text
from posapp.vault.till_secrets import TillSecrets


@pytest.fixture
def key_file(tmp_path):
    return tmp_path / "keys" / "till-signing.key"


def same(a, b):
    return (a.till_id, key_id(a.signing_key.public_key()), a.audit_key) == \
        (b.till_id, key_id(b.signing_key.public_key()), b.audit_key)


def refused(action):
    with pytest.raises(PosappError) as error:
        action()
    sentence, code = describe(error.value)
    assert "\n" not in sentence
    return sentence, code


@pytest.mark.usefixtures("keyring_counts_as_persistent")
def test_a_keyring_that_keeps_secrets_holds_them_under_the_till_id(key_file, memory_keyring, caplog):
    kept = TillSecrets("till-01", new_till_key(), random.token_bytes(32))
    assert till_secrets.store(kept, key_file) == "the system keyring"
    assert not key_file.exists()
    assert list(memory_keyring.secrets) == [("posapp", "till-signing-key:till-01")]
    assert same(till_secrets.load("till-01", key_file), kept)
    assert till_secrets.load("till-02", key_file) is None
    assert caplog.records == []


def test_without_a_trusted_keyring_they_go_to_a_private_key_file_with_a_warning(key_file, memory_keyring, caplog):
    kept = TillSecrets("till-01", new_till_key(), None)
    with caplog.at_level(logging.WARNING):
        assert till_secrets.store(kept, key_file) == str(key_file)
    assert memory_keyring.secrets == {}
    assert os.stat(key_file).st_mode & 0o777 == 0o600
    assert [record.levelname for record in caplog.records] == ["WARNING"]
    assert str(key_file) in caplog.text and private_key_text(kept.signing_key) not in caplog.text
    assert same(till_secrets.load("till-01", key_file), kept)
    assert list(key_file.parent.iterdir()) == [key_file]  # no temporary file left


@pytest.mark.usefixtures("keyring_counts_as_persistent")
def test_the_key_file_wins_when_it_exists(key_file, memory_keyring):
    till_secrets.store(TillSecrets("till-01", new_till_key(), None), key_file)  # the keyring
    in_file = TillSecrets("till-01", new_till_key(), None)
    key_file.parent.mkdir()
    key_file.write_text(in_file.encode())
    assert same(till_secrets.load("till-01", key_file), in_file)
    newer = TillSecrets("till-01", new_till_key(), random.token_bytes(32))
    assert till_secrets.store(newer, key_file) == str(key_file)
    assert same(till_secrets.load("till-01", key_file), newer)


def damaged(kept):
    text = kept.encode()
    data = json.loads(text)
    return ["", "{", text[: len(text) // 2], json.dumps({**data, "signing_key": data["signing_key"][:-8]}),
            json.dumps({**data, "audit_key": "c2hvcnQ="}), json.dumps({**data, "signing_key": 7}),
            json.dumps({key: value for key, value in data.items() if key != "till_id"})]


def test_a_damaged_key_file_is_one_sentence_without_key_text(key_file, caplog):
    kept = TillSecrets("till-01", new_till_key(), random.token_bytes(32))
    key_file.parent.mkdir()
    for content in damaged(kept):
        key_file.write_text(content)
        sentence, code = refused(lambda: till_secrets.load("till-01", key_file))
        assert (sentence, code) == (f"the signing key in the till key file {key_file} is damaged: register the till "
                                    f"again ('posapp till register'), which makes a new key", ExitCode.INTEGRITY)
    assert private_key_text(kept.signing_key)[:40] not in caplog.text


@pytest.mark.usefixtures("keyring_counts_as_persistent")
def test_a_damaged_keyring_entry_is_one_sentence_without_key_text(key_file, memory_keyring):
    kept = TillSecrets("till-01", new_till_key(), None)
    for content in damaged(kept):
        memory_keyring.secrets[("posapp", "till-signing-key:till-01")] = content
        with pytest.raises(PosappError) as error:
            till_secrets.load("till-01", key_file)
        sentence, code = describe(error.value)
        assert sentence == ("the signing key in the system keyring's entry of till till-01 is damaged: register the "
                            "till again ('posapp till register'), which makes a new key")
        assert error.value.__cause__ is None and error.value.__suppress_context__  # no traceback shows the text


def test_another_tills_key_file_is_refused_by_name(key_file):
    till_secrets.store(TillSecrets("till-01", new_till_key(), None), key_file)
    sentence, code = refused(lambda: till_secrets.load("till-02", key_file))
    assert (sentence, code) == (f"the till key file {key_file} holds the signing key of till till-01, not of till-02: "
                                f"set [workstation] id to till-01, or move the file away and register this till "
                                f"again", ExitCode.BAD_INPUT)


def test_repr_shows_no_key(key_file):
    kept = TillSecrets("till-01", new_till_key(), random.token_bytes(32))
    assert private_key_text(kept.signing_key)[:20] not in repr(kept) and kept.audit_key.hex()[:8] not in repr(kept)


@pytest.mark.usefixtures("keyring_counts_as_persistent")
def test_a_failing_keyring_falls_back_to_the_key_file(key_file, memory_keyring, monkeypatch, caplog):
    def broken(*_args):
        raise RuntimeError("backend gone")

    monkeypatch.setattr(memory_keyring, "set_password", broken)
    kept = TillSecrets("till-01", new_till_key(), None)
    assert till_secrets.store(kept, key_file) == str(key_file)
    assert "the system keyring failed: RuntimeError" in caplog.text
    assert same(till_secrets.load("till-01", key_file), kept)


def test_a_full_disk_is_one_sentence_and_leaves_no_file(key_file, monkeypatch):
    class FullDisk:
        def __getattr__(self, name):
            return getattr(os, name)

        @staticmethod
        def write(descriptor, data):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(key_files, "os", FullDisk())
    sentence, code = refused(lambda: till_secrets.store(TillSecrets("till-01", new_till_key(), None), key_file))
    assert (sentence, code) == (f"the key file {key_file} could not be written (No space left on device): free disk "
                                f"space or fix the folder's permissions, then try again", ExitCode.UNAVAILABLE)
    assert list(key_file.parent.iterdir()) == []
