"""The local vault's keys: created whole, resumed after a crash, bound to their vault, and
kept only where they survive; every failure one sentence with the right exit code."""

import errno
import json
import os
import sqlite3
import threading
import time

import keyring.errors
import pytest
from kit import NOW, card, local_vault

from posapp import secrets
from posapp.errors import ExitCode, PosappError, describe
from posapp.vault import key_files, local_keys


# The in-memory keyring stands for a real one (SecretService, Keychain...) here.
pytestmark = pytest.mark.usefixtures("keyring_counts_as_persistent")


@pytest.fixture
def no_keyring(monkeypatch):
    """A till whose keyring is not trusted: keys go to the key file."""
    monkeypatch.setattr(secrets, "_PERSISTENT_MODULES", frozenset())


def make_vault(folder):
    return local_vault(folder, key_name="local.key", clock=lambda: NOW)


def key_file(folder):
    return folder / "keys" / "local.key"


def meta(folder):
    with sqlite3.connect(folder / "vault.db") as db:
        return dict(db.execute("SELECT key, value FROM vault_meta"))


def sql(folder, statement, *args):
    with sqlite3.connect(folder / "vault.db") as db:
        db.execute(statement, args)


def item_count(folder):
    with sqlite3.connect(folder / "vault.db") as db:
        return db.execute("SELECT COUNT(*) FROM vault_items").fetchone()[0]


def refused(action):
    """The sentence and exit code a user gets; the sentence is one line without an errno dump."""
    with pytest.raises(PosappError) as error:  # anything else is a bug, shown as one
        action()
    sentence, code = describe(error.value)
    assert "\n" not in sentence and "[Errno" not in sentence and "Traceback" not in sentence
    return sentence, code


# Keys bound to their vault

def test_the_vault_records_a_fingerprint_of_its_keys_not_the_keys(tmp_path, memory_keyring):
    make_vault(tmp_path).tokenize(card())
    recorded = meta(tmp_path)
    stored = json.loads(next(iter(memory_keyring.secrets.values())))
    assert stored["vault_id"] == recorded["vault_id"]
    assert set(recorded) == {"vault_id", "key_fingerprint"} and len(recorded["key_fingerprint"]) == 64
    assert stored["wrapping"] not in json.dumps(recorded) and stored["signing"] not in json.dumps(recorded)


def test_a_key_file_of_another_vault_is_refused_before_anything_is_stored(tmp_path, no_keyring):
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    token = make_vault(ours).tokenize(card())
    make_vault(theirs).tokenize(card())
    right = key_file(ours).read_bytes()
    key_file(ours).write_bytes(key_file(theirs).read_bytes())
    vault_id = meta(ours)["vault_id"]
    assert refused(lambda: make_vault(ours).tokenize(card())) == (
        f"the keys in {key_file(ours)} do not belong to card vault {vault_id}: "
        f"restore the right key file from a backup", ExitCode.INTEGRITY)
    assert item_count(ours) == 1
    key_file(ours).write_bytes(right)
    make_vault(ours).verify(token)


def test_keyring_keys_of_another_vault_are_refused(tmp_path, memory_keyring):
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    make_vault(ours).tokenize(card())
    make_vault(theirs).tokenize(card())
    our_id, their_id = meta(ours)["vault_id"], meta(theirs)["vault_id"]
    secrets_ = memory_keyring.secrets
    secrets_["posapp", f"local-vault-keys:{our_id}"] = secrets_["posapp", f"local-vault-keys:{their_id}"]
    assert refused(lambda: make_vault(ours).tokenize(card())) == (
        f"the keys in the system keyring do not belong to card vault {our_id}: "
        f"restore the right key file from a backup", ExitCode.INTEGRITY)
    assert item_count(ours) == 1


def test_a_vault_made_before_fingerprints_gets_one_after_its_keys_read_an_item(tmp_path):
    token = make_vault(tmp_path).tokenize(card())
    fingerprint = meta(tmp_path)["key_fingerprint"]
    sql(tmp_path, "DELETE FROM vault_meta WHERE key = 'key_fingerprint'")
    make_vault(tmp_path).verify(token)
    assert meta(tmp_path)["key_fingerprint"] == fingerprint


