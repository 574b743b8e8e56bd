"""Ids and times of the CTQ sandbox: the same requests get the same answers, byte for byte.

Recorded sessions must re-record identically, so nothing here reads the wall clock or
the system's randomness. Order and item ids look like Firestore auto-ids (20 letters
and digits) drawn from a generator seeded with ``options["seed"]`` (default 0); times
come from a counter that starts at ``options["clock_start"]`` (Unix seconds, default
2021-04-27 08:00 UTC) and moves one second per change. ``/_sandbox/reset`` starts both
again, as a fresh sandbox would.
"""

from __future__ import annotations

import random
import string
from collections.abc import Mapping

_ALPHABET = string.ascii_letters + string.digits
DEFAULT_CLOCK_START = 1_619_510_400  # 2021-04-27T08:00:00Z, the date of the later Swagger


def seed_of(options: Mapping[str, object]) -> int:
    """``options["seed"]``: a whole number (default 0)."""
    seed = options.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"options.seed of the CTQ sandbox must be a whole number, not {seed!r}")
    return seed


class Ids:
    """Firestore-like ids from a seeded generator."""

    def __init__(self, seed: int) -> None:
        self._random = random.Random(f"orderspec-ctq-sandbox:{seed}")

    def new(self) -> str:
        return "".join(self._random.choice(_ALPHABET) for _ in range(20))


class Clock:
    """Seconds since the epoch, one step per reading."""

    def __init__(self, start: int) -> None:
        self._next = start

    def tick(self) -> int:
        now, self._next = self._next, self._next + 1
        return now


def clock_start(options: Mapping[str, object]) -> int:
    start = options.get("clock_start", DEFAULT_CLOCK_START)
    if isinstance(start, bool) or not isinstance(start, int) or start < 0:
        raise ValueError(f"options.clock_start of the CTQ sandbox must be Unix seconds, not {start!r}")
    return start


def timestamp(seconds: int) -> dict[str, str]:
    """A Firestore timestamp as the 2021-04-27 Swagger types it: both parts as strings."""
    return {"_seconds": str(seconds), "_nanoseconds": "0"}
