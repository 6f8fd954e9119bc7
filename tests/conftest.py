"""Shared fixtures. Qt must be told to run offscreen before any QApplication exists."""

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"

import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import uuid  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

import keyring  # noqa: E402
import keyring.backend  # noqa: E402
import keyring.errors  # noqa: E402
import pytest  # noqa: E402
from kms_rsa import patch_moto_kms_rsa  # noqa: E402
from mariadbtest import POS_PASSWORD, POS_USER, Database, MariaDB  # noqa: E402
from pytest_mysql import factories  # noqa: E402

import resource  # noqa: E402

from posapp import hardening  # noqa: E402


def harden_but_keep_the_hard_core_limit() -> None:
    """posapp's process hardening, for the test process: all of it but the hard RLIMIT_CORE.

    Code tested in this process (the window's start-up checks, the entry point's ``main``) runs hardened as
    in posapp. A hard limit of 0 could never be raised again, not even by root in a container,
    and would be inherited by every child: the core-dump tests' control run, which shows that
    an unhardened crash does write the card to a core file, could then prove nothing.
    """
    os.umask(hardening.PRIVATE_UMASK)
    resource.setrlimit(resource.RLIMIT_CORE, (0, resource.getrlimit(resource.RLIMIT_CORE)[1]))
    if sys.platform.startswith("linux"):
        hardening._prctl(hardening.PR_SET_DUMPABLE, 0)


hardening.harden = harden_but_keep_the_hard_core_limit
hardening.harden()

# moto's KMS Decrypt opens RSA-OAEP blobs for every test, in mock_aws and in a ThreadedMotoServer
# alike: both answer from this process's moto (tests/kms_rsa.py says why).
patch_moto_kms_rsa()


_children_bytecode: str | None = None  # the folder made below, removed when the session ends


def pytest_configure(config):
    """With PYTHONDONTWRITEBYTECODE set (as in some CI images), every ``posapp`` subprocess the tests
    start would compile all of posapp from source again: about a second each, most of an e2e test's
    time. The children write their bytecode once into a private folder instead; the source tree stays clean."""
    global _children_bytecode
    if os.environ.pop("PYTHONDONTWRITEBYTECODE", None) is not None:
        _children_bytecode = os.environ["PYTHONPYCACHEPREFIX"] = tempfile.mkdtemp(prefix="posapp-tests-bytecode-")


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A real keyring backend that keeps secrets in this process only."""

    priority = 1

    def __init__(self):
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.secrets.get((service, username))

    def set_password(self, service, username, password):
        self.secrets[(service, username)] = password

    def delete_password(self, service, username):
        try:
            del self.secrets[(service, username)]
        except KeyError:
            raise keyring.errors.PasswordDeleteError(username) from None


@pytest.fixture(autouse=True)
def memory_keyring():
    """Every test gets an empty in-memory keyring; a developer's real keyring is never touched."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def keyring_counts_as_persistent(monkeypatch):
    """The in-memory keyring stands for a real one (SecretService, Keychain...): local vault keys go there."""
    from posapp import secrets

    monkeypatch.setattr(secrets, "_PERSISTENT_MODULES", secrets._PERSISTENT_MODULES | {"conftest"})


@pytest.fixture(scope="module")
def key_arn():
    """A KMS key in moto, in this process (``mock_aws``), for one test module.

    Never in the same process as a moto server (tests/e2e's ``kms_key_arn``): they share state."""
    from unittest import mock

    from awstest import AWS_ENV, create_kms_key, one_dynamodb_request_at_a_time
    from moto import mock_aws

    with mock.patch.dict(os.environ, AWS_ENV), mock_aws(), one_dynamodb_request_at_a_time():
        yield create_kms_key()


@pytest.fixture
def services(posapp_home):
    """A till's real local-mode services (local vault, SQLite orders) in a private POSAPP_HOME."""
    from posapp import app, config

    return app.build(config.load())


@pytest.fixture
def aws_till(key_arn, mysql_db, mariadb):
    """A till on a fresh DynamoDB vault (KMS, both in moto) and a fresh MariaDB database."""
    from kit import AwsTill

    return AwsTill(key_arn, mysql_db, mariadb)


@pytest.fixture
def posapp_home(tmp_path, monkeypatch):
    home = tmp_path / "posapp-home"
    monkeypatch.setenv("POSAPP_HOME", str(home))
    monkeypatch.delenv("POSAPP_CONFIG", raising=False)
    return home


@pytest.fixture
def posapp_log(posapp_home):
    """posapp's own logging (redaction, the log file in POSAPP_HOME/logs) at DEBUG for this test."""
    import logging

    from posapp import logs

    root = logging.getLogger()
    level = root.level
    path = logs.setup(posapp_home / "logs")
    root.setLevel(logging.DEBUG)
    yield path
    for handler in [h for h in root.handlers if getattr(h, "posapp_handler", False)]:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(level)


@pytest.fixture(scope="session")
def localstripe(tmp_path_factory):
    """localstripe on 127.0.0.1 and a free port, in memory, for the whole session (tests/localstripetest.py);
    stopped at the end, or by the kernel should the test process die. Its output is in ``output``."""
    import localstripetest

    process, server = localstripetest.start(tmp_path_factory.mktemp("localstripe") / "output.txt")
    try:
        yield server
    finally:
        localstripetest.stop(process)


