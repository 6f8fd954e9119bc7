"""The posapp command with a crash injected at one exact step of creating the vault keys,
or right after it has read a card.

``python -m crashpoint POINT ARGS...`` runs ``posapp ARGS...``; at POINT the process ends
with ``os._exit`` (no cleanup runs, as after a kill or a power cut), or, for ``full-disk``,
writing the key file fails with ENOSPC. At the CARD_POINTS the process crashes by a signal
whose default action writes a core file (SIGABRT, SIGSEGV) once the card is parsed and in
memory, after printing "core dumps off: True|False" on stderr; with the ``unhardened-``
prefix posapp's process hardening is skipped (the control that shows a core would be written).
"""

import ctypes
import errno
import os
import sys
import tempfile

from posapp import hardening
from posapp.__main__ import main
from posapp.cli import orders as cli_orders
from posapp.vault import local_keys

KILLED = 70
POINTS = ["temp-file-created", "half-written", "before-rename", "after-rename", "before-commit", "full-disk"]
CARD_POINTS = ["abort-after-card", "segfault-after-card"]

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


def crash_after_card(*args, **kwargs):
    card = real_parse_card_input(*args, **kwargs)
    print(f"core dumps off: {hardening.core_dumps_off()}", file=sys.stderr, flush=True)
    if point.endswith("abort-after-card"):
        os.abort()
    ctypes.string_at(0)  # reads address 0: SIGSEGV
    return card


real_parse_card_input = cli_orders.parse_card_input


if __name__ == "__main__":
    if point.removeprefix("unhardened-") in CARD_POINTS:
        cli_orders.parse_card_input = crash_after_card
        if point.startswith("unhardened-"):
            hardening.harden = lambda: None
    else:
        assert point in POINTS, point
        tempfile.mkstemp, os.write, os.replace, local_keys.create_or_adopt = mkstemp, write, replace, create_or_adopt
    sys.exit(main(sys.argv[2:]))
