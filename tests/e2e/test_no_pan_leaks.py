"""Sell with fresh random cards through the posapp command, then look for them everywhere.

Every file under POSAPP_HOME and the temp folder, everything printed, and the log file are
scanned for each card number in any form its digits can take (tests/leakscan.py).
"""

import base64
import random
import sqlite3
from pathlib import Path

import pytest
from cardgen import random_pan
from leakscan import files_under, find_leaks


@pytest.fixture
def tmpdir_env(tmp_path):
    folder = tmp_path / "tmp"
    folder.mkdir()
    return {"TMPDIR": str(folder), "TMP": str(folder), "TEMP": str(folder)}


def test_no_card_number_is_written_anywhere(posapp, posapp_home, tmpdir_env):
    rng = random.SystemRandom()
    secrets_to_find: list[str] = []
    printed: list[str] = []

    def run(*args, stdin=None):
        result = posapp(*args, stdin=stdin, env=tmpdir_env)
        printed.extend([result.stdout, result.stderr])
        return result

    def sell(card_line, name="Sale", expect=0, *extra):
        result = run("order", "new", "--name", name, "--amount", "9.99", "--card-stdin", *extra, stdin=card_line)
        assert result.returncode == expect, result.stderr

    for prefix, length in [("4", 16), ("2221", 16), ("37", 15), ("6011", 16), ("3530", 16), ("6759", 19)]:
        number = random_pan(prefix, length, rng)
        secrets_to_find.append(number)
        sell(number, "typed")
    spaced = random_pan("51", 16, rng)
    sell(" ".join(spaced[i:i + 4] for i in range(0, 16, 4)) + " 12/99", "grouped", 0, "--json")
    dashed = random_pan("4", 16, rng)
    sell("-".join(dashed[i:i + 4] for i in range(0, 16, 4)), "dashed")
    swiped = random_pan("4", 16, rng)
    discretionary = "".join(rng.choice("0123456789") for _ in range(15))
    sell(f"%B{swiped}^DOE/JANE^9912101{discretionary}?;{swiped}=9912101{discretionary}?", "swiped")
    wide = random_pan("4", 16, rng)
    sell("\ufeff" + "\t".join(wide[i:i + 4] for i in range(0, 16, 4)).translate(
        str.maketrans("0123456789", "０１２３４５６７８９")) + " 1299", "full-width")
    named, named_card = random_pan("4", 16, rng), random_pan("4", 16, rng)  # a card in the name: refused
    sell(named_card, f"card {chr(0xa0).join(named[i:i + 4] for i in range(0, 16, 4))}", 2)
    keyed, keyed_card = random_pan("4", 16, rng), random_pan("4", 16, rng)
    sell(keyed_card, "keyed", 2, "--idempotency-key", ".".join(keyed[i:i + 4] for i in range(0, 16, 4)))
    secrets_to_find += [wide, named, named_card, keyed, keyed_card]
    refused = random_pan("4", 16, rng)
    sell(refused, "é" * 200, 2)  # a valid card in a sale refused for its name
    mistyped = random_pan("4", 16, rng)
    mistyped = mistyped[:-1] + str((int(mistyped[-1]) + 1) % 10)
    sell(mistyped, "mistyped", 2)
    secrets_to_find += [spaced, dashed, swiped, discretionary, refused, mistyped]

    for args in (["order", "list"], ["order", "list", "--json"], ["order", "show", "1"], ["vault", "verify", "--all"]):
        assert run(*args).returncode == 0

    written = {path.name for path in files_under(posapp_home)}
    assert {"posapp.log", "vault.db", "orders.db"} <= written  # the scan looks at what was really written
    assert "$9.99" in "".join(printed)
    assert find_leaks(secrets_to_find, [posapp_home, Path(tmpdir_env["TMPDIR"])], "".join(printed)) == []


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16-le", "utf-16-be", "utf-32-le"])
@pytest.mark.parametrize("separator", ["", " ", "-", ".", "\u00a0", "\u200b", "\t", " - "])
@pytest.mark.parametrize("digits", ["0", "\uff10", "\u0660"])  # ASCII, full-width, Arabic-Indic
def test_the_scan_finds_a_planted_card_in_any_form(tmp_path, encoding, separator, digits):
    number = random_pan("4", 16)
    written = separator.join(chr(ord(digits) + int(digit)) for digit in number)
    (tmp_path / "deep" / "er").mkdir(parents=True)
    (tmp_path / "deep" / "er" / "file.bin").write_bytes(b"\x00head\x01" + written.encode(encoding) + b"tail")
    assert find_leaks([number], [tmp_path], "") == [(str(tmp_path / "deep" / "er" / "file.bin"), number[-4:])]
    assert find_leaks([number], [], f"card {written}!") == [("printed", number[-4:])]
    assert find_leaks([number], [tmp_path], f"card •••• {number[-4:]}") == [(str(tmp_path / "deep" / "er" /
                                                                                 "file.bin"), number[-4:])]


