"""The leak scan finds a secret in every form it might be written in: a scan that missed them
would let every leak test pass."""

import base64
import json
import urllib.parse

import pytest
from leakscan import find_leaks

PASSWORD, PIN = "Shop-floor-Key-2026é", "740592836154"


def written(blob: bytes, secrets=(PASSWORD, PIN)):
    return [label for _, label in find_leaks([], [], blobs={"blob": blob}, secrets=list(secrets))]


@pytest.mark.parametrize("form", [
    lambda s: s.encode(),
    lambda s: s.upper().encode(),
    lambda s: s.encode("utf-16-le"),
    lambda s: b"\0" + s.encode("utf-16-be"),
    lambda s: s.encode("utf-32-le"),
    lambda s: json.dumps({"secret": s}).encode(),
    lambda s: urllib.parse.quote(s).encode(),
    lambda s: s.encode().hex().upper().encode(),
    lambda s: base64.b64encode(b"xy" + s.encode() + b"z"),
    lambda s: base64.urlsafe_b64encode(s.encode()).rstrip(b"="),
], ids=["utf-8", "upper", "utf-16-le", "utf-16-be-shifted", "utf-32", "json", "url", "HEX", "base64", "urlsafe"])
def test_a_secret_is_found_in_any_form(form):
    assert written(b"log line: " + form(PASSWORD) + b" end") == ["secret 1"]
    assert written(b"log line: " + form(PIN) + b" end") == ["secret 2"]


def test_a_long_pin_is_found_with_separators_between_its_digits():
    assert written("PIN 740 592-836.154".encode("utf-16-le")) == ["secret 2"]


def test_what_holds_no_secret_is_clean():
    assert written(b"sign-in refused: wrong login or secret; operator anna is locked; 2026-11-29 12:00 740592") == []
    assert written(base64.b64encode(b"Shop-floor-Key-2025")) == []


def test_a_report_never_shows_the_secret():
    [(where, label)] = find_leaks([], [], printed=PASSWORD, secrets=[PASSWORD])
    assert (where, label) == ("printed", "secret 1")
