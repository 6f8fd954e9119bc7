"""Which interrupted imports ``recover`` takes back, finishes, or leaves alone (local vault)."""

import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from kit import card, local_vault

from posapp import import_journal
from posapp.vault import ImportRecord


@pytest.fixture
def vault(tmp_path):
    return local_vault(tmp_path)


def cards(count):
    return [card() for _ in range(count)]


def interrupted(vault, tmp_path, *, pid, workstation="till-01", host=None, process=None):
    """A run noted by process ``pid`` that stored 3 cards and never ended."""
    record = ImportRecord(import_id=str(uuid.uuid4()), workstation=workstation, host=host or socket.gethostname(),
                          pid=pid, process=import_journal.process_identity(pid) if process is None else process,
                          started_at="2026-11-29T12:00:00+00:00", output=str(tmp_path / "tokens.csv"))
    vault.begin_import(record)
    return record, vault.tokenize_many(cards(3), record.import_id)


def dead_pid():
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(done.stdout)


def test_a_dead_run_is_taken_back_and_a_sale_is_untouched(vault, tmp_path):
    sale = vault.tokenize(cards(1)[0])
    interrupted(vault, tmp_path, pid=dead_pid())
    report = import_journal.recover(vault)
    assert (report.rolled_back, report.cards_removed) == (1, 3)
    assert [entry.token for entry in vault.entries()] == [sale] and vault.pending_imports() == []


def test_a_running_import_and_another_machines_are_left_alone(vault, tmp_path):
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"]) as running:
        try:
            interrupted(vault, tmp_path, pid=running.pid)
            interrupted(vault, tmp_path, pid=dead_pid(), host=socket.gethostname() + "-other")
            report = import_journal.recover(vault)
        finally:
            running.kill()
    assert (report.rolled_back, report.running, report.elsewhere) == (0, 1, 1)
    assert len(list(vault.entries())) == 6 and len(vault.pending_imports()) == 2


def test_a_run_of_this_machine_under_another_workstation_name_is_recovered(vault, tmp_path):
    interrupted(vault, tmp_path, pid=dead_pid(), workstation="till-02")  # renamed since
    assert import_journal.recover(vault).cards_removed == 3 and list(vault.entries()) == []


def test_a_killed_but_unreaped_process_or_one_of_an_earlier_boot_is_not_running(vault, tmp_path):
    zombie = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        deadline = 100
        while deadline and Path(f"/proc/{zombie.pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
            deadline -= 1
            time.sleep(0.05)
        interrupted(vault, tmp_path, pid=zombie.pid)  # exited, not reaped: kill(0) still answers
        with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"]) as alive:
            try:
                interrupted(vault, tmp_path, pid=alive.pid, process="an-earlier-boot/123")  # its number, reused
                dry = import_journal.recover(vault, dry_run=True)
                assert (dry.rolled_back, dry.cards_removed, len(list(vault.entries()))) == (2, 6, 6)
                report = import_journal.recover(vault)
            finally:
                alive.kill()
    finally:
        zombie.wait()
    assert (report.rolled_back, report.cards_removed, report.running) == (2, 6, 0)
    assert list(vault.entries()) == [] and vault.pending_imports() == []


def test_a_run_whose_tokens_file_was_published_is_finished(vault, tmp_path):
    record, tokens = interrupted(vault, tmp_path, pid=dead_pid())
    (tmp_path / "tokens.csv").write_text("line,token,brand,last4\n")
    report = import_journal.recover(vault)
    assert (report.finished, report.rolled_back) == (1, 0)
    assert {entry.token for entry in vault.entries()} == set(tokens) and vault.pending_imports() == []