def test_a_vault_made_before_fingerprints_refuses_keys_that_read_none_of_its_items(tmp_path, no_keyring):
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    make_vault(ours).tokenize(card())
    make_vault(theirs).tokenize(card())
    sql(ours, "DELETE FROM vault_meta WHERE key = 'key_fingerprint'")
    key_file(ours).write_bytes(key_file(theirs).read_bytes())
    assert refused(lambda: make_vault(ours).tokenize(card()))[1] is ExitCode.INTEGRITY
    assert "key_fingerprint" not in meta(ours) and item_count(ours) == 1


def test_an_empty_vault_made_before_fingerprints_gets_one(tmp_path):
    make_vault(tmp_path).provision()
    sql(tmp_path, "DELETE FROM vault_meta WHERE key = 'key_fingerprint'")
    make_vault(tmp_path).tokenize(card())
    assert "key_fingerprint" in meta(tmp_path)


# Damaged keys and metadata

@pytest.mark.parametrize("content", [b"", b'{"vault_id": "', b"not json at all", "clé".encode("latin-1"),
                                     b'["a list"]', b'{"wrapping": "AAAA", "signing": "AAAA"}'])
def test_a_damaged_key_file_of_a_vault_with_cards_is_one_sentence(tmp_path, no_keyring, content):
    make_vault(tmp_path).tokenize(card())
    key_file(tmp_path).write_bytes(content)
    sentence, code = refused(lambda: make_vault(tmp_path).tokenize(card()))
    assert (sentence, code) == (f"the key file {key_file(tmp_path)} of card vault {meta(tmp_path)['vault_id']} is "
                                f"damaged ({'empty' if not content else 'not a whole posapp key file'}): restore it "
                                f"from a backup", ExitCode.INTEGRITY)
    assert item_count(tmp_path) == 1


@pytest.mark.parametrize("damage", ["DELETE FROM vault_meta", "DROP TABLE vault_meta",
                                    "UPDATE vault_meta SET value = 'x' WHERE key = 'vault_id'"])
def test_a_vault_with_cards_that_lost_its_identity_gets_no_new_keys(tmp_path, no_keyring, damage):
    make_vault(tmp_path).tokenize(card())
    before = key_file(tmp_path).read_bytes()
    sql(tmp_path, damage)
    sentence, code = refused(lambda: make_vault(tmp_path).tokenize(card()))
    assert code is ExitCode.INTEGRITY and "restore vault.db from a backup" in sentence
    assert key_file(tmp_path).read_bytes() == before and item_count(tmp_path) == 1


# Resuming an interrupted creation (no vault_id row, no items)

def interrupted(folder):
    """A vault.db as a creation leaves it when it dies before its commit."""
    folder.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(folder / "vault.db") as db:
        db.executescript("CREATE TABLE vault_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
                         "CREATE TABLE vault_items (token TEXT PRIMARY KEY, item TEXT NOT NULL);")
    key_file(folder).parent.mkdir(mode=0o700)


@pytest.mark.parametrize("content", [b"", b'{"wrapping": "q8', "ключ".encode(), b"\x00" * 40])
def test_an_unfinished_key_file_without_a_vault_is_replaced(tmp_path, no_keyring, content):
    interrupted(tmp_path)
    key_file(tmp_path).write_bytes(content)
    (key_file(tmp_path).parent / "local.key.abc123.tmp").write_bytes(b"half")
    token = make_vault(tmp_path).tokenize(card())
    assert json.loads(key_file(tmp_path).read_text())["vault_id"] == meta(tmp_path)["vault_id"]
    assert sorted(p.name for p in key_file(tmp_path).parent.iterdir()) == ["local.key"]
    make_vault(tmp_path).verify(token)


def test_a_whole_key_file_of_an_uncommitted_vault_is_adopted(tmp_path, no_keyring):
    interrupted(tmp_path)
    keys = local_keys.LocalKeys.generate()
    key_file(tmp_path).write_text(keys.encode("0b5e7c1e-5d1e-4a43-9a39-6e0f8b3a1c77"))
    make_vault(tmp_path).tokenize(card())
    assert meta(tmp_path)["vault_id"] == "0b5e7c1e-5d1e-4a43-9a39-6e0f8b3a1c77"
    assert local_keys.LocalKeys.decode(key_file(tmp_path).read_text())[0] == keys


