"""``posapp vault rekey`` killed part-way, as after a kill or a power cut.

``python -m rekeycrash N ARGS...`` runs ``posapp ARGS...`` with pages (DynamoDB) and batches
(local) of 4 items, and ends the process with ``os._exit`` (no cleanup runs) once N items are
re-keyed: on DynamoDB right after the transaction (of 2 conditional puts) that took the count
to N or more, in the local vault right after the transaction that took the count to N or more.
With REKEYCRASH_INTERRUPT set, the local rekey is interrupted there instead, as by Ctrl-C
(Python's own SIGINT handler raises KeyboardInterrupt).
"""

import os
import signal
import sys
import threading

from posapp.__main__ import main
from posapp.vault import dynamodb_rekey, local_rekey

KILLED = 70

after = int(sys.argv[1]) if __name__ == "__main__" else 0
real_replace, real_save = dynamodb_rekey.DynamoDbRekey._replace, local_rekey._save
lock = threading.Lock()
put = 0


def replace(self, batch):
    global put
    outcomes = real_replace(self, batch)
    with lock:
        put += outcomes.count("rekeyed")
        if put >= after:
            os._exit(KILLED)
    return outcomes


def save(db, report):
    real_save(db, report)
    if report.rekeyed >= after:
        db.execute("COMMIT")  # the batch's transaction, as a run that died just after it
        if os.environ.get("REKEYCRASH_INTERRUPT"):
            signal.default_int_handler(signal.SIGINT, None)
        os._exit(KILLED)


if __name__ == "__main__":
    dynamodb_rekey.DynamoDbRekey._replace, local_rekey._save = replace, save
    dynamodb_rekey.PAGE_ITEMS = local_rekey.BATCH = 4
    dynamodb_rekey.BATCH_ITEMS = 2  # two transactions a page: it dies inside one
    sys.exit(main(sys.argv[2:]))
