"""Whether a settings file can be trusted: only its user (or root) can change what it says.

A settings file decides where cards go (the vault table, the KMS key, the order database). If
another local user can write it, or the folder holding it, or any folder above (they could
rename the folder and put their own in its place), they can send the next sale's card to a
table and key they own. So, as ssh does with its configuration: the file and every folder
up to ``/`` must belong to this user or root and be writable by no one else. A folder with
the sticky bit (``/tmp``) is accepted: others cannot rename or remove what is ours in it.
Symbolic links are checked along the path as written and along the path they lead to.

Windows folders carry ACLs, not modes and owners that ``os.stat`` reports: no check there.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

from posapp.errors import ConfigError

if sys.platform != "win32":
    import pwd


def check_trusted(path: Path) -> None:
    """Raise ConfigError (one line naming the path and the fix) unless ``path`` (a file or
    folder that exists) and every folder above it can be changed only by this user or root.
    OSError (FileNotFoundError...) if ``path`` or a folder above it cannot be looked at."""
    if sys.platform == "win32":
        return
    absolute = Path(os.path.abspath(path))
    real = Path(os.path.realpath(path))
    for place in dict.fromkeys([real, *absolute.parents, *real.parents]):
        _check_one(place, os.stat(place))


def _check_one(place: Path, info: os.stat_result) -> None:
    me = os.geteuid()
    if info.st_uid not in (me, 0):
        trusted = "root" if me == 0 else f"{_user(me)} or root"
        raise ConfigError(f"{place}: belongs to {_user(info.st_uid)}, not to {trusted}, so posapp will not take "
                          f"settings from it; check it, then run as root: chown {_user(me)} {place}")
    sticky_folder = stat.S_ISDIR(info.st_mode) and info.st_mode & stat.S_ISVTX
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH) and not sticky_folder:
        raise ConfigError(f"{place}: other users can change it (mode {stat.S_IMODE(info.st_mode):04o}), so posapp "
                          f"will not take settings from it; check it, then run: chmod go-w {place}")


def _user(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)