@pytest.mark.parametrize("alphabet", ["standard", "urlsafe"])
@pytest.mark.parametrize("alignment", [0, 1, 2])
@pytest.mark.parametrize("form", ["digits", "spaced"])
def test_the_scan_finds_a_card_inside_a_base64_blob_at_any_alignment(tmp_path, alphabet, alignment, form):
    rng = random.Random(f"{alphabet}{alignment}{form}")
    number = random_pan("4", 16)
    text = number if form == "digits" else " ".join(number[i:i + 4] for i in range(0, 16, 4))
    before = bytes(rng.randrange(256) for _ in range(30 + alignment))  # the card sits mid-blob
    after = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 40)))
    encode = base64.b64encode if alphabet == "standard" else base64.urlsafe_b64encode
    encoded = encode(before + f'{{"card": "{text}"}}'.encode() + after).rstrip(b"=")
    wrapped = b"\n".join(encoded[i:i + 76] for i in range(0, len(encoded), 76))  # as MIME wraps it
    (tmp_path / "blob.b64").write_bytes(b"data: " + wrapped + b"\n")
    assert find_leaks([number], [tmp_path]) == [(str(tmp_path / "blob.b64"), number[-4:])]
    assert find_leaks([random_pan("4", 16)], [tmp_path]) == []  # and only that card


@pytest.mark.parametrize("separator", ["", " ", ":", "\\x"])
@pytest.mark.parametrize("case", ["lower", "upper"])
def test_the_scan_finds_the_hex_of_a_card_s_digits(tmp_path, separator, case):
    number = random_pan("4", 16)
    written = separator.join(f"{byte:02x}" for byte in number.encode())
    (tmp_path / "dump.txt").write_text(f"payload={written.upper() if case == 'upper' else written}")
    assert find_leaks([number], [tmp_path]) == [(str(tmp_path / "dump.txt"), number[-4:])]


@pytest.mark.usefixtures("provisioned_posapp")
@pytest.mark.parametrize("vault_delete", ["works", "fails"], ids=["card-removed", "card-left-for-reconcile"])
def test_a_sale_whose_order_write_fails_leaves_no_card_number(posapp, posapp_home, tmpdir_env, vault_delete):
    """The compensation path: the card is in the vault, the order insert fails; the vault
    item is removed, or (its removal failing too) left for reconcile, and logged by token."""
    data = posapp_home / "data"
    with sqlite3.connect(data / "orders.db") as db:
        db.execute("CREATE TRIGGER refuse BEFORE INSERT ON OrderHistory BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    if vault_delete == "fails":
        with sqlite3.connect(data / "vault.db") as db:
            db.execute("CREATE TRIGGER keep BEFORE DELETE ON vault_items BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    number = random_pan("4", 16)
    sold = posapp("order", "new", "--name", "Coffee", "--amount", "3.50", "--card-stdin", stdin=number + " 12/99\n",
                  env=tmpdir_env)
    assert sold.returncode == 3 and "disk full" in sold.stderr
    with sqlite3.connect(data / "vault.db") as db:
        left = db.execute("SELECT COUNT(*) FROM vault_items").fetchone()[0]
    log = (posapp_home / "logs" / "posapp.log").read_text(encoding="utf-8")
    if vault_delete == "works":
        assert left == 0
    else:
        assert left == 1 and "could not be removed; vault reconciliation will remove it" in log
    assert find_leaks([number], [posapp_home, Path(tmpdir_env["TMPDIR"])], sold.stdout + sold.stderr) == []
