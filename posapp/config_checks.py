"""The checks of single settings values: each returns the value or raises ValueError saying why.

The loader (``posapp.config``) puts the file and the key in front of the reason.
"""

from __future__ import annotations

import base64

import re
import urllib.parse
from pathlib import Path

from posapp import money, retention


def _matching(pattern: str, value: str, reason: str) -> str:
    """``value`` if the whole of it matches ``pattern``; ValueError(``reason``) otherwise."""
    if not re.fullmatch(pattern, value):
        raise ValueError(reason)
    return value


def _split_url(value: str) -> urllib.parse.SplitResult:
    """The URL's parts; ValueError if its port is not a number from 0 to 65535."""
    parts = urllib.parse.urlsplit(value)
    try:
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise ValueError("the port must be a number from 0 to 65535") from None
    return parts


def workstation_id(value: str) -> str:
    """A till's id: 1-64 ASCII letters, digits, ``.``, ``_``, ``-``, starting with a letter or digit."""
    return _matching(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", value,
                     "use 1 to 64 letters, digits, dots, dashes or underscores")


def kms_key_arn(value: str) -> str:
    """A KMS key's full ARN (``arn:aws…:kms:REGION:ACCOUNT:key/ID``); an alias or bare id is refused."""
    return _matching(r"arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[A-Za-z0-9-]+", value,
                     "use the full key ARN, like arn:aws:kms:us-east-1:123456789012:key/…")


def back_office_key(value: str) -> str:
    """An RSA public key of at least 3072 bits, as base64 DER SubjectPublicKeyInfo (what KMS
    GetPublicKey answers, base64-encoded)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    try:
        key = serialization.load_der_public_key(base64.b64decode(value, validate=True))
    except ValueError:
        key = None
    if not isinstance(key, rsa.RSAPublicKey) or key.key_size < 3072:
        raise ValueError("use the base64 public key of an RSA_3072 KMS key, as posapp setup writes it")
    return value


def aws_region(value: str) -> str:
    """An AWS region name such as ``eu-west-1`` (its form only: no list of regions is consulted)."""
    return _matching(r"[a-z]{2}(-[a-z]+)+-\d{1,2}", value, "use an AWS region name, like eu-west-1")


def endpoint_url(value: str) -> str:
    """An http(s) URL with a host and, if any, a port 0-65535 (a DynamoDB Local or moto endpoint)."""
    parts = _split_url(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("use an http:// or https:// URL with a host, like http://127.0.0.1:5000")
    return value


def table_name(value: str) -> str:
    """A DynamoDB table name that still fits once ``-meta`` is appended."""
    # DynamoDB's rule, less 5 characters for the "-meta" table of cached materials.
    return _matching(r"[A-Za-z0-9_.-]{3,250}", value, "use 3 to 250 letters, digits, dots, dashes or underscores")


def positive(value: int) -> int:
    """An integer of at least 1."""
    if value < 1:
        raise ValueError("must be at least 1")
    return value


def orders_url(value: str) -> str:
    """``sqlite:///`` + an absolute file path, or ``mysql+pymysql://USER@HOST[:PORT]/DATABASE``
    without a password (that comes from the keyring or POSAPP_ORDERS_PASSWORD)."""
    if value != value.strip():
        raise ValueError("remove the spaces around the URL")
    if value.startswith("sqlite:///"):
        path = value[len("sqlite:///"):]
        # An order history in memory, or wherever the current folder happens to be, is lost
        # when posapp ends: its cards would then look like orphans to reconciliation.
        if not path or ":memory:" in path or "?" in path or path.startswith("file:") or not Path(path).is_absolute():
            raise ValueError('use a file with its absolute path, like "sqlite:////var/lib/posapp/orders.db"')
        return value
    parts = _split_url(value)
    if parts.scheme != "mysql+pymysql":
        raise ValueError('use "mysql+pymysql://USER@HOST:PORT/DATABASE" or "sqlite:///PATH"')
    if parts.password is not None:
        raise ValueError("no password in the file: posapp reads it from the system keyring "
                         "or POSAPP_ORDERS_PASSWORD")
    if not parts.username or not parts.hostname or not parts.path.strip("/"):
        raise ValueError("name the user, the host and the database: mysql+pymysql://USER@HOST:PORT/DATABASE")
    return value


def is_mysql(orders_url: str | None) -> bool:
    """Whether an ``[orders] url`` (checked by :func:`orders_url`) names a MySQL server; else SQLite."""
    return (orders_url or "").startswith("mysql")


def existing_file(value: str) -> str:
    """The path of an existing regular file, ``~`` expanded; read from disk when called."""
    if not Path(value).expanduser().is_file():
        raise ValueError(f"no such file: {value}")
    return str(Path(value).expanduser())


def currency(value: str) -> str:
    """An ISO 4217 code posapp knows the exponent of (``posapp.money``); InvalidAmount otherwise."""
    money.exponent(value)  # raises InvalidAmount (a ValueError) naming the accepted codes
    return value


IDLE_LOCK_MAX_MINUTES = 15  # PCI DSS v4.0 8.2.8: an idle session locks after at most 15 minutes


def idle_lock_minutes(value: int) -> int:
    """Minutes without input before the window locks: 1 to 15."""
    if not 1 <= value <= IDLE_LOCK_MAX_MINUTES:
        raise ValueError(f"must be 1 to {IDLE_LOCK_MAX_MINUTES} minutes (PCI DSS 8.2.8 allows an idle session "
                         f"at most {IDLE_LOCK_MAX_MINUTES} minutes), not {value}")
    return value


def retention_days(value: int) -> int:
    """Days a stored card is kept: 0 (kept) to ``retention.MAX_DAYS``."""
    if not 0 <= value <= retention.MAX_DAYS:
        raise ValueError(f"must be 0 (keep cards) to {retention.MAX_DAYS} days (PCI DSS 3.2.1: keep a card "
                         f"no longer than needed), not {value}")
    return value


RECEIPT_LINE_MAX = 64  # characters: wider than any receipt printer's line, so a line is never cut silently
RECEIPT_LINES_MAX = 4


def receipt_line(value: str) -> str:
    """One line of a receipt's header or footer: 1 to 64 printable characters."""
    value = value.strip()
    if not value or len(value) > RECEIPT_LINE_MAX or not value.isprintable():
        raise ValueError(f"use 1 to {RECEIPT_LINE_MAX} printable characters on one line")
    return value


