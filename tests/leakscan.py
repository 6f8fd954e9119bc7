"""Looking for card numbers in what posapp wrote: files, and what it printed."""

from pathlib import Path


def forms(number: str) -> list[bytes]:
    groups4 = [number[i:i + 4] for i in range(0, len(number), 4)]
    texts = {number, number[:12], " ".join(groups4), "-".join(groups4),
             f"{number[:4]} {number[4:10]} {number[10:]}"}
    encoded = [text.encode("ascii") for text in texts]
    encoded += [number.encode(encoding) for encoding in ("utf-16-le", "utf-16-be", "utf-32-le")]
    return encoded


def files_under(*folders: Path) -> list[Path]:
    return [path for folder in folders if folder.exists() for path in folder.rglob("*") if path.is_file()]


def find_leaks(numbers: list[str], folders: list[Path], printed: str) -> list[tuple[str, str]]:
    """(where, last 4) for every form of every number found in the files or the output."""
    blobs = {str(path): path.read_bytes() for path in files_under(*folders)}
    blobs["printed"] = printed.encode("utf-8")
    return sorted({(where, number[-4:]) for number in numbers for form in forms(number)
                   for where, blob in blobs.items() if form in blob})
