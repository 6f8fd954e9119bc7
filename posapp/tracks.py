"""Magnetic-stripe track data (ISO/IEC 7813) as keyboard-wedge readers type it.

Pure: it imports nothing from posapp; ``posapp.card.parse_swipe`` turns what it finds into a card.

What readers really send, beyond the standard:

- track 1 with the PAN spaced as printed (``%BNNNN NNNNNN NNNNN^…``), a name padded with spaces to
  26 characters, ``^`` in place of a missing expiry, padding, and an LRC or other garbage after
  the end sentinel;
- ``%E?`` or ``;E?`` for a track that could not be read, and a line break (Enter) after a track;
- on a computer whose keyboard layout is not US English, other characters: a reader sends key
  positions, the computer maps them with its own layout (key tables: Microsoft's KBDGR, KBDTUQ
  and KBDTUF layouts, as reproduced by Mottie/Keyboard ``layouts/ms-German.js`` and
  ``ms-Turkish.js``):

  =========  ==  ========  =========  =========
  US key     US  German    Turkish Q  Turkish F
  =========  ==  ========  =========  =========
  Shift+5    %   %         %          %
  Shift+B    B   B         B          Ç
  ;          ;   ö         ş          y
  Shift+6    ^   &         &          &
  =          =   ´ (dead)  hyphen     hyphen
  Shift+/    ?   _         :          ;
  /          /   hyphen    .          ,
  =========  ==  ========  =========  =========

  Such a swipe cannot be read reliably (dead keys eat characters, letters of the name move), and
  swiping again gives the same text: it is recognised so that the cashier is told to type the
  number, and never read as typed input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# The characters a swipe can start with: track 1 (% on every layout above) and track 2 (; on
# a US layout, ö German, ş Turkish Q, y Turkish F). The window holds these keys back until it
# knows whether a reader or a person typed them.
START_SENTINELS = frozenset("%;öşy")

# Track 1 (IATA): %B<PAN>^<SURNAME/GIVEN>^<YYMM><service code><discretionary>?  The PAN may be
# grouped by spaces as printed; the name is 2-26 characters, readers pad it.
_PAN1 = r"\d{1,19}(?: \d{1,19}){0,6}"
_TRACK1 = re.compile(rf"%B(?P<pan>{_PAN1}) *\^(?P<name>[^^?]{{0,79}})\^(?P<yymm>\d{{4}}|\^)", re.ASCII)
# Track 2 (ABA): ;<PAN>=<YYMM><service code><discretionary>?
_TRACK2 = re.compile(r";(?P<pan>\d{12,19})=(?P<yymm>\d{4}|=)", re.ASCII)
# Both stop at the expiry and are searched up to the last "?" (end sentinel): a "[^?]*\?" tail
# would rescan the rest of the text from every start sentinel, quadratic time. Every repetition
# is bounded, so each start costs a bounded number of steps: linear in all.

# The same tracks typed under the layouts above (after NFKC, which turns "´" into " \u0301"),
# and their read-error markers (%E?, ;E? on a US layout).
_OTHER_LAYOUT = re.compile(rf"%[BÇ]{_PAN1} *&|[öşy]\d{{12,19}}|%E[_:]|%Ğ;|öE_|şE:|yĞ;")


@dataclass(frozen=True)
class Track:
    """What posapp reads from one track: the PAN digits, YYMM and name as encoded, if present."""

    number: str = field(repr=False)
    yymm: str | None
    name: str | None = None


def starts_like_swipe(text: str) -> bool:
    """Whether ``text`` (normalised) starts like magnetic-stripe data on one of the layouts above."""
    text = text.lstrip()
    return text.startswith(("%", ";")) or _OTHER_LAYOUT.match(text) is not None


def typed_for_another_layout(text: str) -> bool:
    """Whether ``text`` holds a track typed by a reader under a German or Turkish layout."""
    return _OTHER_LAYOUT.search(text) is not None


def read_tracks(text: str) -> list[Track]:
    """Track 1 and track 2, in that order, as far as they can be found ended in ``text``.

    A track whose reader reported an error (``%E?``) or whose fields are cut off is left out.
    Service code, discretionary data and LRC are not read.
    """
    end = text.rfind("?")
    found = []
    track1 = _TRACK1.search(text, 0, end)
    if track1 is not None:
        number = track1["pan"].replace(" ", "")
        if 12 <= len(number) <= 19:
            found.append(Track(number, _yymm(track1["yymm"]), _holder_name(track1["name"])))
    track2 = _TRACK2.search(text, 0, end)
    if track2 is not None:
        found.append(Track(track2["pan"], _yymm(track2["yymm"])))
    return found


def _yymm(field_text: str) -> str | None:
    return field_text if field_text.isdigit() else None


def _holder_name(raw: str) -> str | None:
    """``SURNAME/GIVEN M.MR`` as encoded on track 1 -> ``GIVEN M.MR SURNAME``, padding dropped."""
    surname, _, given = raw.partition("/")
    name = " ".join(" ".join(part.split()) for part in (given, surname) if part.strip())
    return name or None
