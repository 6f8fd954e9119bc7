"""``posapp vault import`` with a crash at one exact step, as after a kill or a power cut.

``python -m importcrash POINT ARGS...`` runs ``posapp ARGS...`` and ends the process with
``os._exit`` (no cleanup runs) at POINT: ``after-batch-N`` once N batches of cards are in
the vault, ``after-publish`` once the tokens file has its name but before the run is
forgotten.
"""

import os
import sys

from posapp import card_import, import_journal
from posapp.__main__ import main

KILLED = 70

point = sys.argv[1] if __name__ == "__main__" else ""
real_store, real_publish = card_import._store, import_journal.publish
stored_batches = 0


def store(*args, **kwargs):
    global stored_batches
    results = list(real_store(*args, **kwargs))
    stored_batches += 1
    if point == f"after-batch-{stored_batches}":
        os._exit(KILLED)
    return iter(results)


def publish(record):
    real_publish(record)
    if point == "after-publish":
        os._exit(KILLED)


if __name__ == "__main__":
    card_import._store, import_journal.publish = store, publish
    sys.exit(main(sys.argv[2:]))
