"""The posapp command, pressed Ctrl-C on at an exact step of an order export.

``python -m interrupting ARGS...`` runs ``posapp ARGS...``; an export reports its progress every
10 orders, and the first report sends this process a real SIGINT (what Ctrl-C does), so the
interruption lands mid-export whatever the machine's speed.
"""

import os
import signal
import sys

from posapp.__main__ import main
from posapp.cli import export as cli_export

EVERY = 10
real_export_csv = cli_export.export_csv


def export_csv(*args, progress, **options):
    def then_interrupt(count):
        progress(count)
        os.kill(os.getpid(), signal.SIGINT)

    return real_export_csv(*args, **{**options, "progress": then_interrupt, "every": EVERY})


if __name__ == "__main__":
    cli_export.export_csv = export_csv
    sys.exit(main(sys.argv[1:]))
