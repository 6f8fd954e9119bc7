"""``posapp till register|revoke|list``: the tills whose signed items back office trusts (administrators)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import TextIO

from posapp import config
from posapp.access.roles import SignedIn
from posapp.cli.journalling import journal
from posapp.cli.output import for_terminal, print_json
from posapp.clock import utc_now
from posapp.errors import ExitCode, PosappError, describe
from posapp.pan_detect import redact


def till_register(services, args, out: TextIO, operator: SignedIn) -> int:
    """Register this till's signing key under ``--till-id`` (default: ``[workstation] id``), making it
    if the till holds none; prints the till and its key's fingerprint. Harmless again. Raises
    InvalidInput (a bad id), the till secrets' and the vault's errors (journalled as failed)."""
    from posapp import till_registration  # with the vault's crypto: not on the window's start-up path

    till_id = args.till_id or services.workstation
    key_file = config.Paths.from_env(os.environ).till_key_file
    audit_key = (lambda: services.vault.audit_key()) if services.shared_vault else None
    with _journalled_failure(services, operator, "till-register", till_id):
        done = till_registration.register(services.vault, till_id, key_file, audit_key=audit_key, clock=utc_now)
    journal(services, operator, "till-register", till=done.till_id, key_id=done.key_id, new_key=done.new_key,
            published=done.published)
    if not done.published:
        print(f"Till {done.till_id} is already registered with key {done.key_id}: nothing changed.", file=out)
        return ExitCode.OK
    made = "a new signing key" if done.new_key else "its signing key"
    print(f"Till {done.till_id} registered with key {done.key_id}: {made}, in {for_terminal(done.kept_in)}, "
          f"signs the cards it stores.", file=out)
    return ExitCode.OK


def till_revoke(services, args, out: TextIO, operator: SignedIn) -> int:
    """Revoke every key of ``args.till_id``; says how many. Raises InvalidInput (a bad id),
    TillNotRegistered (exit 2) and the vault's errors, each journalled as failed."""
    from posapp import till_registration

    with _journalled_failure(services, operator, "till-revoke", args.till_id):
        revoked = till_registration.revoke(services.vault, args.till_id, utc_now)
    journal(services, operator, "till-revoke", till=args.till_id, key_ids=[each.key_id for each in revoked])
    if not revoked:
        print(f"Every key of till {args.till_id} was revoked already: nothing changed.", file=out)
        return ExitCode.OK
    keys = "1 key" if len(revoked) == 1 else f"{len(revoked)} keys"
    print(f"Revoked {keys} of till {args.till_id}: every vault item that till signed now fails verification on "
          f"back office (exit 4), whenever it was stored. Register the till again to let it sell.", file=out)
    return ExitCode.OK


def till_list(services, args, out: TextIO, operator: SignedIn) -> int:
    """Print every registered key: till, key id, registered and revoked times (the merchant's zone;
    UTC in JSON with ``--json``)."""
    from posapp import till_registration

    records = till_registration.tills(services.vault)
    if args.json:
        print_json(out, {"tills": [{"till_id": each.till_id, "key_id": each.key_id,
                                    "registered_at": each.registered_at.isoformat(),
                                    "revoked_at": each.revoked_at.isoformat() if each.revoked_at else None}
                                   for each in records]})
        return ExitCode.OK
    if not records:
        print("No till is registered.", file=out)
        return ExitCode.OK
    loc = services.localization
    for each in records:
        revoked = f"revoked {loc.local(each.revoked_at).isoformat(' ', 'seconds')}" if each.revoked_at else "trusted"
        print(f"{for_terminal(each.till_id):24}  {each.key_id}  registered "
              f"{loc.local(each.registered_at).isoformat(' ', 'seconds')}  {revoked}", file=out)
    return ExitCode.OK


@contextlib.contextmanager
def _journalled_failure(services, operator: SignedIn, action: str, till_id: str) -> Iterator[None]:
    """Journals ``action`` on ``till_id`` as failed, with the reason, when a PosappError leaves the block."""
    try:
        yield
    except PosappError as error:
        journal(services, operator, action, "failed", till=redact(till_id)[:64], reason=redact(describe(error)[0]))
        raise
