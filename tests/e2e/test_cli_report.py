"""``posapp report day`` as a script runs it: the day's reading, its close once, reprints marked, JSON
with exact amounts, a PDF that never replaces a file, and one line for each refusal."""

import datetime
import json
import re
import subprocess
import zoneinfo

import pytest
from cardgen import random_pan
from kit import cli_sale

ZONE = zoneinfo.ZoneInfo("Pacific/Auckland")


@pytest.fixture
def shop(posapp, posapp_home):
    """A till in Auckland (a day there spans two UTC dates) with three sales, one voided: the
    business day of the first sale."""
    posapp_home.mkdir(parents=True, exist_ok=True)
    settings = posapp_home / "posapp.toml"
    settings.write_text('[workstation]\nid = "till-07"\n[merchant]\nname = "Kiwi Café"\ntimezone = "Pacific/Auckland"\n'
                        'locale = "en_NZ"\ncurrency = "NZD"\n')
    settings.chmod(0o600)
    sold = [json.loads(cli_sale(posapp, None, "--json", amount=amount).stdout) for amount in ("4.50", "12.00", "3.25")]
    assert posapp("order", "void", str(sold[2]["order_id"])).returncode == 0
    days = {datetime.datetime.fromisoformat(order["created_at"]).astimezone(ZONE).date() for order in sold}
    if len(days) > 1:
        pytest.skip("the sales straddled midnight in Auckland")
    return posapp, days.pop().isoformat()


def test_a_reading_then_the_close_then_reprints(shop, tmp_path):
    run, day = shop
    reading = run("report", "day", "--date", day)
    assert reading.returncode == 0, reading.stderr
    assert "X REPORT — NOT CLOSED" in reading.stdout and "Kiwi Café" in reading.stdout
    assert "card on file × 2" in reading.stdout and "$16.50" in reading.stdout and "voided × 1" in reading.stdout
    assert re.search(r"^Till +till-07$", reading.stdout, re.MULTILINE)

    closed = run("report", "day", "--date", day, "--close")
    assert closed.returncode == 0, closed.stderr
    assert "Z REPORT\n" in closed.stdout and re.search(r"^Closed by +admin$", closed.stdout, re.MULTILINE)
    assert "REPRINT" not in closed.stdout

    again = run("report", "day", "--date", day, "--close")
    assert (again.returncode, again.stdout) == (2, "")
    assert again.stderr.startswith(f"posapp: {day} at till-07 was closed already, at ")
    assert again.stderr.endswith(" UTC by admin: show it again without closing (a reprint)\n")

    reprint = run("report", "day", "--date", day)
    assert reprint.returncode == 0 and "Z REPORT — REPRINT" in reprint.stdout and "\nREPRINT\nClosed by" in reprint.stdout
    journal = run("audit", "list", "--action", "day-close", "--json")
    entries = json.loads(journal.stdout)["entries"]
    assert [(entry["outcome"], entry["target"]) for entry in entries] == [("ok", f"{day} till-07"),
                                                                           ("refused", f"{day} till-07")]
    assert entries[0]["details"]["recorded"] == {"NZD": 1650} and entries[0]["details"]["net"] == {"NZD": 0}


def test_json_has_minor_units_decimal_strings_and_utc_bounds(shop):
    run, day = shop
    done = run("report", "day", "--date", day, "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    start = datetime.datetime.combine(datetime.date.fromisoformat(day), datetime.time(), ZONE)
    assert (report["day"], report["zone"], report["workstation"], report["kind"]) == (
        day, "Pacific/Auckland", "till-07", "X")
    assert report["start"] == start.astimezone(datetime.timezone.utc).isoformat()  # the previous UTC date
    assert report["takings"] == [{
        "currency": "NZD", "captured": {"minor": 0, "amount": "0.00", "currency": "NZD"},
        "refunded": {"minor": 0, "amount": "0.00", "currency": "NZD"},
        "net": {"minor": 0, "amount": "0.00", "currency": "NZD"},
        "recorded": {"minor": 1650, "amount": "16.50", "currency": "NZD"},
        "authorized": {"minor": 0, "amount": "0.00", "currency": "NZD"},
        "refunded_orders": 0, "fully_refunded_orders": 0, "pending_orders": 0}]
    assert [(entry["status"], entry["count"]) for entry in report["by_status"]] == [("recorded", 2), ("voided", 1)]
    assert report["operators"] == [{"login": "admin", "orders": 3}]


def test_a_pdf_goes_to_a_new_file_only(shop, tmp_path):
    run, day = shop
    target = tmp_path / "z.pdf"
    done = run("report", "day", "--date", day, "--close", "--pdf", str(target))
    assert (done.returncode, done.stdout) == (0, f"Closed; the Z report of {day} is in {target}.\n"), done.stderr
    assert target.stat().st_mode & 0o077 == 0  # private, as everything posapp writes
    text = subprocess.run(["pdftotext", "-layout", str(target), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Z REPORT" in text and "Kiwi Café" in text and "$16.50" in text
    before = target.read_bytes()
    refused = run("report", "day", "--date", day, "--pdf", str(target))
    assert (refused.returncode, refused.stdout) == (2, "")
    assert refused.stderr == (f"posapp: {target} exists already: a report is never written over another file; "
                              f"choose a new name\n")
    assert target.read_bytes() == before


def test_a_pdf_into_a_missing_folder_is_refused_before_the_close_as_for_receipts_and_exports(shop, tmp_path):
    run, day = shop
    target = tmp_path / "nope" / "z.pdf"
    refused = run("report", "day", "--date", day, "--close", "--pdf", str(target))
    assert (refused.returncode, refused.stdout) == (2, "")
    assert refused.stderr == f"posapp: {target} cannot be created: there is no folder {target.parent}\n"
    assert json.loads(run("report", "day", "--date", day, "--json").stdout)["closes"] == []


@pytest.mark.parametrize("args,reason", [
    (["--date", "2026-13-01"], "--date takes a date like 2026-11-29"),
    (["--all-tills", "--close"], "a close is per till: name one with --workstation"),
    (["--date", "2999-01-01", "--close"], "2999-01-01 has not begun yet in Pacific/Auckland"),
])
def test_a_refused_report_is_one_line_and_closes_nothing(shop, args, reason):
    run, day = shop
    done = run("report", "day", *args)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith(f"posapp: {reason}") and done.stderr.count("\n") == 1
    assert json.loads(run("report", "day", "--date", day, "--json").stdout)["closes"] == []


def test_every_tills_reading_and_another_tills_day(shop):
    run, day = shop
    every = json.loads(run("report", "day", "--date", day, "--all-tills", "--json").stdout)
    assert (every["workstation"], every["kind"], every["orders"]) == (None, "X", 3)
    other = json.loads(run("report", "day", "--date", day, "--workstation", "till-99", "--json").stdout)
    assert (other["workstation"], other["orders"], other["takings"]) == ("till-99", 0, [])


def test_a_pdf_named_like_a_card_is_refused_and_the_name_never_shown(shop, tmp_path):
    run, day = shop
    number = random_pan("4", 16)
    refused = run("report", "day", "--date", day, "--close", "--pdf", str(tmp_path / f"{number}.pdf"))
    assert (refused.returncode, refused.stdout) == (2, "")
    assert refused.stderr == "posapp: the file name looks like a card number; name the file otherwise\n"
    assert list(tmp_path.glob("*.pdf")) == []
    assert json.loads(run("report", "day", "--date", day, "--json").stdout)["closes"] == []
