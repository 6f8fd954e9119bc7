"""Secrets in the OS keyring (service ``posapp``), every call bounded in time.

A keyring is another process (D-Bus, Keychain, Credential Manager): it can be missing,
locked, or stalled. Each of those gets its own error, so that callers fall back to a file
only where that is right, and a sale never waits on a keyring for more than ``TIMEOUT``.
"""

from __future__ import annotations

import os
import threading
import urllib.parse
from collections.abc import Callable, Mapping
from typing import TypeVar

from posapp.errors import Backend, Unavailable

KEYRING_SERVICE = "posapp"
TIMEOUT = 5.0  # seconds; read at each call, so tests can shorten it

# Backends known to keep a secret after the process that stored it ends. Anything else
# (fail, null, a test or third-party backend) may lose keys: new vault keys go to a file.
_PERSISTENT_MODULES = frozenset({
    "keyring.backends.SecretService", "keyring.backends.libsecret", "keyring.backends.kwallet",
    "keyring.backends.macOS", "keyring.backends.Windows", "keyrings.alt.file",
})
_CHAINER = "keyring.backends.chainer"

T = TypeVar("T")


class KeyringUnavailable(Unavailable):
    """No OS keyring backend works in this session (callers may fall back to a file)."""

    backend = Backend.KEYRING


class KeyringLocked(Unavailable):
    """The keyring holds the secret, maybe, but is locked: only the user can unlock it."""

    backend = Backend.KEYRING

    def __init__(self) -> None:
        super().__init__("the system keyring is locked: unlock it and try again")


class KeyringTimeout(Unavailable):
    """The keyring did not answer within ``TIMEOUT`` seconds."""

    backend = Backend.KEYRING

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the system keyring did not answer within {seconds:g} s: "
                         f"check that it is running and try again")


def _bounded(call: Callable[[], T]) -> T:
    """``call()`` in a daemon thread, so that neither a sale nor an exiting process waits on it.

    Raises KeyringTimeout, KeyringLocked or KeyringUnavailable."""
    import keyring.errors  # imported here, not in the thread: imports take a lock

    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["value"] = call()
        except keyring.errors.KeyringLocked:
            outcome["error"] = KeyringLocked()
        except keyring.errors.KeyringError as error:
            outcome["error"] = KeyringUnavailable(f"the system keyring cannot be used: {error}")
        except Exception as error:  # a broken backend is an unusable keyring, not a crash
            outcome["error"] = KeyringUnavailable(f"the system keyring failed: {type(error).__name__}")

    seconds = TIMEOUT
    worker = threading.Thread(target=run, name="posapp-keyring", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise KeyringTimeout(seconds)
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]


def read_secret(name: str) -> str | None:
    """A secret from the OS keyring, or None if it was never stored.

    Raises KeyringUnavailable, KeyringLocked or KeyringTimeout."""
    import keyring  # its backends are slow to load: only when a secret is needed

    return _bounded(lambda: keyring.get_password(KEYRING_SERVICE, name))


def write_secret(name: str, value: str) -> None:
    """Store a secret in the OS keyring. Raises KeyringUnavailable, KeyringLocked or KeyringTimeout."""
    import keyring

    _bounded(lambda: keyring.set_password(KEYRING_SERVICE, name, value))


def keyring_name() -> str:
    """The active backend's class, for log lines. Raises KeyringTimeout."""
    import keyring

    try:
        backend = _bounded(keyring.get_keyring)
    except KeyringUnavailable:
        return "the system keyring"
    return f"{type(backend).__module__}.{type(backend).__qualname__}"


def keeps_secrets() -> bool:
    """Whether the active backend is one known to keep secrets after this process ends.

    Raises KeyringTimeout."""
    import keyring

    def persistent(backend: object) -> bool:
        module = type(backend).__module__
        if module == _CHAINER:
            chained = list(getattr(backend, "backends", []))
            return bool(chained) and all(persistent(each) for each in chained)
        return module in _PERSISTENT_MODULES

    try:
        return persistent(_bounded(keyring.get_keyring))
    except KeyringUnavailable:
        return False


ORDERS_PASSWORD_ENV = "POSAPP_ORDERS_PASSWORD"


def orders_password_name(url: str) -> str:
    """The keyring entry of an order database's password: one per user, server and database."""
    parts = urllib.parse.urlsplit(url)
    return f"orders:{parts.username}@{parts.hostname}:{parts.port or 3306}/{parts.path.strip('/')}"


def orders_password(url: str, env: Mapping[str, str] | None = None) -> str | None:
    """``POSAPP_ORDERS_PASSWORD`` if set, else the keyring's entry, else None.

    Raises KeyringLocked or KeyringTimeout: a locked or stalled keyring is not a missing password."""
    env = os.environ if env is None else env
    if env.get(ORDERS_PASSWORD_ENV):
        return env[ORDERS_PASSWORD_ENV]
    try:
        return read_secret(orders_password_name(url))
    except KeyringUnavailable:
        return None


STRIPE_KEY_ENV = "POSAPP_STRIPE_KEY"
STRIPE_KEY_NAME = "stripe"  # the keyring entry of Stripe's secret API key (service "posapp")


def stripe_key(env: Mapping[str, str] | None = None) -> str | None:
    """``POSAPP_STRIPE_KEY`` if set, else the keyring's ``stripe`` entry, else None.

    Raises KeyringLocked or KeyringTimeout: a locked or stalled keyring is not a missing key."""
    env = os.environ if env is None else env
    if env.get(STRIPE_KEY_ENV):
        return env[STRIPE_KEY_ENV]
    try:
        return read_secret(STRIPE_KEY_NAME)
    except KeyringUnavailable:
        return None
