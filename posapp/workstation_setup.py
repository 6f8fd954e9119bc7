"""Setting a till up: the one flow behind ``posapp setup`` and the first-run dialog.

Check the settings, then ask for the order database's password (MySQL only), then save the
file, then store the password in the system keyring. Nothing is asked before the settings
pass their check, and nothing is written before the password is known: a mistake leaves
no file behind. Front ends differ only in how they ask (a terminal, a dialog's field).
"""

from __future__ import annotations

import base64
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from posapp import config
from posapp.config_checks import is_mysql
from posapp.errors import ConfigError, InvalidInput
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
    InvalidInput for an empty password (and whatever ``password`` raises when it cannot ask).
    Sealed materials on DynamoDB: fetches the back office's public key (KMS GetPublicKey) and pins
    it; raises ConfigError where the key is not one sealed materials use or is not the one pinned
    before at ``target``, and VaultError where KMS cannot be asked."""
    values = _with_back_office_key(target, values)
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


def _with_back_office_key(target: Path, values: Values) -> Values:
    """``values`` with ``[vault] back_office_key`` fetched from ``kms_key_id``, where sealed
    materials on DynamoDB need it and none is given; a key pinned before at ``target`` is kept
    whatever the materials, so that no detour through other materials changes it unnoticed."""
    vault = values.get("vault", {})
    chosen = {key: getattr(vault.get(key), "value", vault.get(key)) for key in ("backend", "materials")}  # or enums
    if vault.get("back_office_key"):
        return values
    if chosen != {"backend": "dynamodb", "materials": "sealed"}:
        pinned = _pinned_key(target)
        return values if pinned is None else {**values, "vault": {**vault, "back_office_key": pinned}}
    # Each value checked first (a card number in the ARN is never sent or repeated); the file as a
    # whole only once the key is in it, as sealed materials require it.
    config.check_each(target, values)
    region, key_id, endpoint = (vault.get(key) for key in ("region", "kms_key_id", "endpoint_url"))
    if not region or not key_id:
        raise ConfigError(f"{target}: [vault]: sealed materials need region and kms_key_id to fetch back office's key")
    from posapp.vault.aws import AwsClients, translate
    from posapp.vault.dynamodb_sealing import fetch_public_key

    kms = AwsClients.connect(region=region, kms_key_id=key_id, endpoint_url=endpoint).kms
    try:
        der = fetch_public_key(kms, key_id)
    except InvalidInput as error:
        raise ConfigError(f"{target}: [vault] kms_key_id: {error}") from None
    except Exception as error:  # botocore's, turned into the vault's one sentence
        raise translate(error, table=str(vault.get("table") or "posapp-pan-vault"), key_arn=key_id) from None
    pinned, fetched = _pinned_key(target), base64.b64encode(der).decode()
    if pinned is not None and pinned != fetched:
        raise ConfigError(f"{target}: [vault] back_office_key: KMS key {key_id} answers another public key than the "
                          "one this till pinned; if back office really has a new key, an administrator re-keys the "
                          "vault to it and removes back_office_key from this file first")
    return {**values, "vault": {**vault, "back_office_key": fetched}}


def _pinned_key(target: Path) -> str | None:
    """The back office key already pinned in the settings file ``target``, if any."""
    try:
        with target.open("rb") as stream:
            return tomllib.load(stream).get("vault", {}).get("back_office_key")
    except (OSError, tomllib.TOMLDecodeError, AttributeError):
        return None


def _store_orders_password(url: str, password: str) -> None:
    try:
        write_secret(orders_password_name(url), password)
    except KeyringUnavailable:
        raise KeyringUnavailable(
            "the system keyring cannot be used here, so the password was not stored: give posapp the "
            f"password in {ORDERS_PASSWORD_ENV} instead") from None
