"""Settings: declared once as typed dataclasses, read from TOML files, checked, saved.

Files are read in this order, each overriding the keys it sets:
the machine-wide file (written by the installer or ``posapp setup --system``), the user's
file, then ``--config PATH`` (or ``POSAPP_CONFIG``). With no file at all posapp runs in
local mode. ``POSAPP_HOME`` relocates every per-user file under one folder. No card data
and no secret ever goes in a file: secrets live in the OS keyring (``posapp.secrets``).
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import json
import os
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from posapp import config_checks as checks
from posapp.config_paths import APP_NAME, CONFIG_FILE_NAME, Paths, machine_config_file  # noqa: F401 (re-exported)
from posapp.config_sections import (  # noqa: F401 (re-exported: the settings' types are read from here)
    SECTIONS,
    AccessSettings,
    CaptureMethod,
    Materials,
    MerchantSettings,
    OrdersSettings,
    PaymentProcessor,
    PaymentsSettings,
    QuickKey,
    ReceiptsSettings,
    VaultBackend,
    VaultSettings,
    WorkstationRole,
    WorkstationSettings,
)
from posapp.errors import ConfigError
from posapp.file_trust import check_trusted
from posapp.money import InvalidAmount, Money
from posapp.pan_detect import contains_pan

@dataclass(frozen=True)
class Settings:
    """Every section as :func:`load` read and checked it (defaults where unset); only ``posapp.app`` reads it."""

    workstation: WorkstationSettings
    vault: VaultSettings
    orders: OrdersSettings
    merchant: MerchantSettings
    access: AccessSettings
    payments: PaymentsSettings
    receipts: ReceiptsSettings
    paths: Paths
    files: tuple[Path, ...] = ()  # the files that were read, lowest precedence first


def load(explicit: Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Read the settings; a bad file or key raises ConfigError naming both."""
    env = os.environ if env is None else env
    paths = Paths.from_env(env)
    candidates = [machine_config_file(), paths.user_config_file]
    explicit = explicit or (Path(env["POSAPP_CONFIG"]) if env.get("POSAPP_CONFIG") else None)
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"{explicit}: configuration file not found")
        candidates.append(explicit)
    found = [path for path in candidates if path.is_file()]
    if paths.config_dir.is_dir():  # whoever can write it can add a settings file any time
        check_trusted(paths.config_dir)
    for path in found:
        check_trusted(path)
    layers = [(path, _parse(_read_document(path), path)) for path in found]
    return _combine(paths, layers)


def _combine(paths: Paths, layers: list[tuple[Path, list[tuple[str, str, object]]]]) -> Settings:
    """Settings from files read in order, later keys overriding earlier ones."""
    values: dict[str, dict[str, object]] = {name: {} for name in SECTIONS}
    set_in: dict[tuple[str, str], Path] = {}
    for path, found in layers:
        for section, key, value in found:
            values[section][key] = value
            set_in[section, key] = path
    sections = {name: cls(**values[name]) for name, cls in SECTIONS.items()}
    settings = Settings(paths=paths, files=tuple(path for path, _ in layers), **sections)
    _check_together(settings, set_in)
    return settings


def render(values: Mapping[str, Mapping[str, object]]) -> str:
    """A settings file holding ``values`` (keys left out or None keep their defaults)."""
    lines = ["# posapp settings for this workstation, written by 'posapp setup'.",
             "# No secrets here: passwords live in the system keyring."]
    for section in SECTIONS:
        given = {key: value for key, value in values.get(section, {}).items() if value is not None}
        if given:
            lines += ["", f"[{section}]"]
            for key, value in given.items():
                if isinstance(value, enum.Enum):
                    value = value.value
                text = json.dumps(list(value) if isinstance(value, tuple) else value, ensure_ascii=False)
                lines.append(f"{key} = {value}" if isinstance(value, int) else f"{key} = {text}")
    return "\n".join(lines) + "\n"


def check_each(path: Path, values: Mapping[str, Mapping[str, object]]) -> None:
    """Check every value of ``values`` on its own, as ``load`` will (no card data, each key's form),
    without the checks of settings that go together; raises ConfigError naming the file and key."""
    _parse(tomllib.loads(render(values)), path)


def check(path: Path, values: Mapping[str, Mapping[str, object]]) -> str:
    """The text of a settings file for ``values``, checked exactly as ``load`` will read it."""
    text = render(values)
    _combine(Paths.from_env(os.environ), [(path, _parse(tomllib.loads(text), path))])
    return text


def settings_of(path: Path, values: Mapping[str, Mapping[str, object]]) -> Settings:
    """The Settings ``load`` would read from a file ``path`` holding ``values`` alone (nothing is
    written: the first-run dialog tests them before saving); raises ConfigError as ``check``."""
    return _combine(Paths.from_env(os.environ), [(path, _parse(tomllib.loads(render(values)), path))])


def save(path: Path, values: Mapping[str, Mapping[str, object]], *, shared: bool = False) -> None:
    """Write a settings file after checking it and its folders: 0600 in a 0700 folder, or, when
    ``shared`` (the machine-wide file, no secret in it), 0644 in 0755 for every user of the till."""
    text = check(path, values)
    folder_mode, file_mode = (0o755, 0o644) if shared else (0o700, 0o600)
    try:
        if not path.parent.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.parent.chmod(folder_mode)  # whatever the umask
        check_trusted(path.parent)
        draft = path.with_name(path.name + ".new")
        draft.write_text(text, encoding="utf-8")
        draft.chmod(file_mode)
        os.replace(draft, path)
    except OSError as error:
        raise ConfigError(f"{path}: cannot be written: {error.strerror}") from None


