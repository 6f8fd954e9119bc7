"""posapp vault import: a legacy card file becomes tokens, in order, and leaves no card behind."""

import csv
import hashlib
import os
from pathlib import Path

import pytest
from cardgen import random_pan
from leakscan import find_leaks


def write_cards(path, lines):
    path.write_text("\n".join(lines) + "\n")
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_good_bad_and_mixed_lines(posapp, posapp_home, tmp_path):
    good = [random_pan("4", 16), random_pan("51", 16), random_pan("37", 15), random_pan("6011", 16)]
    mistyped = good[0][:-1] + str((int(good[0][-1]) + 1) % 10)
    expired = random_pan("4", 16)
    cards = tmp_path / "legacy-cards.csv"
    digest = write_cards(cards, [f"{good[0]},12/30", good[1], mistyped, "", f"{expired},01/20", "not a card",
                                 f"{good[2][:4]} {good[2][4:10]} {good[2][10:]}", f"{good[3]},12/30,extra", good[3]])
    tokens_file = tmp_path / "out" / "tokens.csv"
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    tokens_file.parent.mkdir()
    result = posapp("vault", "import", str(cards), "--out", str(tokens_file), env={"TMPDIR": str(scratch)})
    assert result.returncode == 2
    assert result.stdout == f"Imported 4 cards into the vault; 4 lines refused. Tokens in {tokens_file}.\n"
    assert [line for line in result.stderr.splitlines() if line.startswith("posapp: line ")] == [
        "posapp: line 3: The card number has a typo",
        "posapp: line 5: This card expired in 01/20",
        "posapp: line 6: This is not a card number",
        "posapp: line 8: expected one card per line: NUMBER or NUMBER,MM/YY"]
    with tokens_file.open() as written:
        rows = list(csv.DictReader(written))
    assert [(row["line"], row["brand"], row["last4"]) for row in rows] == [
        ("1", "VISA", good[0][-4:]), ("2", "MASTERCARD", good[1][-4:]), ("7", "AMEX", good[2][-4:]),
        ("9", "DISCOVER", good[3][-4:])]
    assert hashlib.sha256(cards.read_bytes()).hexdigest() == digest  # the input is untouched
    verified = posapp("vault", "verify", *[row["token"] for row in rows])
    assert verified.stdout.splitlines()[0] == "Checked 4 vault items: all intact."
    reconciled = posapp("vault", "reconcile", "--grace", "10")
    assert "4 imported (kept)" in reconciled.stdout and "removed 0" in reconciled.stdout
    everything = [*good, mistyped, expired]
    assert find_leaks(everything, [posapp_home, scratch, tokens_file.parent], result.stdout + result.stderr) == []


def test_an_existing_output_file_is_never_overwritten(posapp, tmp_path):
    cards, tokens_file = tmp_path / "cards.csv", tmp_path / "tokens.csv"
    write_cards(cards, [random_pan("4", 16)])
    tokens_file.write_text("keep me\n")
    result = posapp("vault", "import", str(cards), "--out", str(tokens_file))
    assert result.returncode == 2 and "exists already" in result.stderr
    assert tokens_file.read_text() == "keep me\n"


def test_card_files_that_are_not_regular_files_are_refused_at_once(posapp, tmp_path):
    fifo = tmp_path / "cards.fifo"
    os.mkfifo(fifo)  # it hung: the file was read twice, and a FIFO with no writer blocks
    for cards, kind in ((fifo, "a pipe"), (Path("/dev/zero"), "a device"), (tmp_path, "a folder")):
        result = posapp("vault", "import", str(cards), "--out", str(tmp_path / "tokens.csv"), timeout=30)
        assert (result.returncode, result.stdout) == (2, "")
        assert result.stderr == f"posapp: {cards} is {kind}: give a card file (a regular file)\n"
        assert not (tmp_path / "tokens.csv").exists()


