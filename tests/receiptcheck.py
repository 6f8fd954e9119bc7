"""Reading receipts back as a customer would: a receipt printer on the network (a TCP listener on
127.0.0.1 and a free port that records every connection's bytes), the text ESC/POS bytes print,
the text of a PDF (``pdftotext``), and every blob a card number could hide in.

The text is read back independently of posapp's renderers: ESC/POS commands are skipped by
their length, and each run of text is decoded in the code page the last ``ESC t n`` chose
(python-escpos's printer database names the code page of each n); PDFs are read by poppler.
"""

import contextlib
import re
import socket
import subprocess
import threading
import zlib

from escpos.capabilities import get_profile
from escpos.codepages import CodePages

ESC, GS = 0x1B, 0x1D


class PrinterListener:
    """A stand-in for a network receipt printer (raw TCP, as port 9100 is): ``target`` names it as
    ``[receipts] printer`` does; ``received`` holds the bytes of each connection once it closed."""

    def __init__(self):
        self._socket = socket.create_server(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        self.target = f"escpos-network:127.0.0.1:{self.port}"
        self.received: list[bytes] = []
        self._done = threading.Condition()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while True:
            try:
                connection, _ = self._socket.accept()
            except OSError:
                return  # closed
            with connection:
                chunks = []
                while chunk := connection.recv(65536):
                    chunks.append(chunk)
            with self._done:
                self.received.append(b"".join(chunks))
                self._done.notify_all()

    def wait_for(self, count, timeout=10.0):
        """The first ``count`` documents received; AssertionError if they do not come within ``timeout`` s."""
        with self._done:
            assert self._done.wait_for(lambda: len(self.received) >= count, timeout), \
                f"the printer received {len(self.received)} documents, not {count}"
            return self.received[:count]

    def close(self):
        # Closing alone does not stop a listener whose accept() another thread is blocked in (Linux): the
        # port would go on taking connections. shutdown() wakes that accept() first.
        with contextlib.suppress(OSError):
            self._socket.shutdown(socket.SHUT_RDWR)
        self._socket.close()
        self._thread.join(5)


def _encodings():
    pages = get_profile().profile_data["codePages"]
    found = {}
    for number, name in pages.items():
        try:
            found[int(number)] = CodePages.get_encoding(name)["python_encode"]
        except KeyError:
            continue
    return found


_PAGES = _encodings()
# ESC/GS commands python-escpos sends, with the bytes of parameters after the command byte.
_ESC_ARGS = {ord("!"): 1, ord("E"): 1, ord("t"): 1, ord("d"): 1, ord("a"): 1, ord("-"): 1, ord("M"): 1,
             ord("G"): 1, ord("@"): 0, ord("p"): 3}
_GS_ARGS = {ord("!"): 1, ord("B"): 1, ord("b"): 1}


def printed_text(data: bytes) -> str:
    """The text ``data`` prints, commands left out, line feeds kept; AssertionError for a command or
    code page this reader does not know (a test must not pass by skipping what it cannot read)."""
    text, run, page, index = [], bytearray(), 0, 0

    def flush():
        text.append(bytes(run).decode(_PAGES[page]))
        run.clear()

    while index < len(data):
        byte = data[index]
        if byte in (ESC, GS):
            flush()
            command = data[index + 1]
            if byte == GS and command == ord("V"):  # cut: GS V m, or GS V m n for m 65/66
                index += 4 if data[index + 2] in (65, 66) else 3
                continue
            table = _ESC_ARGS if byte == ESC else _GS_ARGS
            assert command in table, f"unknown ESC/POS command {bytes([byte, command])!r}"
            if byte == ESC and command == ord("t"):
                page = data[index + 2]
                assert page in _PAGES, f"code page {page} unknown"
            index += 2 + table[command]
            continue
        run.append(byte)
        index += 1
    flush()
    return "".join(text)


def pdf_text(data: bytes) -> str:
    """The text of a PDF as ``pdftotext -layout`` reads it, no-break spaces as spaces."""
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True, timeout=60)
    return done.stdout.decode("utf-8").replace("\u00a0", " ")


def pdf_pages(data: bytes) -> int:
    """How many pages the PDF has (``pdfinfo``)."""
    info = subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, check=True, timeout=60).stdout.decode()
    return int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))


def pdf_blobs(data: bytes) -> dict[str, bytes]:
    """Where a PDF could hold a card number: its bytes, each of its streams inflated, and its text."""
    blobs = {"pdf": data, "pdf text": pdf_text(data).encode("utf-8")}
    for number, stream in enumerate(re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.DOTALL)):
        try:
            blobs[f"pdf stream {number}"] = zlib.decompress(stream)
        except zlib.error:
            blobs[f"pdf stream {number}"] = stream
    return blobs
