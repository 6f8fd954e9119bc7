"""Looking for card numbers in what posapp wrote: files, and what it printed.

A number is found in any form its digits can take: any separators or none between them
(spaces, dots, NBSP, zero-width spaces, letters even), any Unicode digits, anything NFKC
makes digits of, in UTF-8, UTF-16 and UTF-32 at any alignment. Each blob is reduced to its
digits alone and searched for the number's first 12 digits: more than a mask ever shows.
Independent of posapp's own detector on purpose: a scan that shared its bugs would miss.
"""

import re
import unicodedata
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


def files_under(*folders: Path) -> list[Path]:
    return [path for folder in folders if folder.exists() for path in folder.rglob("*") if path.is_file()]


def find_leaks(numbers: list[str], folders: list[Path], printed: str) -> list[tuple[str, str]]:
    """(where, last 4) for every number found, in any form, in the files or the output."""
    blobs = {str(path): path.read_bytes() for path in files_under(*folders)}
    blobs["printed"] = printed.encode("utf-8")
    streams = {where: digit_streams(blob) for where, blob in blobs.items()}
    return sorted({(where, number[-4:]) for number in numbers for where, found in streams.items()
                   if any(number[:12] in stream for stream in found)})