def test_overlong_lines_are_refused_by_number_and_the_rest_imported(posapp, tmp_path):
    good = [random_pan("4", 16), random_pan("51", 16)]
    cards = tmp_path / "cards.csv"
    # A 3 MB line without its end, then lines that do end: each refused alone, none held whole.
    cards.write_text(f"{good[0]}\n{'4242 ' * 600_000}\n{'1' * 1001}\r\n{'2' * 1000}\n{good[1]},12/30\n"
                     + "x" * 5_000)
    tokens_file = tmp_path / "tokens.csv"
    result = posapp("vault", "import", str(cards), "--out", str(tokens_file))
    assert result.returncode == 2
    assert [line for line in result.stderr.splitlines() if line.startswith("posapp: line ")] == [
        "posapp: line 2: the line is longer than 1000 characters",
        "posapp: line 3: the line is longer than 1000 characters",
        "posapp: line 4: The card number is too long: cards have at most 19 digits",
        "posapp: line 6: the line is longer than 1000 characters"]
    with tokens_file.open() as written:
        assert [(row["line"], row["last4"]) for row in csv.DictReader(written)] == [
            ("1", good[0][-4:]), ("5", good[1][-4:])]


def test_lines_that_are_not_utf8_are_refused_alone(posapp, tmp_path):
    number = random_pan("4", 16)
    cards = tmp_path / "cards.csv"
    cards.write_bytes(b"caf\xe9 \xff\xfe\n" + number.encode() + b"\n")
    result = posapp("vault", "import", str(cards), "--out", str(tmp_path / "tokens.csv"))
    assert result.returncode == 2 and "Imported 1 card into the vault; 1 line refused." in result.stdout
    assert "posapp: line 1: This is not a card number" in result.stderr


@pytest.mark.parametrize(("out", "reason"), [
    ("missing/tokens.csv", "no folder {tmp}/missing"),
    ("cards.csv/tokens.csv", "Not a directory"),
    ("/sys/tokens.csv", "Permission denied"),  # a folder not even root may write
])
def test_tokens_file_that_cannot_be_created_is_one_line_exit_2(posapp, tmp_path, out, reason):
    cards = tmp_path / "cards.csv"
    write_cards(cards, [random_pan("4", 16)])
    target = out if out.startswith("/") else str(tmp_path / out)
    result = posapp("vault", "import", str(cards), "--out", target)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"posapp: {target} cannot be created: {reason.format(tmp=tmp_path)}\n"


def test_a_file_saved_by_a_spreadsheet_imports_every_card(posapp, posapp_home, tmp_path):
    # Excel in a German locale, "CSV UTF-8": a byte-order mark, ';', CRLF, quoted cells, a
    # header, empty trailing cells and an empty row. Line 1 was refused for the mark.
    good = [random_pan("4", 16), random_pan("51", 16), random_pan("37", 15)]
    grouped = f"{good[1][:4]} {good[1][4:8]} {good[1][8:12]} {good[1][12:]}"
    cards = tmp_path / "Kartendaten.csv"
    cards.write_bytes(b"\xef\xbb\xbf" + "\r\n".join([
        "Kartennummer;Gültig bis;", f"{good[0]};12/30;", f'"{grouped}";"01/31";', ";;",
        f"{good[2]};;"]).encode() + b"\r\n")
    tokens_file = tmp_path / "tokens.csv"
    result = posapp("vault", "import", str(cards), "--out", str(tokens_file))
    assert result.returncode == 0
    assert result.stdout == f"Imported 3 cards into the vault; 0 lines refused. Tokens in {tokens_file}.\n"
    with tokens_file.open() as written:
        assert [(row["line"], row["last4"]) for row in csv.DictReader(written)] == [
            ("2", good[0][-4:]), ("3", good[1][-4:]), ("5", good[2][-4:])]


def test_a_file_mixing_separators_is_refused_by_line_and_never_echoed(posapp, posapp_home, tmp_path):
    good = [random_pan("4", 16) for _ in range(4)]
    cards = tmp_path / "cards.csv"
    write_cards(cards, [f"{good[0]};12/30", f"{good[1]},12/30", f"{good[2]};12/30,", good[3]])
    tokens_file = tmp_path / "tokens.csv"
    result = posapp("vault", "import", str(cards), "--out", str(tokens_file))
    assert result.returncode == 2
    assert [line for line in result.stderr.splitlines() if line.startswith("posapp: line ")] == [
        "posapp: line 2: the line separates fields with a comma, the lines before it with a semicolon: use one "
        "separator in the whole file",
        "posapp: line 3: the line separates fields with both a comma and a semicolon: use one of them"]
    with tokens_file.open() as written:
        assert [row["line"] for row in csv.DictReader(written)] == ["1", "4"]
    assert find_leaks(good[1:3], [posapp_home, tmp_path / "tokens.csv"], result.stdout + result.stderr) == []
