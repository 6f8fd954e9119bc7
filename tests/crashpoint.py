"""The posapp command with a crash injected at one exact step of creating the vault keys.

``python -m crashpoint POINT ARGS...`` runs ``posapp ARGS...``; at POINT the process ends
with ``os._exit`` (no cleanup runs, as after a kill or a power cut), or, for ``full-disk``,
writing the key file fails with ENOSPC.
"""

import errno
import os
import sys
import tempfile

from posapp import cli
from posapp.vault import local_keys

KILLED = 70
POINTS = ["temp-file-created", "half-written", "before-rename", "after-rename", "before-commit", "full-disk"]

point = sys.argv[1] if __name__ == "__main__" else None
real_mkstemp, real_write, real_replace, real_create = (tempfile.mkstemp, os.write, os.replace,
                                                       local_keys.create_or_adopt)
temp_files = set()


def crash():
    os._exit(KILLED)


def mkstemp(*args, **kwargs):
    descriptor, name = real_mkstemp(*args, **kwargs)
    if point == "temp-file-created":
        crash()
    temp_files.add(descriptor)
    return descriptor, name


def write(descriptor, data):
    if descriptor in temp_files:
        if point == "half-written":
            real_write(descriptor, bytes(data[:len(data) // 2]))
            crash()
        if point == "full-disk":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    return real_write(descriptor, data)


def replace(source, target):
    if point == "before-rename":
        crash()
    real_replace(source, target)
    if point == "after-rename":
        crash()


def create_or_adopt(key_file):
    created = real_create(key_file)
    if point == "before-commit":
        crash()
    return created


if __name__ == "__main__":
    assert point in POINTS, point
    tempfile.mkstemp, os.write, os.replace, local_keys.create_or_adopt = mkstemp, write, replace, create_or_adopt
    sys.exit(cli.main(sys.argv[2:]))
