"""An export never overwrites a file and never leaves one half-written: refused, failed, interrupted
or stopped by a card number, it leaves the folder as it was (SQLite: the file handling is the
same on every backend)."""

import errno
import json
import os
import stat

import pytest
from cardgen import random_pan
from exportcsv import read_export, write_rows, written_row
from kit import BACKOFFICE, order_store, sell
from leakscan import find_leaks

from posapp.errors import ExitCode, describe
from posapp.localization import Localization
from posapp.orders import OrderFilter
from posapp.orders.journal import JournalFilter
from posapp.reports.export import export_csv
from posapp.reports.guard import CardDataInDocument
from posapp.reports.new_file import TargetExists

UTC = Localization.named("en_US", "UTC")


@pytest.fixture
def store(tmp_path):
    store = order_store(f"sqlite:///{tmp_path}/orders.db")
    store.provision()
    write_rows(store, [written_row(number) for number in range(1, 31)])
    return store


@pytest.fixture
def folder(tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    return folder


def export(store, target, **options):
    return export_csv(store, BACKOFFICE, OrderFilter(), target, localization=UTC, **options)


def journalled(store):
    return [(entry.outcome, json.loads(entry.details)) for entry in store.journal.page(JournalFilter(
        action="order-export"))]


def test_the_file_is_private_and_complete(store, folder):
    assert export(store, folder / "orders.csv") == 30
    assert os.listdir(folder) == ["orders.csv"]
    assert stat.S_IMODE((folder / "orders.csv").stat().st_mode) == 0o600
    assert len(read_export(folder / "orders.csv")) == 30


def test_an_existing_file_is_never_overwritten(store, folder):
    (folder / "orders.csv").write_text("the accountant's own file")
    with pytest.raises(TargetExists, match="exists already") as refused:
        export(store, folder / "orders.csv")
    assert describe(refused.value)[1] is ExitCode.BAD_INPUT
    assert (folder / "orders.csv").read_text() == "the accountant's own file"
    assert os.listdir(folder) == ["orders.csv"]


def test_a_link_in_the_way_is_not_followed(store, folder, tmp_path):
    (folder / "orders.csv").symlink_to(tmp_path / "elsewhere.csv")  # dangling
    with pytest.raises(TargetExists):
        export(store, folder / "orders.csv")
    assert not (tmp_path / "elsewhere.csv").exists()


def test_a_file_made_while_the_export_runs_is_left_alone(store, folder):
    def someone_saves_there(_count):
        (folder / "orders.csv").write_text("saved meanwhile")

    with pytest.raises(TargetExists):
        export(store, folder / "orders.csv", progress=someone_saves_there, every=10)
    assert (folder / "orders.csv").read_text() == "saved meanwhile"
    assert os.listdir(folder) == ["orders.csv"]
    assert [outcome for outcome, _details in journalled(store)] == ["ok", "failed"]


def test_ctrl_c_leaves_no_file(store, folder):
    def interrupted(_count):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        export(store, folder / "orders.csv", progress=interrupted, every=10)
    assert os.listdir(folder) == []
    [(outcome, details)] = journalled(store)
    assert (outcome, details["reason"]) == ("failed", "interrupted")


def test_a_full_disk_is_exit_3_and_leaves_no_file(store, folder, monkeypatch):
    def full(_descriptor):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(Exception, match="No space left on device") as failed:
        export(store, folder / "orders.csv")
    assert describe(failed.value)[1] is ExitCode.UNAVAILABLE
    assert os.listdir(folder) == []
    assert journalled(store)[0][0] == "failed"


def test_without_hard_links_the_file_is_copied_into_place_and_still_never_overwrites(store, folder, monkeypatch):
    def no_links(_source, _target):
        raise PermissionError(errno.EPERM, "Operation not permitted")  # FAT on a USB stick

    export(store, folder / "linked.csv")
    monkeypatch.setattr(os, "link", no_links)
    export(store, folder / "copied.csv")
    assert (folder / "copied.csv").read_bytes() == (folder / "linked.csv").read_bytes()
    assert stat.S_IMODE((folder / "copied.csv").stat().st_mode) == 0o600

    def someone_saves_there(_count):
        (folder / "late.csv").write_text("saved meanwhile")

    with pytest.raises(TargetExists):
        export(store, folder / "late.csv", progress=someone_saves_there, every=10)
    assert (folder / "late.csv").read_text() == "saved meanwhile"
    assert sorted(os.listdir(folder)) == ["copied.csv", "late.csv", "linked.csv"]


@pytest.mark.parametrize("target, reason", [("missing/orders.csv", "no folder"),
                                            ("orders.csv/x.csv", "Not a directory")])
def test_a_target_that_cannot_be_made_is_exit_2(store, folder, target, reason):
    (folder / "orders.csv").write_text("a file")
    with pytest.raises(Exception, match=reason) as refused:
        export(store, folder / target)
    assert describe(refused.value)[1] is ExitCode.BAD_INPUT


def test_a_file_name_like_a_card_number_is_refused(store, folder):
    with pytest.raises(Exception, match="looks like a card number") as refused:
        export(store, folder / f"{random_pan()}.csv")
    assert describe(refused.value)[1] is ExitCode.BAD_INPUT
    assert os.listdir(folder) == []


@pytest.mark.parametrize("column, label", [("Description", "description"), ("OrderName", "name"),
                                           ("operator", "operator"), ("payment_reference", "payment_reference"),
                                           ("decline_code", "decline_code")])
def test_a_card_number_in_any_column_stops_the_export_naming_it(store, folder, monkeypatch, column, label):
    number = random_pan()
    write_rows(store, [written_row(31, **{column: f"note {number}"})])
    # Orders leave the store masked; were that ever lost, the export's own check still stops them.
    monkeypatch.setattr("posapp.orders.base.redact", lambda text: text)
    with pytest.raises(CardDataInDocument) as refused:
        export(store, folder / "orders.csv")
    assert describe(refused.value)[1] is ExitCode.INTEGRITY
    assert f"its {label} holds what looks like a card number" in str(refused.value)
    assert "order 31" in str(refused.value) and number not in str(refused.value)
    assert os.listdir(folder) == []
    [(outcome, details)] = journalled(store)
    assert outcome == "failed" and number not in json.dumps(details)


def test_the_cards_sold_are_nowhere_in_the_export(services, folder):
    numbers = [random_pan("4", 16), random_pan("5", 16), random_pan("37", 15)]
    for number in numbers:
        sell(services, number=number)
    assert export_csv(services.orders, BACKOFFICE, OrderFilter(), folder / "orders.csv",
                      localization=UTC) == 3
    assert find_leaks(numbers, [folder]) == []
    assert {row["card_last4"] for row in read_export(folder / "orders.csv")} == {n[-4:] for n in numbers}
