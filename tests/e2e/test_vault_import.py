"""posapp vault import: a legacy card file becomes tokens, in order, and leaves no card behind."""

import csv
import hashlib

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
        "posapp: line 3: card refused: the card number is mistyped (checksum failed)",
        "posapp: line 5: card refused: the card has expired (01/20)",
        "posapp: line 6: card refused: this is not a card number",
        "posapp: line 8: expected one card per line: NUMBER or NUMBER,MM/YY"]
    with tokens_file.open() as written:
        rows = list(csv.DictReader(written))
    assert [(row["line"], row["brand"], row["last4"]) for row in rows] == [
        ("1", "VISA", good[0][-4:]), ("2", "MASTERCARD", good[1][-4:]), ("7", "AMEX", good[2][-4:]),
        ("9", "DISCOVER", good[3][-4:])]
    assert hashlib.sha256(cards.read_bytes()).hexdigest() == digest  # the input is untouched
    verified = posapp("vault", "verify", *[row["token"] for row in rows])
    assert verified.stdout == "Checked 4 vault items: all intact.\n"
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
