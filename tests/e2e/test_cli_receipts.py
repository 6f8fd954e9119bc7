"""``posapp receipt`` as a till's script runs it: a PDF read back with pdftotext, plain text on
standard output, ESC/POS sent to a receipt printer on the network (a TCP listener standing in for
it) or written to a file. Each holds the merchant's name, the masked card and the amount as the
merchant's locale writes it, and no card number in any form; every receipt after an order's first
says COPY, and the journal says which was which and where it went."""

import json
import re
import sqlite3

import pytest
from cardgen import random_pan
from kit import cli_sale
from leakscan import find_leaks
from receiptcheck import PrinterListener, pdf_blobs, pdf_pages, pdf_text, printed_text

SETTINGS = """[merchant]
name = "Café Zürich"
address = ["Bahnhofstrasse 1", "8001 Zürich"]
receipt_footer = "Danke für Ihren Besuch"
locale = "de_DE"
timezone = "Europe/Berlin"
currency = "EUR"

[receipts]
printer = "{printer}"
"""


@pytest.fixture
def printer():
    listener = PrinterListener()
    yield listener
    listener.close()


@pytest.fixture
def till(posapp, posapp_home, printer):
    posapp_home.mkdir(parents=True, exist_ok=True)
    (posapp_home / "posapp.toml").write_text(SETTINGS.format(printer=printer.target))
    return posapp


def sell(till, pan, amount="10,50", name="Flat white"):
    done = cli_sale(till, f"{pan} 12/29", "--json", name=name, amount=amount)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["order_id"]


def receipts_journalled(till):
    listed = till("audit", "list", "--action", "receipt", "--json")
    assert listed.returncode == 0, listed.stderr
    return [(entry["target"], entry["outcome"], entry["details"]) for entry in json.loads(listed.stdout)["entries"]]


def normalized(text):
    return text.replace("\u00a0", " ")


def test_every_format_shows_merchant_card_and_amount_a_reprint_says_copy_and_no_card_number_leaves(
        till, printer, tmp_path, posapp_home):
    pan = random_pan("4")
    order = sell(till, pan)
    out = tmp_path / "out"
    out.mkdir()
    runs = [till("receipt", str(order), "--format", "pdf", "--out", str(out / "receipt.pdf")),
            till("receipt", str(order), "--format", "text"),
            till("receipt", str(order), "--format", "escpos"),
            till("receipt", str(order), "--format", "escpos", "--out", str(out / "receipt.escpos"))]
    assert [(run.returncode, run.stderr) for run in runs] == [(0, "")] * 4
    assert runs[0].stdout == f"Receipt of order {order} written to {out / 'receipt.pdf'}.\n"
    assert runs[2].stdout == f"Copy of the receipt of order {order} printed on {printer.target}.\n"
    assert runs[3].stdout == f"Copy of the receipt of order {order} written to {out / 'receipt.escpos'}.\n"
    pdf, written = (out / "receipt.pdf").read_bytes(), (out / "receipt.escpos").read_bytes()
    [sent] = printer.wait_for(1)
    # What the printer got is what a file gets; a copy shows when it was printed, to the minute,
    # and the two runs may fall either side of a minute.
    minute = re.compile(rb"\d{4}-\d\d-\d\d \d\d:\d\d")
    assert minute.sub(b"TIME", sent) == minute.sub(b"TIME", written)
    read = {"pdf": pdf_text(pdf), "text": normalized(runs[1].stdout), "escpos": normalized(printed_text(sent))}
    for form, text in read.items():
        assert "CAFÉ ZÜRICH" in text and f"VISA •••• {pan[-4:]}" in text and "10,50 €" in text, form
        assert ("COPY" in text) == (form != "pdf"), form
    assert pdf_pages(pdf) == 1
    everything = "".join(run.stdout + run.stderr for run in runs)
    assert find_leaks([pan], [out, posapp_home / "logs"], everything,
                      blobs={**pdf_blobs(pdf), "printer": sent}) == []
    assert receipts_journalled(till) == [
        (str(order), "ok", {"format": "pdf", "copy": False, "to": str(out / "receipt.pdf")}),
        (str(order), "ok", {"format": "text", "copy": True, "to": "standard output"}),
        (str(order), "ok", {"format": "escpos", "copy": True, "to": printer.target}),
        (str(order), "ok", {"format": "escpos", "copy": True, "to": str(out / "receipt.escpos")})]


