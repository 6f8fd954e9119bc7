"""Bulk imports are all or none, across a crash too.

A run of ``posapp vault import`` is noted in the vault (an :class:`ImportRecord`) before
its first card is stored, and every card it stores carries the run's id. Its tokens go to
a hidden partial file beside the output file, which gets the output's name only when
every card is stored; then the note is removed. A note left behind by a process that is
gone marks an interrupted run: the next ``vault import`` or ``vault reconcile`` on that
till finishes it if its output file was complete, else takes back every card it stored,
so nobody is left with cards whose tokens no file lists.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from posapp.vault import ImportRecord, TokenNotFound, Vault
from posapp.clock import utc_now

log = logging.getLogger(__name__)


def partial_file(output: Path, import_id: str) -> Path:
    """Where a run writes its tokens until it is complete: a hidden file beside ``output``."""
    return output.with_name(f".{output.name}.{import_id}.partial")


def begin(vault: Vault, output: Path, *, workstation: str) -> ImportRecord:
    """Note a new run (new id, this host and process, ``started_at`` as UTC ISO 8601 text) in the
    vault and return its record; raises the vault's errors (VaultError)."""
    record = ImportRecord(import_id=str(uuid.uuid4()), workstation=workstation, host=socket.gethostname(),
                          pid=os.getpid(), process=process_identity(os.getpid()),
                          started_at=utc_now().isoformat(),
                          output=str(output.absolute()))
    vault.begin_import(record)
    return record


@dataclass
class Run:
    """One import run in progress: its record, its partial tokens file, the tokens stored so far."""

    record: ImportRecord
    file: TextIO
    tokens: list[str] = field(default_factory=list)


@contextlib.contextmanager
def run(vault: Vault, output: Path, *, workstation: str) -> Iterator[Run]:
    """Note the run, yield it, and publish its output; on any failure, take its cards back.

    Raises FileExistsError if ``output`` exists, OSError if its partial file cannot be made,
    VaultError from the vault; the body's own errors pass through once its cards are taken back.
    If taking the cards back fails too, the run's note stays for ``recover``.
    """
    if output.exists():
        raise FileExistsError(output)
    record = begin(vault, output, workstation=workstation)
    try:
        file = partial_file(output, record.import_id).open("x", encoding="utf-8", newline="")
    except BaseException:
        end(vault, record)
        raise
    current = Run(record, file)
    try:
        with file:
            yield current
            file.flush()
            os.fsync(file.fileno())
        publish(record)
    except BaseException:
        try:
            roll_back(vault, record, current.tokens)
        except Exception:
            log.exception("the cards of an import that failed could not all be taken back; the next "
                          "'posapp vault import' or 'posapp vault reconcile' on this till will try again")
        raise
    end(vault, record)


def publish(record: ImportRecord) -> None:
    """Give the complete partial file the output's name; never replaces an existing file
    (FileExistsError instead). OSError if the folder refuses."""
    partial, output = partial_file(Path(record.output), record.import_id), Path(record.output)
    os.link(partial, output)  # FileExistsError rather than overwriting
    _sync_folder(output.parent)
    partial.unlink()


def end(vault: Vault, record: ImportRecord) -> None:
    """Forget the run's note in the vault: it is complete (its cards stay)."""
    vault.end_import(record.import_id)


def roll_back(vault: Vault, record: ImportRecord, tokens: list[str] | None = None) -> int:
    """Take back every card of the run (those in ``tokens``, else found by a scan of the vault),
    delete its partial file and forget its note; returns how many cards were removed."""
    if tokens is None:
        tokens = [entry.token for entry in vault.entries() if entry.import_id == record.import_id]
    removed = 0
    for token in tokens:
        try:
            vault.delete(token)
            removed += 1
        except TokenNotFound:
            pass  # never stored, or taken back already
    Path(partial_file(Path(record.output), record.import_id)).unlink(missing_ok=True)
    vault.end_import(record.import_id)
    return removed


@dataclass
class Recovery:
    """What :func:`recover` found, counted in import runs (``cards_removed``: in cards)."""

    finished: int = 0  # interrupted after their output was complete
    rolled_back: int = 0  # runs whose cards were taken back (or, in a dry run, would be)
    cards_removed: int = 0
    running: int = 0  # still running on this till: left alone
    elsewhere: int = 0  # interrupted or running on another machine: left to it


def recover(vault: Vault, *, dry_run: bool = False) -> Recovery:
    """Finish or roll back the interrupted import runs begun on this machine (same host name: the
    run's files are here); leave running ones, and other machines' runs, alone.

    A dry run changes nothing and counts what a run would do. Raises the vault's errors."""
    report = Recovery()
    for record in vault.pending_imports():
        if record.host != socket.gethostname():
            report.elsewhere += 1
            continue
        if _running(record):
            report.running += 1
            continue
        output, partial = Path(record.output), partial_file(Path(record.output), record.import_id)
        if output.exists() and (not partial.exists() or os.path.samefile(output, partial)):
            report.finished += 1
            if not dry_run:
                partial.unlink(missing_ok=True)  # died after publishing, before forgetting the run
                end(vault, record)
            continue
        if dry_run:
            report.rolled_back += 1
            report.cards_removed += sum(entry.import_id == record.import_id for entry in vault.entries())
            continue
        removed = roll_back(vault, record)
        log.warning("an import into the vault begun at %s was interrupted: its %d cards were taken back",
                    record.started_at, removed)
        report.rolled_back += 1
        report.cards_removed += removed
    return report


def _running(record: ImportRecord) -> bool:
    """Whether the run's process still runs: not after a restart, nor a zombie, nor another
    process that was given the same number since."""
    if record.process != process_identity(record.pid) or record.pid == os.getpid():
        return False
    if sys.platform == "win32":
        return True  # os.kill would end the process there: such runs wait for a till with a POSIX kill
    try:
        os.kill(record.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process: alive
    try:  # a killed process its parent has not reaped yet still answers kill(0)
        return Path(f"/proc/{record.pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def process_identity(pid: int) -> str:
    """The process ``pid`` as the system knows it, this boot (Linux: boot id and start time);
    empty where the system does not say, or there is no such process."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        started = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""
    return f"{boot}/{started}"


def _sync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
