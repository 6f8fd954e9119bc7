"""``posapp vault …``: verify, reconcile and import, over the same services as the window."""

from __future__ import annotations

import collections
import contextlib
import csv
import errno
import os
import sys
from pathlib import Path
from typing import TextIO

from posapp.access.roles import SignedIn
from posapp.cli.journalling import journal
from posapp.cli.output import for_terminal
from posapp.errors import ExitCode, IntegrityFailure, InvalidInput, NotFound, Unavailable, describe
from posapp.pan_detect import contains_pan
from posapp.clock import utc_now


def count(number: int, noun: str) -> str:
    """``"1 card"``, ``"2 cards"``: ``number`` and ``noun``, plural with an ``s``."""
    return f"{number} {noun}{'' if number == 1 else 's'}"



VERIFY_PROGRESS_EVERY = 1000


def vault_verify(services, args, out: TextIO, operator: SignedIn) -> int:
    """``vault verify``: check ``args.tokens`` or, with ``args.all``, every item and every order's card.

    Each failure goes to stderr, the count to ``out``. Returns OK, or the worst failure's code
    (INTEGRITY for a tampered or missing card, BAD_INPUT for an unknown token)."""
    from posapp.reconcile import OrderHistoryBehind, check_history_reaches, check_same_history

    newest_seen = 0  # the newest order id any stored sale knew of
    under_key: collections.Counter[str | None] = collections.Counter()  # items by the key they name

    def every_token():
        nonlocal newest_seen
        for entry in services.vault.entries():
            newest_seen = max(newest_seen, entry.orders_seen or 0)
            under_key[entry.key_version] += 1
            yield entry.token

    if args.all:
        services.paired()  # the orders checked must be those of this vault's cards
    checked, failures = 0, []
    for token in every_token() if args.all else args.tokens:
        checked += 1
        if checked % VERIFY_PROGRESS_EVERY == 0:
            print(f"posapp: checked {checked} vault items…", file=sys.stderr, flush=True)
        try:
            services.vault.verify(token)
        except (IntegrityFailure, NotFound) as error:
            failures.append(error)
            print(f"posapp: {for_terminal(describe(error)[0])}", file=sys.stderr)
    what = count(checked, "vault item")
    orders_checked = 0
    if args.all:  # an order whose item was deleted is not in the vault walk
        try:
            check_same_history(services.vault, services.orders)
            check_history_reaches(services.orders, newest_seen)
        except OrderHistoryBehind as behind:  # an older copy would hide the orders of missing cards
            failures.append(behind)
            print(f"posapp: {behind}", file=sys.stderr)
        orders = services.order_cards()
        for missing in orders.missing():
            failures.append(missing)
            print(f"posapp: {missing}", file=sys.stderr)
        orders_checked = orders.checked
        what += f" and {count(orders.checked, 'order')}"
    journal(services, operator, "vault-verify", "failed" if failures else "ok", all=args.all, items=checked,
            orders=orders_checked, failed=len(failures))
    print(f"Checked {what}: all intact." if not failures else f"Checked {what}: {len(failures)} failed.", file=out)
    if under_key:  # which keys protect the cards: what an administrator checks after a rekey
        print("Keys: " + "; ".join(f"{count(items, 'item')} under {version or 'a key from before posapp named keys'}"
                                   for version, items in under_key.most_common()) + ".", file=out)
    return max(describe(error)[1] for error in failures) if failures else ExitCode.OK


def vault_reconcile(services, args, out: TextIO, operator: SignedIn) -> int:
    """``vault reconcile``: recover interrupted imports, then :func:`posapp.reconcile.reconcile`
    with ``args.grace`` minutes. Raises InvalidInput, OrderHistoryBehind and the stores' errors."""
    from posapp import import_journal
    from posapp.reconcile import accept_restored_history, grace_minutes, reconcile

    grace = grace_minutes(args.grace)
    services.paired()  # never against an order history that is not the vault's own
    if args.accept_restored_history:
        accept_restored_history(services.vault, services.orders)
        journal(services, operator, "vault-reconcile", accepted_restored_history=True)
        print("The order history is now the one this vault is reconciled with; nothing was removed. Cards of "
              "orders the backup lacks belong to no order now: later runs remove them as usual.", file=out)
        return ExitCode.OK
    _report_recovery(import_journal.recover(services.vault, dry_run=args.dry_run), dry_run=args.dry_run)
    report = reconcile(services.vault, services.orders, grace=grace, dry_run=args.dry_run)
    journal(services, operator, "vault-reconcile", dry_run=args.dry_run, checked=report.checked,
            referenced=report.referenced, imported=report.imported, noted=report.noted, waiting=report.waiting,
            removed=report.removed)
    verb = "would remove" if args.dry_run else "removed"
    imported = f", {report.imported} imported (kept)" if report.imported else ""
    noted = f"{report.noted} newly unreferenced ({'would be ' if args.dry_run else ''}noted)"
    summary = (f"Checked {count(report.checked, 'vault item')}: {report.referenced} referenced by orders{imported}, "
               f"{noted}, {report.waiting} waiting (for {args.grace} minutes since noted, or for a newer order), "
               f"{verb} {report.removed}.")
    _say_done(out, summary, "reconciliation ran")
    return ExitCode.OK


