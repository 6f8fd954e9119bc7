"""Servers that test sessions start must stop with them, however the session ends."""

import ctypes
import signal
import sys

PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """``preexec_fn`` for a server process: the kernel sends it SIGTERM when the test process
    ends, also when it crashes or is killed and no teardown runs (Linux; elsewhere only the
    teardown stops it)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
