"""``posapp vault rekey`` and ``vault rotate-materials``: the card vault's key lifecycle (administrators)."""

from __future__ import annotations

import sys
from typing import TextIO

from posapp.access.roles import SignedIn
from posapp.cli.journalling import journal
from posapp.cli.vault import count
from posapp.errors import ExitCode, InvalidInput, PosappError, describe
from posapp.pan_detect import redact

REKEY_PROGRESS_EVERY = 1000  # items looked at between two progress lines


def vault_rekey(services, args, out: TextIO, operator: SignedIn) -> int:
    """``vault rekey [--to-key ARN]``: re-encrypt every card item under a new key, same tokens.

    Progress goes to stderr, each tampered item too (not re-keyed), the counts to ``out``.
    Returns OK, or INTEGRITY if an item failed its check. Raises InvalidInput (--to-key given to
    a local vault, missing for DynamoDB, not a usable key) and the vault's errors; a run cut
    short carries on from its checkpoint when started again."""
    if services.shared_vault and not args.to_key:
        raise InvalidInput("the DynamoDB vault is re-keyed to a new KMS key: give --to-key ARN")
    if not services.shared_vault and args.to_key:
        raise InvalidInput("the local vault uses no KMS key: run 'posapp vault rekey' without --to-key "
                           "(it makes new local keys)")
    latest, shown = None, {"pass": 0, "seen": 0}
    names = ("rekeyed", "already", "gone")
    counted = dict.fromkeys(names, 0)  # the counts at the last report: they run over every pass
    start_of_pass = dict(counted)

    def progress(report) -> None:
        nonlocal latest
        latest = report
        if report.passes != shown["pass"]:  # a new pass: show its own counts
            start_of_pass.update(counted)
        counted.update({name: getattr(report, name) for name in names})
        seen = report.rekeyed + report.already + report.gone + len(report.tampered)
        if report.passes != shown["pass"] or seen // REKEY_PROGRESS_EVERY != shown["seen"] // REKEY_PROGRESS_EVERY:
            resumed = " (resumed)" if report.resumed and report.passes == 1 else ""
            rekeyed, already, gone = (counted[name] - start_of_pass[name] for name in names)
            print(f"posapp: rekey pass {report.passes}{resumed}: {rekeyed} re-keyed, {already} "
                  f"already under the new key, {gone} gone meanwhile…", file=sys.stderr, flush=True)
        shown.update({"pass": report.passes, "seen": seen})

    try:
        report = services.vault.rekey(args.to_key, progress)
    except BaseException as error:  # an interrupted or failed run is journalled too, with what it did
        _journal_cut_short(services, operator, error, latest)
        raise
    for token in report.tampered:
        print(f"posapp: {_why_not(services, token)}: not re-keyed", file=sys.stderr)
    outcome = "failed" if report.tampered else "ok" if report.done else "incomplete"
    journal(services, operator, "vault-rekey", outcome, target=report.target, rekeyed=report.rekeyed,
            already=report.already, gone=report.gone, passes=report.passes, remaining=report.remaining,
            tampered=len(report.tampered), resumed=report.resumed)
    passes = f"{report.passes} pass{'' if report.passes == 1 else 'es'}"
    # Cached materials name a material version, wrapped by the KMS key a till's settings name.
    target = report.target if report.target == args.to_key or not args.to_key else \
        f"{report.target} (wrapped by {args.to_key})"
    print(f"Re-keyed {count(report.rekeyed, 'vault item')} to {target} in {passes}: {report.already} already "
          f"under it, {report.gone} deleted meanwhile, {len(report.tampered)} failed their check.", file=out)
    if report.remaining:
        print(f"{count(report.remaining, 'card')} still under another key: tills still on the old key stored "
              f"{'it' if report.remaining == 1 else 'them'}. {_point_tills(args.to_key)}, then run "
              f"'posapp vault rekey --to-key {args.to_key}' again.", file=out)
    elif report.tampered:
        print("The items that failed their check are still under the old key; keep the old key until they are "
              "re-keyed or gone. Restore a tampered item from a backup; a revoked till's cards stay untrusted until "
              "retention removes them.", file=out)
    elif services.shared_vault:
        print(f"Every card stored when the last pass ended is under {target}. {_point_tills(args.to_key)}; "
              "then run this again for what tills on the old key sold meanwhile, and the old key may be disabled.",
              file=out)
    return ExitCode.INTEGRITY if report.tampered else ExitCode.OK


def _why_not(services, token: str) -> str:
    """Why the item under ``token`` failed its check, as verifying it says (naming the till of a
    sealed item); the one sentence of any tampered item where it cannot say more."""
    try:
        services.vault.verify(token)
    except PosappError as error:
        return error.sentence()
    return f"vault item {token} failed its integrity check (tampered or unreadable)"


def _point_tills(key: str) -> str:
    """What to do on every till so that it stores new cards under ``key``."""
    return (f"Point every till at {key}: 'posapp setup ... --kms-key-id {key}' (with --vault-materials sealed "
            "for an RSA key: it pins the key, then 'posapp till register' on each till; with direct or cached for "
            "a symmetric one)")


def _journal_cut_short(services, operator: SignedIn, error: BaseException, report) -> None:
    """Journal a rekey that stopped before its end: interrupted (Ctrl-C, a signal) or failed,
    with the counts it reached (a resumed run carries on from its checkpoint)."""
    if isinstance(error, PosappError):
        outcome, reason = "failed", redact(describe(error)[0])
    elif isinstance(error, KeyboardInterrupt):
        outcome, reason = "interrupted", "interrupted"
    else:
        outcome, reason = "failed", type(error).__name__
    counts = {} if report is None else dict(target=report.target, rekeyed=report.rekeyed, already=report.already,
                                            gone=report.gone, passes=report.passes,
                                            tampered=len(report.tampered), resumed=report.resumed)
    journal(services, operator, "vault-rekey", outcome, reason=reason, **counts)


def vault_rotate_materials(services, args, out: TextIO, operator: SignedIn) -> int:
    """``vault rotate-materials``: a new cached-material version in the meta store. Raises
    InvalidInput for direct materials and the local vault, and the vault's errors."""
    version = services.vault.rotate_materials()
    journal(services, operator, "vault-rotate-materials", version=version)
    print(f"New material version {version}: sales take it up within [vault] version_ttl seconds; "
          "cards of older versions stay readable ('posapp vault rekey' moves them to it).", file=out)
    return ExitCode.OK