def vault_import(services, args, out: TextIO, operator: SignedIn) -> int:
    """``vault import``: tokenize the card file ``args.cards`` into the new CSV file ``args.out``.

    Refused lines go to stderr; returns BAD_INPUT if any was refused (the others are stored),
    else OK. Raises InvalidInput for unusable file names or paths, and the vault's errors."""
    from posapp import import_journal
    from posapp.card_import import Imported, bounded_lines, import_cards, open_card_file

    for what, path in (("card file", args.cards), ("--out file", args.out)):
        if contains_pan(str(path)):  # file names are printed and kept in the import journal
            raise InvalidInput(f"the {what}'s name looks like a card number; rename it")
    if args.out.resolve() == args.cards.resolve():
        raise InvalidInput("--out must name a new file, not the card file")
    cards, size = open_card_file(args.cards)
    try:
        _check_creatable(args.out)  # before anything is stored
        services.paired()  # a vault that is not its order history's own takes no cards either
    except BaseException:
        cards.close()
        raise
    _report_recovery(import_journal.recover(services.vault))
    imported = refused = 0
    progress = _Progress(size)
    with cards, _creating(args.out):
        with import_journal.run(services.vault, args.out, workstation=services.workstation) as run:
            rows = csv.writer(run.file)
            rows.writerow(["line", "token", "brand", "last4"])
            today = utc_now().date()
            for result in import_cards(services.vault, bounded_lines(cards), today=today,
                                       import_id=run.record.import_id, retention_days=services.retention_days):
                if isinstance(result, Imported):
                    run.tokens.append(result.token)
                    rows.writerow([result.line, result.token, result.brand.value, result.last4])
                    imported += 1
                else:
                    print(f"posapp: line {result.line}: {result.reason}", file=sys.stderr)
                    refused += 1
                progress.show(result.line, os.lseek(cards.fileno(), 0, os.SEEK_CUR))  # ahead by a buffer at most
    progress.done()
    journal(services, operator, "vault-import", imported=imported, refused=refused)
    summary = (f"Imported {count(imported, 'card')} into the vault; {count(refused, 'line')} refused. "
               f"Tokens in {args.out}.")
    # The import is complete: an administrator who read only "failed" would import it again.
    _say_done(out, summary, "the import is complete; do not import the file again")
    return ExitCode.BAD_INPUT if refused else ExitCode.OK


def _say_done(out: TextIO, summary: str, done: str) -> None:
    """Print the summary of work that is done; if it cannot be shown, say that it is done."""
    try:
        print(summary, file=out)
        out.flush()
    except Exception as error:
        raise Unavailable(f"{done} ({summary}), but this could not be shown: {describe(error)[0]}") from None


def _check_creatable(path: Path) -> None:
    if path.exists():
        raise InvalidInput(f"{path} exists already: name a new file for the tokens")
    folder = path.parent
    if not folder.exists():
        raise InvalidInput(f"{path} cannot be created: no folder {folder}")
    if not folder.is_dir():
        raise InvalidInput(f"{path} cannot be created: {os.strerror(errno.ENOTDIR)}")
    probe = folder / f".{path.name}.posapp-probe-{os.getpid()}"
    try:  # the only sure test of a folder's permissions, read-only mounts and quotas
        probe.open("x").close()
        probe.unlink()
    except OSError as error:
        raise InvalidInput(f"{path} cannot be created: {error.strerror or error}") from None


@contextlib.contextmanager
def _creating(path: Path):
    """Turns a tokens file that cannot be made into one line for the user."""
    try:
        yield
    except FileExistsError:
        raise InvalidInput(f"{path} exists already: name a new file for the tokens") from None
    except OSError as error:
        if error.filename is None or Path(error.filename).parent != path.parent:
            raise
        reason = f"no folder {path.parent}" if isinstance(error, FileNotFoundError) else error.strerror
        raise InvalidInput(f"{path} cannot be created: {reason or error}") from None


def _report_recovery(recovery, *, dry_run: bool = False) -> None:
    would = "would be " if dry_run else ""
    if recovery.rolled_back:
        print(f"posapp: {count(recovery.rolled_back, 'interrupted import')} {would}taken back: "
              f"{count(recovery.cards_removed, 'card')} {would}removed from the vault", file=sys.stderr)
    if recovery.finished:
        print(f"posapp: {count(recovery.finished, 'interrupted import')} had written its whole tokens file: "
              f"{would}kept as complete", file=sys.stderr)
    if recovery.running:
        print(f"posapp: {count(recovery.running, 'import')} still running on this till: left alone", file=sys.stderr)
    if recovery.elsewhere:
        print(f"posapp: {count(recovery.elsewhere, 'unfinished import')} begun on another machine: left to it",
              file=sys.stderr)


PROGRESS_BYTES_FROM = 20_000  # about 1,000 lines: smaller files finish before anyone wonders


class _Progress:
    """A bar on a terminal; a line every tenth of the file otherwise (logs, pipes). Measured in
    bytes: the file is read once, so its lines are not counted ahead."""

    def __init__(self, size: int):
        self._size = max(size, 1)
        self._tty = sys.stderr.isatty()
        self._shown = -1

    def show(self, line: int, done: int) -> None:
        done = min(done, self._size)
        tenth = done * 10 // self._size
        if self._tty:
            filled = done * 30 // self._size
            print(f"\r[{'#' * filled}{' ' * (30 - filled)}] {done * 100 // self._size}% read, at line {line}",
                  end="", file=sys.stderr)
        elif self._size >= PROGRESS_BYTES_FROM and tenth != self._shown and tenth < 10:
            print(f"posapp: {tenth * 10}% of the card file read", file=sys.stderr)
        self._shown = tenth

    def done(self) -> None:
        if self._tty:
            print(file=sys.stderr)