def _check_together(settings: Settings, set_in: dict[tuple[str, str], Path]) -> None:
    """Settings that only make sense with others."""
    merchant = settings.merchant
    for number, key in enumerate(merchant.quick_keys, 1):
        try:
            Money.parse(key.amount, merchant.currency)
        except InvalidAmount as error:
            raise ConfigError(f"{set_in['merchant', 'quick_keys']}: [merchant] quick_keys: table {number}: "
                              f"amount: {error} (the till's currency is {merchant.currency})") from None
    vault = settings.vault
    if vault.backend is VaultBackend.DYNAMODB:
        source = set_in["vault", "backend"]
        for key, what in (("region", "the AWS region of the vault table"), ("kms_key_id", "the KMS key ARN")):
            if getattr(vault, key) is None:
                raise ConfigError(f'{source}: [vault] {key}: required with backend = "dynamodb" ({what})')
        if vault.materials is Materials.SEALED and vault.back_office_key is None:
            where = set_in.get(("vault", "materials"), source)
            raise ConfigError(f'{where}: [vault] back_office_key: required with materials = "sealed" (posapp setup '
                              'fetches it from kms_key_id)')
        url = settings.orders.url
        if not checks.is_mysql(url):
            where = set_in.get(("orders", "url"), source)
            raise ConfigError(f'{where}: [orders] url: a DynamoDB card vault is shared by tills, so its order history '
                              'must be shared too: use "mysql+pymysql://USER@HOST:PORT/DATABASE"')


def _read_document(path: Path) -> dict[str, object]:
    try:
        with path.open("rb") as stream:
            return tomllib.load(stream)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot be read: {error.strerror}") from None


def _parse(document: Mapping[str, object], path: Path) -> list[tuple[str, str, object]]:
    """Every (section, key, value) of a document, each checked; errors name file and key."""
    found = []
    for section, table in document.items():
        if section not in SECTIONS:
            raise ConfigError(f"{path}: unknown section [{section}] (known: {', '.join(SECTIONS)})")
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [{section}] must be a table of settings")
        fields = {f.name: f for f in dataclasses.fields(SECTIONS[section])}
        hints = typing.get_type_hints(SECTIONS[section])
        for key, raw in table.items():
            if key not in fields:
                raise ConfigError(f"{path}: unknown setting [{section}] {key} (known: {', '.join(fields)})")
            try:
                found.append((section, key, _checked(raw, fields[key], hints[key])))
            except ValueError as error:
                raise ConfigError(f"{path}: [{section}] {key}: {error}") from None
    return found


def _checked(raw: object, field: dataclasses.Field, hint: object) -> object:
    """``raw`` as the setting (or a table's key) ``field`` of type ``hint`` holds it, converted and checked;
    ValueError saying why not."""
    value = _convert(raw, hint)
    check = field.metadata["check"]
    return check(value) if check else value


def _convert(raw: object, hint: object) -> object:
    if isinstance(raw, str) and contains_pan(raw):  # a settings file is no place for card data
        raise ValueError("looks like a card number; settings never hold card data")
    if typing.get_origin(hint) is tuple:  # a list of text, like the lines of an address, or of tables
        item_hint = typing.get_args(hint)[0]
        if dataclasses.is_dataclass(item_hint):
            if not isinstance(raw, list):
                raise ValueError(f"must be a list of tables ([[section.key]]), not {_kind(raw)}")
            return tuple(_table(item, item_hint, number) for number, item in enumerate(raw, 1))
        if not isinstance(raw, list):
            raise ValueError(f'must be a list of text, like ["first line", "second line"], not {_kind(raw)}')
        return tuple(_convert(item, str) for item in raw)
    options = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
    for option in options:
        if isinstance(option, type) and issubclass(option, enum.Enum):
            names = [member.value for member in option]
            if raw in names:
                return option(raw)
            raise ValueError(f"must be one of {', '.join(map(repr, names))}, "
                             f"not {repr(raw) if isinstance(raw, str) else _kind(raw)}")
        if option is str and isinstance(raw, str):
            return raw
        if option is int and isinstance(raw, int) and not isinstance(raw, bool):
            return raw
    expected = "a whole number" if int in options else "text"
    raise ValueError(f"must be {expected}, not {_kind(raw)}")


def _table(raw: object, cls: type, number: int) -> object:
    """One table of a list of tables (``[[merchant.quick_keys]]``) as ``cls``, each of its values
    converted and checked like a setting's; the ValueError names the table by its ``number``."""
    if not isinstance(raw, dict):
        raise ValueError(f"must be a list of tables ([[section.key]]), not a list holding {_kind(raw)}")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    hints = typing.get_type_hints(cls)
    values = {}
    for key, value in raw.items():
        if key not in fields:
            raise ValueError(f"table {number}: unknown key {key} (known: {', '.join(fields)})")
        try:
            values[key] = _checked(value, fields[key], hints[key])
        except ValueError as error:
            raise ValueError(f"table {number}: {key}: {error}") from None
    missing = [name for name in fields if name not in values]
    if missing:
        raise ValueError(f"table {number}: {', '.join(missing)} missing")
    return cls(**values)


# What a TOML value is, in a settings file's words rather than Python's type names; bool before
# int and datetime before date, as each is a kind of the other in Python.
_KINDS = ((str, "text"), (bool, "true or false"), (int, "a whole number"), (float, "a decimal number"),
          (list, "a list"), (dict, "a table"), (datetime.datetime, "a date and time"), (datetime.date, "a date"),
          (datetime.time, "a time of day"))


def _kind(raw: object) -> str:
    """The kind of TOML value ``raw`` is ("a whole number"), for a message."""
    return next(word for kind, word in _KINDS if isinstance(raw, kind))
