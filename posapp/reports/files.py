"""Writing a document to a file the user named: always a new file, never one written over."""

from __future__ import annotations

from pathlib import Path

from posapp.errors import Backend, InvalidInput, Unavailable
from posapp.pan_detect import contains_pan


class FileExists(InvalidInput):
    """The file named for a document exists already (exit 2); it was left as it was."""

    def __init__(self, path: Path):
        super().__init__(f"{path} exists already: a report is never written over another file; choose a new name")


def refuse_existing(path: Path) -> None:
    """Raise FileExists where ``path`` names anything already (a dangling link too), InvalidInput
    where its folder is missing, as a receipt's and an export's file do (exit 2): checked before
    any work whose result would then have nowhere to go (a day's close)."""
    if contains_pan(str(path)):  # the name is printed and journalled, as a receipt's and an export's are
        raise InvalidInput("the file name looks like a card number; name the file otherwise")
    if path.exists() or path.is_symlink():
        raise FileExists(path)
    if not path.parent.is_dir():
        raise InvalidInput(f"{path} cannot be created: there is no folder {path.parent}")


def write_new(path: Path, data: bytes) -> None:
    """Write ``data`` to the new file ``path``, private to this user as everything posapp makes (the
    process's umask); created exclusively, so a file that appeared meanwhile is refused too, and a
    half-written one is removed. Raises FileExists, Unavailable (a full disk, a folder gone: exit 3)."""
    try:
        handle = path.open("xb")
    except FileExistsError:
        raise FileExists(path) from None
    except OSError as error:
        raise Unavailable(f"{path} cannot be created: {error.strerror or error}", backend=Backend.DISK) from None
    try:
        with handle:
            handle.write(data)
    except OSError as error:
        path.unlink(missing_ok=True)
        raise Unavailable(f"{path} cannot be written: {error.strerror or error}", backend=Backend.DISK) from None
    except BaseException:
        path.unlink(missing_ok=True)
        raise
