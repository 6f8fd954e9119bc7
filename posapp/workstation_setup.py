"""Setting a till up: the one flow behind ``posapp setup`` and the first-run dialog.

Check the settings, then ask for the order database's password (MySQL only), then save the
file, then store the password in the system keyring. Nothing is asked before the settings
pass their check, and nothing is written before the password is known: a mistake leaves
no file behind. Front ends differ only in how they ask (a terminal, a dialog's field).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from posapp import config
from posapp.config_checks import is_mysql
from posapp.errors import InvalidInput
from posapp.secrets import ORDERS_PASSWORD_ENV, KeyringUnavailable, orders_password_name, write_secret

Values = Mapping[str, Mapping[str, object]]  # section -> key -> value, as config.save takes them


@dataclass(frozen=True)
class Setup:
    """Settings that passed their check, with the password they need: what ``apply`` writes."""

    target: Path
    values: Values
    shared: bool  # the machine-wide file: readable by every user of the till
    password: str | None = field(default=None, repr=False)  # the order database's; None without MySQL

    def apply(self, saved: Callable[[Path], None] = lambda _path: None) -> None:
        """Write the settings file, call ``saved(target)``, then store the password (disk and
        keyring I/O: never on a GUI thread). Raises ConfigError (file not written),
        KeyringUnavailable (naming POSAPP_ORDERS_PASSWORD), KeyringLocked or KeyringTimeout."""
        config.save(self.target, self.values, shared=self.shared)
        saved(self.target)
        if self.password is not None:
            _store_orders_password(self.orders_url, self.password)

    @property
    def orders_url(self) -> str | None:
        """The ``[orders] url`` being set, or None (the default SQLite file)."""
        return self.values.get("orders", {}).get("url")  # type: ignore[return-value]


def prepare(target: Path, values: Values, *, shared: bool, password: Callable[[], str]) -> Setup:
    """Check ``values`` as ``config.load`` will read them from ``target``; then, only if the
    order history is on MySQL, call ``password()``. Writes nothing. Raises ConfigError, or
    InvalidInput for an empty password (and whatever ``password`` raises when it cannot ask)."""
    config.check(target, values)
    setup = Setup(target, values, shared)
    if not is_mysql(setup.orders_url):  # SQLite takes no password
        return setup
    typed = password()
    if not typed:
        raise InvalidInput("the order database password is empty")
    return Setup(target, values, shared, typed)


def set_up(target: Path, values: Values, *, shared: bool, password: Callable[[], str],
           saved: Callable[[Path], None] = lambda _path: None) -> Setup:
    """``prepare`` then ``apply``: the whole flow, for callers that may block. Raises as both do."""
    setup = prepare(target, values, shared=shared, password=password)
    setup.apply(saved)
    return setup


def _store_orders_password(url: str, password: str) -> None:
    try:
        write_secret(orders_password_name(url), password)
    except KeyringUnavailable:
        raise KeyringUnavailable(
            "the system keyring cannot be used here, so the password was not stored: give posapp the "
            f"password in {ORDERS_PASSWORD_ENV} instead") from None
