"""A private, throw-away MariaDB for benchmarks: its own data folder, socket and port.

It ignores the machine's my.cnf (--no-defaults) so that the system server is never touched.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pymysql

INSTALL_DB = "/usr/bin/mariadb-install-db"
MARIADBD = "/usr/sbin/mariadbd"


@contextlib.contextmanager
def private_mariadb(buffer_pool: str = "512M") -> Iterator[str]:
    """Start a server; yield its unix socket path; stop it and remove its files."""
    folder = Path(tempfile.mkdtemp(prefix="posapp-bench-mariadb-"))
    data, sock = folder / "data", folder / "mysql.sock"
    user = ["--user=root"] if os.geteuid() == 0 else []
    subprocess.run([INSTALL_DB, "--no-defaults", *user, f"--datadir={data}", f"--tmpdir={folder}"],
                   check=True, capture_output=True)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [MARIADBD, "--no-defaults", *user, f"--datadir={data}", f"--socket={sock}", f"--port={port}",
         "--bind-address=127.0.0.1", f"--tmpdir={folder}", f"--pid-file={folder / 'mysqld.pid'}",
         f"--innodb-buffer-pool-size={buffer_pool}", "--innodb-log-file-size=256M", "--skip-name-resolve",
         "--innodb-flush-log-at-trx-commit=2"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                pymysql.connect(unix_socket=str(sock), user="root").close()
                break
            except pymysql.err.OperationalError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the benchmark MariaDB did not start") from None
                time.sleep(0.2)
        yield str(sock)
    finally:
        server.terminate()
        server.wait(timeout=60)
        shutil.rmtree(folder, ignore_errors=True)
