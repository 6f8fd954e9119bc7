"""A file that appears under its name only once it is complete, and never replaces another.

It is written as a hidden temporary file beside the target, created exclusively with mode 0600,
then hard-linked to the target's name, which fails if that name was taken meanwhile: nothing is
ever overwritten, and the target never exists half-written. A failure or Ctrl-C at any step
removes the temporary file. Where the file system has no hard links (FAT on a USB stick, some
network shares) the finished file is copied to the target, created exclusively too; a copy cut
short by an error or Ctrl-C is removed, only a power cut during it can leave it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from posapp.errors import Backend, InvalidInput, Unavailable

_NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)


class TargetExists(InvalidInput):
    """The file to write exists already (exit 2): posapp never overwrites a file."""

    def __init__(self, path: Path):
        super().__init__(f"{path} exists already: name a new file (posapp never overwrites one)")


class NewFile:
    """A new text file to become ``target`` (``encoding``, no newline translation), as a context
    manager: ``with NewFile(path) as new: write new.file; new.place()``. Leaving the block without
    ``place()`` (an error, Ctrl-C) removes everything written.

    Entering raises TargetExists, or InvalidInput when the target's folder is missing or refuses a
    new file; ``finish`` and ``place`` raise Unavailable when the disk fails (full, removed)."""

    def __init__(self, target: Path, *, encoding: str = "utf-8"):
        self.target = target
        self._encoding = encoding
        self._temporary = target.parent / f".{target.name}.{secrets.token_hex(4)}.partial"
        self.file: TextIO | None = None
        self._placed = False

    def __enter__(self) -> NewFile:
        if os.path.lexists(self.target):  # a link too, even a dangling one
            raise TargetExists(self.target)
        folder = self.target.parent
        if not folder.is_dir():
            reason = f"no folder {folder}" if not folder.exists() else os.strerror(errno.ENOTDIR)
            raise InvalidInput(f"{self.target} cannot be created: {reason}")
        try:
            descriptor = os.open(self._temporary, _NEW, 0o600)
        except OSError as error:
            raise InvalidInput(f"{self.target} cannot be created: {error.strerror or error}") from None
        self.file = os.fdopen(descriptor, "w", encoding=self._encoding, newline="", buffering=1 << 16)
        return self

    def finish(self) -> None:
        """Write out and close the file (its content is then on disk); Unavailable if the disk refuses."""
        with disk_errors(self.target):
            if not self.file.closed:
                self.file.flush()
                os.fsync(self.file.fileno())
                self.file.close()

    def place(self) -> None:
        """Give the finished file its name. Raises TargetExists if the name was taken meanwhile (the
        other file is left as it was), Unavailable if the disk refuses."""
        self.finish()
        with disk_errors(self.target):
            try:
                os.link(self._temporary, self.target)
            except FileExistsError:
                raise TargetExists(self.target) from None
            except OSError:  # no hard links on this file system
                self._copy_to_target()
        self._placed = True
        self._remove_temporary()

    def _copy_to_target(self) -> None:
        try:
            target = os.open(self.target, _NEW, 0o600)
        except FileExistsError:
            raise TargetExists(self.target) from None
        try:
            with open(self._temporary, "rb") as source, os.fdopen(target, "wb") as copy:
                shutil.copyfileobj(source, copy, 1 << 20)
                copy.flush()
                os.fsync(copy.fileno())
        except BaseException:
            self.target.unlink(missing_ok=True)  # the copy this made, cut short
            raise

    def __exit__(self, *_exception) -> None:
        if self.file is not None and not self.file.closed:
            try:
                self.file.close()
            except OSError:
                pass  # a full disk: what could not be written is removed anyway
        if not self._placed:
            self._remove_temporary()

    def _remove_temporary(self) -> None:
        try:
            self._temporary.unlink(missing_ok=True)
        except OSError:
            pass  # a disk that went away: nothing of it can be read back either


@contextlib.contextmanager
def disk_errors(target: Path) -> Iterator[None]:
    """Turns an OSError of writing ``target`` into Unavailable (exit 3) naming the file and the reason."""
    try:
        yield
    except OSError as error:
        raise Unavailable(f"{target} could not be written: {error.strerror or error}", backend=Backend.DISK) from None