def test_an_old_format_key_file_of_an_uncommitted_vault_is_adopted_and_named(tmp_path, no_keyring):
    interrupted(tmp_path)
    keys = local_keys.LocalKeys.generate()
    old = json.loads(keys.encode("unused"))
    del old["vault_id"]
    key_file(tmp_path).write_text(json.dumps(old))
    token = make_vault(tmp_path).tokenize(card())
    assert local_keys.LocalKeys.decode(key_file(tmp_path).read_text()) == (keys, meta(tmp_path)["vault_id"])
    make_vault(tmp_path).verify(token)


def test_a_full_disk_while_writing_the_key_file_is_one_sentence_and_leaves_nothing(tmp_path, no_keyring, monkeypatch):
    class FullDisk:
        def __getattr__(self, name):
            return getattr(os, name)

        @staticmethod
        def write(descriptor, data):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(key_files, "os", FullDisk())
    sentence, code = refused(lambda: make_vault(tmp_path).tokenize(card()))
    assert code is ExitCode.UNAVAILABLE
    assert sentence == (f"the key file {key_file(tmp_path)} could not be written (No space left on device): "
                        f"free disk space or fix the folder's permissions, then try again")
    assert list(key_file(tmp_path).parent.iterdir()) == [] and meta(tmp_path) == {}
    monkeypatch.undo()
    monkeypatch.setattr(secrets, "_PERSISTENT_MODULES", frozenset())
    make_vault(tmp_path).tokenize(card())


# Keyrings that do not keep secrets, are locked or stall

def test_keys_go_to_the_key_file_when_the_keyring_is_not_known_to_persist(tmp_path, memory_keyring, no_keyring,
                                                                         caplog):
    make_vault(tmp_path).tokenize(card())
    assert memory_keyring.secrets == {} and key_file(tmp_path).stat().st_mode & 0o777 == 0o600
    assert "no working system keyring" in caplog.text and "conftest.MemoryKeyring" in caplog.text


class Backend:
    def __init__(self, module):
        self.__class__ = type("Keyring", (), {"__module__": module})


@pytest.mark.parametrize(("chained", "persistent"), [
    (["keyring.backends.SecretService", "keyring.backends.kwallet"], True),
    (["keyring.backends.SecretService", "keyring.backends.fail"], False),
    ([], False),
])
def test_a_chain_of_keyrings_persists_only_if_all_of_them_do(monkeypatch, chained, persistent):
    chain = Backend("keyring.backends.chainer")
    chain.backends = [Backend(module) for module in chained]
    monkeypatch.setattr(keyring, "get_keyring", lambda: chain)
    assert secrets.keeps_secrets() is persistent


def test_a_locked_keyring_is_exit_3_not_lost_keys(tmp_path, memory_keyring, monkeypatch):
    token = make_vault(tmp_path).tokenize(card())

    def locked(*args):
        raise keyring.errors.KeyringLocked("locked")

    monkeypatch.setattr(memory_keyring, "get_password", locked)
    assert refused(lambda: make_vault(tmp_path).verify(token)) == (
        "the system keyring is locked: unlock it and try again", ExitCode.UNAVAILABLE)


def test_a_locked_keyring_creates_nothing(tmp_path, memory_keyring, monkeypatch):
    def locked(*args):
        raise keyring.errors.KeyringLocked("locked")

    monkeypatch.setattr(memory_keyring, "set_password", locked)
    assert refused(lambda: make_vault(tmp_path).tokenize(card()))[1] is ExitCode.UNAVAILABLE
    assert meta(tmp_path) == {} and not key_file(tmp_path).exists()


@pytest.mark.parametrize("call", ["get_password", "set_password"])
def test_a_stalled_keyring_is_exit_3_within_the_bound(tmp_path, memory_keyring, monkeypatch, call):
    token = make_vault(tmp_path).tokenize(card()) if call == "get_password" else None
    answered = threading.Event()
    real = getattr(memory_keyring, call)

    def slow(*args):
        answered.wait(5)
        return real(*args)

    monkeypatch.setattr(memory_keyring, call, slow)
    monkeypatch.setattr(secrets, "TIMEOUT", 0.2)
    started = time.monotonic()
    action = (lambda: make_vault(tmp_path).verify(token)) if token else (lambda: make_vault(tmp_path).provision())
    assert refused(action) == ("the system keyring did not answer within 0.2 s: check that it is running and "
                               "try again", ExitCode.UNAVAILABLE)
    assert time.monotonic() - started < 2
    answered.set()
