"""Who holds a spec's lock, and whether that holder is still alive.

A lease names its holder by host, process id and the process's start (boot id and start
time from ``/proc`` where there is one), so a lock left by a killed process is recognised
as stale even after its process id has been reused or the machine rebooted.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from orderspec.state._errors import Locked
from orderspec.state._record import utc_now

HOST = socket.gethostname()


@dataclass(frozen=True, slots=True)
class Lease:
    """The lock on one spec: who holds it (``owner``, ``pid``, ``host``) and ``since`` when."""

    name: str
    profile: str
    owner: str
    pid: int
    host: str
    since: datetime
    process: str | None = None
    id: str = ""

    def describe(self) -> str:
        return f"{self.owner} (pid {self.pid} on {self.host}, since {self.since:%Y-%m-%d %H:%M:%S} UTC)"


def new_lease(name: str, profile: str, owner: str) -> Lease:
    """A lease for this process, not yet acquired."""
    pid = os.getpid()
    return Lease(name, profile, owner, pid, HOST, utc_now(), process_token(pid), uuid.uuid4().hex)


def process_token(pid: int) -> str | None:
    """``boot id:start time`` of a process, or None where ``/proc`` does not tell."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
        boot = Path("/proc/sys/kernel/random/boot_id").read_text(encoding="ascii").strip()
    except OSError:
        return None
    fields = stat[stat.rfind(")") + 2 :].split()
    if len(fields) < 20:
        return None
    return f"{boot}:{fields[19]}"


def _zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    return stat[stat.rfind(")") + 2 :][:1] in ("Z", "X")


def holder_alive(lease: Lease) -> bool:
    """Whether the process holding ``lease`` still runs.

    A holder on another host cannot be checked from here, so it counts as alive.
    """
    if lease.host != HOST:
        return True
    if lease.pid <= 0:
        return False
    try:
        os.kill(lease.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, under another user
    if _zombie(lease.pid):
        return False
    if lease.process is not None:
        current = process_token(lease.pid)
        if current is not None and current != lease.process:
            return False  # the pid was reused, or the machine rebooted since
    return True


def acquire(name: str, profile: str, attempt: Callable[[], tuple[bool, Lease | None]], wait: float | None) -> None:
    """Call ``attempt`` until it succeeds or ``wait`` seconds are over, then raise ``Locked``.

    ``attempt`` returns (acquired, current holder); with ``wait`` None it is tried once.
    """
    deadline = None if wait is None else time.monotonic() + max(wait, 0.0)
    interval = 0.02
    while True:
        acquired, holder = attempt()
        if acquired:
            return
        remaining = 0.0 if deadline is None else deadline - time.monotonic()
        if remaining <= 0:
            raise Locked(name, profile, holder)
        time.sleep(min(interval, remaining))
        interval = min(interval * 2, 0.25)
