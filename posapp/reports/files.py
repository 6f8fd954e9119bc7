"""Writing a document to a file the user named: always a new file, never one written over."""

from __future__ import annotations

from pathlib import Path

from posapp.errors import InvalidInput


class FileExists(InvalidInput):
    """The file named for a document exists already (exit 2); it was left as it was."""

    def __init__(self, path: Path):
        super().__init__(f"{path} exists already: a report is never written over another file; choose a new name")


def refuse_existing(path: Path) -> None:
    """Raise FileExists where ``path`` names anything already (a dangling link too): checked before
    any work whose result would then have nowhere to go (a day's close)."""
    if path.exists() or path.is_symlink():
        raise FileExists(path)


def write_new(path: Path, data: bytes) -> None:
    """Write ``data`` to the new file ``path``, private to this user as everything posapp makes (the
    process's umask); created exclusively, so a file that appeared meanwhile is refused too, and a
    half-written one is removed. Raises FileExists, OSError (a full disk, a missing folder: exit 3)."""
    try:
        handle = path.open("xb")
    except FileExistsError:
        raise FileExists(path) from None
    try:
        with handle:
            handle.write(data)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
