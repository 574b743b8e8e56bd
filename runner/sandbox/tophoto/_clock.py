"""The to.photo sandbox's clock: order dates, status dates and error timestamps from a counter.

Recorded sessions must re-record byte-identically, so the sandbox never reads the wall
clock: time starts at ``options["clock_start_ms"]`` (Unix milliseconds, default
2018-05-29 08:00 UTC, the date of the documents) and moves one second per reading.
``/_sandbox/reset`` starts it again, as a fresh sandbox would.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

DEFAULT_START_MS = 1_527_580_800_000


class Clock:
    def __init__(self, start_ms: int = DEFAULT_START_MS) -> None:
        self.start_ms = start_ms
        self._next = start_ms

    def reset(self) -> None:
        self._next = self.start_ms

    def now_ms(self) -> int:
        now, self._next = self._next, self._next + 1000
        return now

    def timestamp(self) -> str:
        """Now as to.photo's error bodies write it: ``yyyy-MM-dd HH:mm:ss.SSS`` (UTC)."""
        moment = datetime.fromtimestamp(self.now_ms() / 1000, UTC)
        return moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{moment.microsecond // 1000:03d}"


def clock_from(options: Mapping[str, object]) -> Clock:
    start = options.get("clock_start_ms", DEFAULT_START_MS)
    if isinstance(start, bool) or not isinstance(start, int) or start < 0:
        raise ValueError(f"options.clock_start_ms of the to.photo sandbox must be Unix milliseconds, not {start!r}")
    return Clock(start)
