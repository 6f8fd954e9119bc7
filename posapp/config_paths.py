"""Where posapp's per-user folders and its settings files are, on each platform."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "posapp"
CONFIG_FILE_NAME = "posapp.toml"


@dataclass(frozen=True)
class Paths:
    """Per-user folders; ``POSAPP_HOME`` puts all of them under one folder."""

    data_dir: Path
    log_dir: Path
    config_dir: Path

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Paths:
        """Folders under ``env["POSAPP_HOME"]`` if set, else the platform's per-user folders."""
        home = env.get("POSAPP_HOME")
        if home:
            root = Path(home).expanduser().absolute()
            return cls(data_dir=root / "data", log_dir=root / "logs", config_dir=root)
        return cls(
            data_dir=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
            log_dir=Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
            config_dir=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
        )

    @property
    def user_config_file(self) -> Path:
        """The user's settings file, ``posapp.toml`` in ``config_dir`` (it may not exist)."""
        return self.config_dir / CONFIG_FILE_NAME

    @property
    def local_key_file(self) -> Path:
        """Where the local vault keeps its keys when no system keyring works (a 0600 file)."""
        return self.data_dir / "keys" / "local-vault.key"

    @property
    def till_key_file(self) -> Path:
        """Where this till keeps its signing key when no system keyring works (a 0600 file)."""
        return self.data_dir / "keys" / "till-signing.key"

    @property
    def back_office_key_file(self) -> Path:
        """Where a local vault with sealed materials keeps the back office's private key when no
        system keyring works (a 0600 file): in local mode this workstation is its own back office."""
        return self.data_dir / "keys" / "back-office.key"


def machine_config_file() -> Path:
    """The machine-wide settings file of this platform (it may not exist)."""
    if sys.platform == "win32":
        return Path(os.environ.get("PROGRAMDATA", r"C:\ProgramData")) / APP_NAME / CONFIG_FILE_NAME
    if sys.platform == "darwin":
        return Path("/Library/Application Support") / APP_NAME / CONFIG_FILE_NAME
    return Path("/etc") / APP_NAME / CONFIG_FILE_NAME
