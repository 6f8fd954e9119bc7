"""Looking for card numbers in what posapp wrote: files, and what it printed.

A number is found in any form its digits can take: any separators or none between them
(spaces, dots, NBSP, zero-width spaces, letters even), any Unicode digits, anything NFKC
makes digits of, in UTF-8, UTF-16 and UTF-32 at any alignment. Each blob is reduced to its
digits alone and searched for the number's first 12 digits: more than a mask ever shows.
Independent of posapp's own detector on purpose: a scan that shared its bugs would miss.

Encoded forms are looked for too: the hex of the number's ASCII digits (any case and any
separators: it is made of digits alone, so the digit streams hold it), and base64, standard
and urlsafe, padded or not, alone or inside a larger base64 blob at any of the three byte
alignments (see ``base64_cores``), also when the blob is wrapped over lines.

Secrets (PINs, passwords) are looked for too, given as ``secrets``: as typed, in either case, in
UTF-8, UTF-16 and UTF-32, URL- and JSON-escaped, as hex in any case and in base64 as above; a
secret of 10 or more digits also as a number is, with anything between its digits. (A shorter
run of digits turns up by chance in the digits of a large blob: tests give longer PINs.)
"""

import base64
import functools
import json
import re
import sqlite3
import unicodedata
import urllib.parse
from pathlib import Path

_ENCODINGS = ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
_DIGIT = re.compile(r"\d")


def digits_of(text: str) -> str:
    """Every digit of ``text`` after NFKC, as ASCII, in order, with everything else dropped."""
    return "".join(str(unicodedata.decimal(char)) for char in _DIGIT.findall(unicodedata.normalize("NFKC", text)))


def digit_streams(blob: bytes) -> list[str]:
    """The digits of ``blob`` read in every encoding and alignment that could hold text."""
    streams = []
    for encoding in _ENCODINGS:
        width = 4 if "32" in encoding else 2 if "16" in encoding else 1
        for offset in range(width):
            streams.append(digits_of(blob[offset:].decode(encoding, errors="ignore")))
    return streams


def hex_digits(number: str) -> str:
    """The hex of ``number``'s ASCII digits ("42" -> "3432"): itself digits only, whatever the case."""
    return number.encode("ascii").hex()


def base64_cores(text: str) -> set[bytes]:
    """What base64 of ``text`` looks like wherever it sits inside a larger encoded blob.

    Base64 turns each 3 bytes into 4 characters, so the characters depend on where ``text``
    starts within a group of 3: encode it after 0, 1 and 2 filler bytes and keep only the
    characters that its own bytes decide alone (neither the filler before nor whatever
    follows the last whole group), in the standard and the urlsafe alphabet.
    """
    data = text.encode("utf-8")
    cores = set()
    for filler in range(3):
        encoded = base64.b64encode(b"\0" * filler + data)
        skip = -(-filler * 8 // 6)  # characters that hold filler bits
        core = encoded[skip:4 * ((filler + len(data)) // 3)]
        cores |= {core, core.translate(bytes.maketrans(b"+/", b"-_"))}
    return cores


@functools.cache
def base64_forms(number: str) -> frozenset[bytes]:
    """Base64 cores of the number as digits, grouped by 4 with spaces and with dashes."""
    grouped = [number[i:i + 4] for i in range(0, len(number), 4)]
    return frozenset().union(*(base64_cores(text) for text in (number, " ".join(grouped), "-".join(grouped))))


_WRAPPING = re.compile(rb"[\s]|\\[nr]")  # line breaks, also as JSON or repr writes them


def _found(number: str, streams: list[str], blob: bytes, unwrapped: bytes) -> bool:
    if any(number[:12] in stream or hex_digits(number[:12]) in stream for stream in streams):
        return True
    return any(core in blob or core in unwrapped for core in base64_forms(number))


SECRET_DIGITS_MIN = 10  # digits: a secret this long is also looked for with separators between its digits


@functools.cache
def secret_forms(secret: str) -> tuple[frozenset[bytes], frozenset[bytes]]:
    """(forms compared in lower case, base64 cores compared as they are) of ``secret``."""
    texts = {secret, secret.casefold(), secret.upper(), urllib.parse.quote(secret), urllib.parse.quote_plus(secret),
             json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]}
    forms = {text.encode(encoding).lower() for text in texts for encoding in _ENCODINGS}
    forms |= {text.encode("utf-8").hex().encode() for text in texts}
    return frozenset(forms), frozenset(base64_cores(secret))


def _secret_found(secret: str, streams: list[str], lowered: bytes, blob: bytes, unwrapped: bytes) -> bool:
    if secret.isdigit() and len(secret) >= SECRET_DIGITS_MIN and any(secret in stream for stream in streams):
        return True
    plain, cores = secret_forms(secret)
    return any(form in lowered for form in plain) or any(core in blob or core in unwrapped for core in cores)


def files_under(*folders: Path) -> list[Path]:
    return [path for folder in folders if folder.exists() for path in folder.rglob("*") if path.is_file()]


def find_leaks(numbers: list[str], folders: list[Path], printed: str = "",
               blobs: dict[str, bytes] | None = None, *, secrets: list[str] = ()) -> list[tuple[str, str]]:
    """(where, last 4) for every number found, in any form, in the files under ``folders``, in
    what was ``printed`` and in the named ``blobs`` (database rows, raw items...); (where,
    "secret N") for each of ``secrets`` found (N counts from 1: a report never shows a secret)."""
    everything = {str(path): path.read_bytes() for path in files_under(*folders)}
    everything["printed"] = printed.encode("utf-8")
    everything.update(blobs or {})
    found = set()
    for where, blob in everything.items():
        streams, unwrapped = digit_streams(blob), _WRAPPING.sub(b"", blob)
        found |= {(where, number[-4:]) for number in numbers if _found(number, streams, blob, unwrapped)}
        lowered = blob.lower()
        found |= {(where, f"secret {n}") for n, secret in enumerate(secrets, 1)
                  if _secret_found(secret, streams, lowered, blob, unwrapped)}
    return sorted(found)


def sqlite_rows(path: Path) -> dict[str, bytes]:
    """Every row of every table of the SQLite database at ``path``, one blob a table (read, not changed)."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {f"{path.name}.{table}": repr(db.execute(f'SELECT * FROM "{table}"').fetchall()).encode()
                for table in tables}
    finally:
        db.close()


def database_rows(mariadb, database: str) -> dict[str, bytes]:
    """Every row of every table of ``database`` on the tests' MariaDB (a dump), one blob a table."""
    tables = [name for (name,) in mariadb.execute(
        "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s", database)]
    return {f"{database}.{table}": repr(mariadb.execute(f"SELECT * FROM `{table}`", database=database)).encode()
            for table in tables}


def mariadb_files(mariadb, database: str) -> list[Path]:
    """The server's files that hold ``database``'s rows: its folder and the redo log written at each commit."""
    [(datadir,)] = mariadb.execute("SELECT @@datadir")
    return [Path(datadir) / database, *Path(datadir).glob("ib_logfile*")]


def dynamodb_items(client, table: str) -> dict[str, bytes]:
    """Every item of a DynamoDB table, as the service holds it (all pages of a scan)."""
    items, start = [], {}
    while True:
        page = client.scan(TableName=table, **start)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return {f"dynamodb:{table}": repr(items).encode()}
        start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}
