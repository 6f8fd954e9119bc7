"""Engines for the order database: bounded waits, a password read only when connecting."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
import pymysql
from sqlalchemy import event


@dataclass(frozen=True)
class Tls:
    """TLS to MySQL: with a CA bundle the server's certificate and host name are checked.

    ``ca``, ``cert``, ``key``: paths of PEM files, read by PyMySQL when it connects."""

    ca: str | None = None
    cert: str | None = None
    key: str | None = None

    def connect_args(self) -> dict[str, object]:
        """PyMySQL's ``ssl_*`` connect arguments; empty (no TLS) without a CA or a client certificate."""
        if not (self.ca or self.cert):
            return {}
        args: dict[str, object] = {"ssl_ca": self.ca, "ssl_cert": self.cert, "ssl_key": self.key}
        if self.ca:
            args.update(ssl_verify_cert=True, ssl_verify_identity=True)
        return {key: value for key, value in args.items() if value is not None}


# Bounded waits, in seconds: a dead server must fail a sale in seconds, not hang a till.
CONNECT_TIMEOUT = 5
READ_TIMEOUT = 15
# A pooled MySQL connection used this recently (seconds) is trusted without a ping. SQLAlchemy's
# pool_pre_ping is a round trip at every checkout, a twentieth of a sale (bench/sales.py). A
# server restarted within this window fails one statement instead: no COMMIT was sent, so a
# write is known not to be recorded, and SQLAlchemy then replaces every pooled connection.
TRUSTED_FOR = 1.0


def make_engine(url: sa.URL, *, tls: Tls, password: Callable[[], str | None]) -> sa.Engine:
    """An engine for ``url`` that connects lazily: SQLite in WAL mode, or MySQL with utf8mb4, the
    timeouts above and ``tls``. ``password()`` is called at each new MySQL connection (None: the URL's)."""
    if url.get_backend_name() == "sqlite":
        engine = sa.create_engine(url)  # in this process: nothing to ping
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    engine = sa.create_engine(
        url, pool_recycle=3600,
        connect_args={"charset": "utf8mb4", "connect_timeout": CONNECT_TIMEOUT, "read_timeout": READ_TIMEOUT,
                      "write_timeout": READ_TIMEOUT, **tls.connect_args()})

    @event.listens_for(engine, "do_connect")
    def add_password(dialect, connection_record, cargs, cparams) -> None:
        # Read when a connection is made, never stored in the URL, the engine or a log.
        secret = password()
        if secret is not None:
            cparams["password"] = secret

    for made_or_returned in ("connect", "checkin"):
        event.listen(engine, made_or_returned, _note_last_use)
    event.listen(engine, "checkout", _ping_if_idle)
    return engine


def _note_last_use(_dbapi_connection, record) -> None:
    record.info["last_used"] = time.monotonic()


def _ping_if_idle(dbapi_connection, record, _proxy) -> None:
    if time.monotonic() - record.info.get("last_used", float("-inf")) <= TRUSTED_FOR:
        return
    try:
        dbapi_connection.ping(reconnect=False)
    except (pymysql.err.Error, OSError):  # the pool discards this connection and makes another
        raise sa.exc.DisconnectionError() from None


def _sqlite_pragmas(connection, _record) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # the GUI and the CLI may use one file at once
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def create_private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 (its folders 0700) unless it exists; OSError if refused."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
