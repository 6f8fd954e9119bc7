"""Magnetic-stripe track data (ISO/IEC 7813) as keyboard-wedge readers type it."""

from __future__ import annotations

# The characters a swipe can start with: the start sentinels of track 1 (%) and track 2 (;).
START_SENTINELS = frozenset("%;")
