"""The posapp command, pressed Ctrl-C on at an exact step of an order export.

``python -m interrupting ARGS...`` runs ``posapp ARGS...``; an export reports its progress every
10 orders, and the first report runs Python's own SIGINT handler (what Ctrl-C runs), which raises
KeyboardInterrupt there, so the interruption lands mid-export whatever the machine's speed.
"""

import signal
import sys

from posapp.__main__ import main
from posapp.cli import export as cli_export

EVERY = 10
real_export_csv = cli_export.export_csv


def export_csv(*args, progress, **options):
    def then_interrupt(count):
        progress(count)
        # Python's own SIGINT handler, called here and now: a signal sent with os.kill or
        # raise_signal is handled at the interpreter's next check, which may fall in a finalizer
        # the garbage collector runs, where Python drops the KeyboardInterrupt and the export goes on
        # (seen on a loaded machine, about one run in ten).
        signal.default_int_handler(signal.SIGINT, None)

    return real_export_csv(*args, **{**options, "progress": then_interrupt, "every": EVERY})


if __name__ == "__main__":
    cli_export.export_csv = export_csv
    sys.exit(main(sys.argv[1:]))
