"""``posapp vault purge`` through the command line in local mode: a sale's card stays until its
retention ends, then purge removes it, the order says "card no longer stored", and verify,
receipts, the list and the journal keep working.

The commands "400 days later" run posapp with its clock (``posapp.clock.utc_now``) moved on,
set before posapp is imported: the injected clock of every service and adapter.
"""

import json
import os
import sqlite3
import subprocess
import sys

import pytest
from kit import cli_sale
from signin import signed_in

LATER = """
import datetime, sys
import posapp.clock
days = int(sys.argv.pop(1))
real = posapp.clock.utc_now
posapp.clock.utc_now = lambda: real() + datetime.timedelta(days=days)
from posapp.__main__ import main
sys.exit(main())
"""


@pytest.fixture
def later(posapp_home):
    """Runs posapp signed in as ADMIN, ``days`` later than now; its settings in POSAPP_HOME."""

    def run(days, *args, env=None):
        environment = {key: value for key, value in os.environ.items() if not key.startswith("POSAPP_")}
        environment.update(POSAPP_HOME=str(posapp_home), PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
                           PYTHONIOENCODING="utf-8", **(env or {}))

        def once(argv, more):
            return subprocess.run([sys.executable, "-c", LATER, str(days), *argv], capture_output=True, text=True,
                                  encoding="utf-8", env={**environment, **more}, timeout=60)
        return signed_in(once, args, {})

    return run


def vault_items(posapp_home):
    with sqlite3.connect(posapp_home / "data" / "vault.db") as db:
        return db.execute("SELECT COUNT(*) FROM vault_items").fetchone()[0]


@pytest.mark.usefixtures("provisioned_posapp")
def test_purge_through_the_command_line(posapp, later, posapp_home):
    sold = json.loads(cli_sale(posapp, "4242 4242 4242 4242 12/99", "--json").stdout)
    assert sold["card_stored"] is True and sold["card_expires_at"].endswith("Z")
    kept = json.loads(cli_sale(posapp, "5555 5555 5555 4444 12/99", "--json").stdout)
    assert vault_items(posapp_home) == 2

    early = later(399, "vault", "purge")
    assert (early.returncode, early.stdout) == (0, "Removed 0 cards past their retention; 2 kept; 0 orders now "
                                                   "show 'card no longer stored'.\n"), early.stderr
    # A setting changed later does not move the expiry a card got at its sale.
    (posapp_home / "posapp.toml").write_text("[vault]\nretention_days = 401\n", encoding="utf-8")
    dry = later(400, "vault", "purge", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout == ("Would remove 2 cards past their retention; 0 kept; 2 orders would show 'card no longer "
                          "stored'. Nothing was changed.\n")  # items keep the expiry of their sale: 400 days
    assert vault_items(posapp_home) == 2
    (posapp_home / "posapp.toml").unlink()

    done = later(400, "vault", "purge")
    assert (done.returncode, done.stdout) == (0, "Removed 2 cards past their retention; 0 kept; 2 orders now show "
                                                 "'card no longer stored'.\n"), done.stderr
    assert vault_items(posapp_home) == 0

    shown = later(400, "order", "show", str(sold["order_id"]))
    assert "Card:        VISA •••• 4242, card no longer stored" in shown.stdout, shown.stderr
    as_json = json.loads(later(400, "order", "show", str(sold["order_id"]), "--json").stdout)
    assert (as_json["card"], as_json["card_stored"]) == ({"brand": "VISA", "last4": "4242"}, False)
    listed = later(400, "order", "list").stdout
    assert listed.count("card no longer stored") == 2 and "MASTERCARD •••• 4444" in listed
    verified = later(400, "vault", "verify", "--all")
    assert (verified.returncode, verified.stdout.splitlines()[0]) == (0, "Checked 0 vault items and 2 orders: all intact.")
    receipt = later(400, "receipt", str(kept["order_id"]), "--format", "text")
    assert receipt.returncode == 0 and "MASTERCARD •••• 4444" in receipt.stdout, receipt.stderr

    settings = posapp_home / "stripe.toml"
    settings.write_text('[payments]\nprocessor = "stripe"\napi_base = "http://127.0.0.1:9"\n', encoding="utf-8")
    charged = later(400, "order", "charge", "--token", sold["token"], "--amount", "1.00", "--name", "Late fee",
                    env={"POSAPP_CONFIG": str(settings), "POSAPP_STRIPE_KEY": "sk_test_never_asked"})
    assert charged.returncode == 2
    assert charged.stderr.startswith(f"posapp: card no longer stored: the retention of the card under token "
                                     f"{sold['token']} ended on "), charged.stderr

    journal = json.loads(later(400, "audit", "list", "--action", "vault-purge", "--json").stdout)["entries"]
    assert [(entry["outcome"], entry["details"]["dry_run"], entry["details"]["removed"], entry["details"]["orders"])
            for entry in journal] == [("ok", False, 0, 0), ("ok", True, 2, 2), ("ok", False, 2, 2)]
    assert later(400, "audit", "verify").returncode == 0