@pytest.fixture
def stripe_processor(localstripe):
    """A posapp StripeProcessor on localstripe, emptied for this test."""
    from localstripetest import API_KEY

    from posapp.payments.stripe_processor import StripeProcessor

    localstripe.reset()
    processor = StripeProcessor(API_KEY, api_base=localstripe.url)
    yield processor
    processor.close()


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str


def posapp_runner(posapp_home):
    """Runs the posapp command as a subprocess with its own POSAPP_HOME, signed in as
    ``signin.ADMIN`` (made on first need; see tests/signin.py) unless ``sign_in`` is False."""
    from signin import signed_in

    def once(args, environment, stdin, timeout) -> Run:
        done = subprocess.run([sys.executable, "-m", "posapp", *args], input=stdin, capture_output=True,
                              text=True, encoding="utf-8", env=environment, timeout=timeout)
        return Run(done.returncode, done.stdout, done.stderr)

    def run(*args: str, stdin: str | None = None, env: dict[str, str] | None = None, timeout: float = 60,
            sign_in: bool = True) -> Run:
        environment = {key: value for key, value in os.environ.items() if not key.startswith("POSAPP_")}
        environment.update(POSAPP_HOME=str(posapp_home),
                           # Subprocesses must never reach a developer's real keyring.
                           PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
                           PYTHONIOENCODING="utf-8")
        if not sign_in:
            return once(args, {**environment, **(env or {})}, stdin, timeout)
        return signed_in(lambda argv, more: once(argv, {**environment, **more}, stdin, timeout), args, env or {})

    return run


@pytest.fixture
def posapp(posapp_home):
    """``posapp_runner`` on this test's POSAPP_HOME."""
    return posapp_runner(posapp_home)


@pytest.fixture(scope="session")
def _provisioned_data(tmp_path_factory):
    """The data folder of a local till after ``posapp provision`` and ``signin.ADMIN``, made once."""
    from signin import ADMIN, ADMIN_SECRET, SIGNED_IN

    home = tmp_path_factory.mktemp("provisioned-till") / "posapp-home"
    run = posapp_runner(home)
    assert run("provision", sign_in=False).returncode == 0
    added = run("operator", "add", "--role", "admin", ADMIN, sign_in=False,
                env={**SIGNED_IN, "POSAPP_NEW_SECRET": ADMIN_SECRET})
    assert added.returncode == 0, added.stderr
    return home / "data"


@pytest.fixture
def provisioned_posapp(posapp, posapp_home, _provisioned_data):
    """``posapp`` on a local till as ``posapp provision`` and a first sign-in leave it (a private copy:
    those three runs of posapp would be most of many e2e tests' time). Its logs start empty."""
    posapp_home.mkdir(mode=0o700)
    shutil.copytree(_provisioned_data, posapp_home / "data")
    return posapp


# A private MariaDB for the whole test session, started by pytest-mysql from Debian's binaries.
# Its wrapper (tests/mariadb/mariadbd-safe) runs mariadbd in the foreground with a parent-death
# signal: it stops with this process even when a crash or a kill skips the teardown.
_WRAPPERS = Path(__file__).parent / "mariadb"
mysql_proc = factories.mysql_proc(
    mysqld_exec=Path("/usr/sbin/mariadbd"), mysqld_safe=_WRAPPERS / "mariadbd-safe",
    install_db=str(_WRAPPERS / "install-db"), admin_executable="/usr/bin/mariadb-admin", user="root",
    params="--innodb-log-file-size=8M --innodb-buffer-pool-size=32M --skip-name-resolve")

@pytest.fixture(scope="session")
def mariadb(mysql_proc):
    """The server, with a 'pos' user that logs in over TCP with a password, as a till does."""
    server = MariaDB("127.0.0.1", mysql_proc.port, mysql_proc.unixsocket)
    server.execute(f"CREATE USER IF NOT EXISTS '{POS_USER}'@'127.0.0.1' IDENTIFIED BY %s", POS_PASSWORD)
    server.execute(f"GRANT ALL ON `posapp\\_%`.* TO '{POS_USER}'@'127.0.0.1'")
    return server


@pytest.fixture
def mysql_db(mariadb):
    """A fresh database with the server's default character set (latin1, as many old ones are)."""
    name = f"posapp_{uuid.uuid4().hex[:10]}"
    mariadb.execute(f"CREATE DATABASE `{name}`")
    yield Database(name, f"mysql+pymysql://{POS_USER}@127.0.0.1:{mariadb.port}/{name}")
    mariadb.execute(f"DROP DATABASE `{name}`")


# PySide6 6.12 on Python 3.11 can abort the interpreter while it is being torn down after
# a session that built many windows ("Fatal Python error: bool_dealloc", a reference-count
# bug in shiboken's cleanup of dead wrappers). Every result is final by then, so the test
# process leaves with pytest's own exit status before that cleanup runs.
_exit_status = None


def pytest_sessionfinish(session, exitstatus):
    global _exit_status
    _exit_status = int(exitstatus)
    if _children_bytecode is not None:
        shutil.rmtree(_children_bytecode, ignore_errors=True)


def pytest_unconfigure(config):
    if _exit_status is not None and "PySide6" in sys.modules:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(_exit_status)
