"""Files that hold keys where no system keyring keeps them: written whole or not at all, 0600.

A key file is replaced by writing a temporary file beside it (mkstemp makes it readable by
this user alone), syncing it, renaming it into place and syncing the folder: a crash leaves
the old file or the new one, never half of either. Temporary files an interrupted write left
behind hold keys that protect nothing and are removed.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from posapp.vault.base import VaultUnavailable

_TEMP_SUFFIX = ".tmp"


def read(path: Path) -> bytes | None:
    """The file's bytes; None if there is none. Raises VaultUnavailable if it cannot be read."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise VaultUnavailable(f"the key file {path} cannot be read ({error.strerror}): "
                               f"check its owner and permissions") from None


def write_whole(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` whole or not at all, readable by this user alone.

    Raises VaultUnavailable (full disk, no permission); the temporary file is then removed."""
    temp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        descriptor, temp = tempfile.mkstemp(prefix=path.name + ".", suffix=_TEMP_SUFFIX, dir=path.parent)
        view = memoryview(data)
        try:  # mkstemp makes it 0600
            while view:
                view = view[os.write(descriptor, view):]
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        os.replace(temp, path)
        temp = None
        _sync_folder(path.parent)
    except OSError as error:
        raise VaultUnavailable(f"the key file {path} could not be written ({error.strerror or error}): "
                               f"free disk space or fix the folder's permissions, then try again") from None
    finally:
        if temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX only: Windows cannot open a folder)."""
    if os.name == "nt":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def remove_temp_files(path: Path) -> None:
    """Remove the temporary files interrupted writes of ``path`` left behind."""
    for temp in path.parent.glob(f"{path.name}.*{_TEMP_SUFFIX}"):
        with contextlib.suppress(OSError):
            temp.unlink()
