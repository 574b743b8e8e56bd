"""Calling a function at a given time from one background thread: deadlines that must act
while the thread they guard is blocked (a socket read) or busy (a template loop)."""

from __future__ import annotations

import heapq
import threading
import time
from collections.abc import Callable
from typing import Any


class Alarms:
    """One daemon thread that calls each scheduled function at its time, unless cancelled first.

    Cheaper than a ``threading.Timer`` (a thread) per request; cancelled entries are
    dropped from the queue once they are the majority.
    """

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._queue: list[list[Any]] = []  # [when, token, action or None when cancelled]
        self._live: dict[int, list[Any]] = {}
        self._count = 0
        self._thread: threading.Thread | None = None

    def schedule(self, seconds: float, action: Callable[[], None]) -> int:
        with self._lock:
            self._count += 1
            entry = [time.monotonic() + seconds, self._count, action]
            heapq.heappush(self._queue, entry)
            self._live[self._count] = entry
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="orderspec-deadlines", daemon=True)
                self._thread.start()
            if self._queue[0] is entry:
                self._lock.notify()
            return self._count

    def cancel(self, token: int) -> None:
        with self._lock:
            entry = self._live.pop(token, None)
            if entry is not None:
                entry[2] = None
            if len(self._queue) > 64 and len(self._live) < len(self._queue) // 2:
                self._queue = [item for item in self._queue if item[2] is not None]
                heapq.heapify(self._queue)

    def _run(self) -> None:
        while True:
            with self._lock:
                if not self._queue:
                    self._lock.wait()
                    continue
                when, token, action = self._queue[0]
                wait = when - time.monotonic()
                if wait > 0:
                    self._lock.wait(wait)
                    continue
                heapq.heappop(self._queue)
                self._live.pop(token, None)
            if action is not None:
                try:
                    action()
                except Exception:  # noqa: BLE001 - an alarm must never end the thread
                    pass


ALARMS = Alarms()
"""The process's alarm thread: request deadlines, template time budgets."""