def test_copy_asked_for_prints_a_copy_first_time(till):
    order = sell(till, random_pan("4"))
    done = till("receipt", str(order), "--format", "text", "--copy")
    assert done.returncode == 0 and "*** COPY ***" in done.stdout
    assert receipts_journalled(till) == [(str(order), "ok", {"format": "text", "copy": True,
                                                              "to": "standard output"})]


def test_an_existing_file_is_refused_in_one_line_and_left_as_it_was(till, tmp_path):
    order = sell(till, random_pan("4"))
    existing = tmp_path / "receipt.pdf"
    existing.write_text("kept")
    done = till("receipt", str(order), "--format", "pdf", "--out", str(existing))
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == f"posapp: {existing} exists already: posapp never overwrites a file; name a new one\n"
    assert existing.read_text() == "kept"
    assert receipts_journalled(till) == []


@pytest.mark.parametrize(("args", "reason"), [
    (["--format", "pdf"], "a PDF receipt needs --out FILE, a new file to write it to"),
    (["--format", "escpos"], '--format escpos without --out prints on the receipt printer of [receipts] printer, '
                             'which is "system" here'),
])
def test_what_has_nowhere_to_go_is_refused(posapp, args, reason):
    order = sell(posapp, random_pan("4"), amount="3.50")
    done = posapp("receipt", str(order), *args)
    assert done.returncode == 2 and done.stderr.startswith(f"posapp: {reason}"), done.stderr
    assert len(done.stderr.splitlines()) == 1


def test_a_printer_that_does_not_answer_is_exit_3_and_the_next_receipt_is_still_the_original(till, tmp_path):
    order = sell(till, random_pan("4"))
    gone = PrinterListener()
    gone.close()  # its port now refuses connections
    settings = tmp_path / "gone.toml"
    settings.write_text(f'[receipts]\nprinter = "{gone.target}"\n')
    done = till("--config", str(settings), "receipt", str(order), "--format", "escpos")
    assert (done.returncode, done.stdout) == (3, "")
    assert done.stderr.startswith(f"posapp: the receipt printer {gone.target} cannot be used")
    text = till("receipt", str(order), "--format", "text")
    assert text.returncode == 0 and "COPY" not in text.stdout
    assert [(outcome, details["copy"]) for _, outcome, details in receipts_journalled(till)] == [
        ("ok", False), ("failed", False), ("ok", False)]


def test_a_card_number_in_the_operators_name_stops_the_receipt_with_exit_4_and_no_file(till, posapp_home, tmp_path):
    pan = random_pan("4")
    order = sell(till, random_pan("4"))
    with sqlite3.connect(posapp_home / "data" / "orders.db") as db:  # posapp itself refuses such a name
        db.execute("UPDATE posapp_operators SET name = ? WHERE login = 'admin'", (f"Alex {pan}",))
    out = tmp_path / "out"
    out.mkdir()
    done = till("receipt", str(order), "--format", "pdf", "--out", str(out / "receipt.pdf"))
    assert (done.returncode, done.stdout) == (4, "")
    assert done.stderr == (f"posapp: the receipt of order {order} was not written: its operator holds what looks "
                           f"like a card number (remove it from the order or the settings)\n")
    assert list(out.iterdir()) == []
    assert [outcome for _, outcome, _ in receipts_journalled(till)] == ["refused"]
    assert find_leaks([pan], [posapp_home / "logs"], done.stdout + done.stderr) == []


def test_a_card_number_in_an_order_another_program_wrote_is_printed_masked(till, posapp_home):
    sell(till, random_pan("4"))  # makes the schema
    pan = random_pan("4")
    with sqlite3.connect(posapp_home / "data" / "orders.db") as db:
        order = db.execute("INSERT INTO OrderHistory (OrderName, Description, AWS_PA_Token) "
                           "VALUES (?, 'legacy', 'tok')", (f"Invoice {pan}",)).lastrowid
    done = till("receipt", str(order), "--format", "text")
    assert done.returncode == 0, done.stderr
    assert f"Invoice •••• {pan[-4:]}" in done.stdout and "card unknown" in done.stdout
    assert find_leaks([pan], [posapp_home / "logs"], done.stdout + done.stderr) == []
