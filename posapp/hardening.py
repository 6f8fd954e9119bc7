"""Process hardening done once, first thing, by each front end (command line and window).

- **No core dumps.** A crash (SIGSEGV, SIGABRT) while a card is in memory would write the
  PAN in clear to a core file. Linux: RLIMIT_CORE 0 (soft and hard, so nothing later in the
  process can raise it) and ``prctl(PR_SET_DUMPABLE, 0)``: the kernel then writes no core
  at all, not even to a core_pattern pipe (systemd-coredump, apport), whose helper would
  otherwise judge the limit itself; other processes of the same user can no longer attach
  with ptrace and read the card either. macOS and the BSDs: RLIMIT_CORE 0. Windows writes
  no core files: nothing to do there (its crash dumps, Windows Error Reporting
  ``LocalDumps``, are a machine-wide registry setting outside posapp's process).
- **Private files.** umask 077: every folder and file posapp creates (its home and the
  parents it makes, logs, vaults, databases, key files, import outputs) is the user's only,
  whatever umask posapp was started with. The XDG base-directory specification asks for
  0700 when creating the data folders, too. The machine-wide settings file that
  ``posapp setup --system`` writes sets its own, readable modes.
"""

from __future__ import annotations

import ctypes
import os
import sys

PR_GET_DUMPABLE = 3  # <linux/prctl.h>
PR_SET_DUMPABLE = 4
PRIVATE_UMASK = 0o077


def harden() -> None:
    """Switch off core dumps and make new files private for the rest of this process.

    Idempotent. Raises OSError only if the kernel refuses, which lowering these never does."""
    _no_core_dumps()
    os.umask(PRIVATE_UMASK)


def _no_core_dumps() -> None:
    if sys.platform == "win32":
        return  # no core files (see above)
    import resource

    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if sys.platform.startswith("linux"):
        _prctl(PR_SET_DUMPABLE, 0)


def core_dumps_off() -> bool:
    """Whether a crash of this process now would leave no core file (soft RLIMIT_CORE 0 and,
    on Linux, not dumpable)."""
    if sys.platform == "win32":
        return True
    import resource

    if resource.getrlimit(resource.RLIMIT_CORE)[0] != 0:
        return False
    return not sys.platform.startswith("linux") or _prctl(PR_GET_DUMPABLE, 0) == 0


def _prctl(option: int, value: int) -> int:
    libc = ctypes.CDLL(None, use_errno=True)
    result = libc.prctl(ctypes.c_int(option), ctypes.c_ulong(value), ctypes.c_ulong(0), ctypes.c_ulong(0),
                        ctypes.c_ulong(0))
    if result < 0:
        error = ctypes.get_errno()
        raise OSError(error, f"prctl({option}): {os.strerror(error)}")
    return result