def receipt_lines(value: tuple[str, ...]) -> tuple[str, ...]:
    """Up to 4 receipt lines (an address), each as :func:`receipt_line` allows."""
    if len(value) > RECEIPT_LINES_MAX:
        raise ValueError(f"at most {RECEIPT_LINES_MAX} lines")
    return tuple(receipt_line(line) for line in value)


def locale_name(value: str) -> str:
    """A locale Babel knows, like ``de_DE`` (``de-DE`` is taken too)."""
    from posapp.localization import locale_named  # Babel's data loads only where a locale is set

    try:
        return str(locale_named(value))
    except Exception as error:  # ConfigError: the loader adds the file and key
        raise ValueError(str(error)) from None


def time_zone(value: str) -> str:
    """An IANA time zone name, like ``Europe/Berlin``."""
    from posapp.localization import zone_named

    try:
        return zone_named(value).key
    except Exception as error:
        raise ValueError(str(error)) from None


_PRINTERS = (r"system", r"escpos-network:[A-Za-z0-9.-]+:\d{1,5}", r"escpos-usb:[0-9A-Fa-f]{4}:[0-9A-Fa-f]{4}",
             r"escpos-file:/.+")


def printer(value: str) -> str:
    """Where receipts print: "system", "escpos-network:HOST:PORT", "escpos-usb:VVVV:PPPP" or
    "escpos-file:/ABSOLUTE/PATH"."""
    if not any(re.fullmatch(pattern, value) for pattern in _PRINTERS):
        raise ValueError('use "system", "escpos-network:HOST:PORT", "escpos-usb:VENDOR:PRODUCT" (4 hex digits '
                         'each) or "escpos-file:/absolute/path"')
    if value.startswith("escpos-network:") and not 0 < int(value.rsplit(":", 1)[1]) <= 65535:
        raise ValueError("the port must be a number from 1 to 65535")
    return value


QUICK_KEYS_MAX = 12  # two rows of buttons on a 1024x768 checkout; F5 to F12 take the first 8
ORDER_NAME_MAX_BYTES = 255  # an order name's limit (posapp.orders.base, above this layer, checks it again)


def quick_key_name(value: str) -> str:
    """A quick key's order name: 1 to 255 bytes of UTF-8, printable, without spaces around it."""
    value = value.strip()
    if not value or len(value.encode("utf-8")) > ORDER_NAME_MAX_BYTES or not value.isprintable():
        raise ValueError(f"the name must be 1 to {ORDER_NAME_MAX_BYTES} bytes of printable text, as an order name")
    return value


def quick_key_amount(value: str) -> str:
    """A quick key's amount: more than zero, digits with at most one dot ("3.50"); whether its
    decimals suit the till's currency is checked with ``[merchant] currency`` (``posapp.config``)."""
    value = _matching(r"\d+(\.\d+)?", value.strip(), 'write the amount with digits and a dot, like "3.50"')
    if not value.strip("0."):
        raise ValueError("the amount must be more than zero")
    return value


def quick_keys(value: tuple) -> tuple:
    """At most ``QUICK_KEYS_MAX`` quick keys (``config_sections.QuickKey``), each checked already."""
    if len(value) > QUICK_KEYS_MAX:
        raise ValueError(f"at most {QUICK_KEYS_MAX} quick keys, not {len(value)}")
    return value
