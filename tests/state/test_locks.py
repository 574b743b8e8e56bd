"""Two processes never work on one spec at once; a killed holder's lock is recovered."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from orderspec.state import Locked, MemoryStore, Record, StateStore, open_store

from .conftest import python

HOLD = """
import sys
from pathlib import Path
from orderspec.state import open_store
store = open_store(sys.argv[1], root=Path("."))
with store.lock("bracket", "ctq", owner="orderspec apply (ci job 7)"):
    print("locked", flush=True)
    sys.stdin.readline()  # hold until told to go on, or killed
print("released", flush=True)
sys.stdin.readline()
"""


@pytest.fixture
def holder(url: str) -> Iterator[Callable[[], subprocess.Popen[str]]]:
    """Starts a process that holds the lock on (bracket, ctq) until it reads a line."""
    started: list[subprocess.Popen[str]] = []

    def start() -> subprocess.Popen[str]:
        process = python(HOLD, url)
        started.append(process)
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line == "locked\n", process.stderr.read() if process.stderr else line
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def go_on(process: subprocess.Popen[str]) -> None:
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write("\n")
    process.stdin.flush()
    assert process.stdout.readline() == "released\n"


def test_a_second_process_is_refused_with_the_holder_named(store: StateStore, holder: Callable[[], subprocess.Popen[str]]) -> None:
    process = holder()
    with pytest.raises(Locked) as caught, store.lock("bracket", "ctq", owner="orderspec apply"):
        pass
    message = str(caught.value)
    assert f"bracket (profile ctq) is being worked on by orderspec apply (ci job 7) (pid {process.pid} on {socket.gethostname()}, since " in message
    assert "try again when it has finished; apply --wait SECONDS waits for it" in message
    assert caught.value.holder is not None and caught.value.holder.pid == process.pid

    with store.lock("bracket", "other-profile", owner="t"), store.lock("other-spec", "ctq", owner="t"):
        pass  # other specs and profiles are not held

    go_on(process)
    with store.lock("bracket", "ctq", owner="orderspec apply") as lease:
        assert (lease.pid, lease.owner) == (os.getpid(), "orderspec apply")


def test_with_wait_the_lock_is_taken_when_the_holder_releases_it(store: StateStore, holder: Callable[[], subprocess.Popen[str]]) -> None:
    process = holder()
    release = threading.Timer(0.6, go_on, (process,))
    started = time.monotonic()
    release.start()
    try:
        with store.lock("bracket", "ctq", owner="t", wait=20):
            waited = time.monotonic() - started
    finally:
        release.join()
    assert 0.5 <= waited < 10


def test_a_wait_that_runs_out_raises_locked(store: StateStore, holder: Callable[[], subprocess.Popen[str]]) -> None:
    holder()
    started = time.monotonic()
    with pytest.raises(Locked), store.lock("bracket", "ctq", owner="t", wait=0.4):
        pass
    assert 0.4 <= time.monotonic() - started < 5


def test_a_lock_held_by_a_killed_process_is_recovered(store: StateStore, holder: Callable[[], subprocess.Popen[str]], url: str) -> None:
    process = holder()
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    # SQLite: the holder's pid is gone at once; PostgreSQL ends the session when it sees the socket close.
    with store.lock("bracket", "ctq", owner="orderspec apply", wait=None if url.startswith("sqlite") else 10) as lease:
        assert lease.pid == os.getpid()
    store.save(Record("bracket", "ctq", system="ctq", digest="d"))
    recovered = [entry for entry in store.history("bracket", "ctq") if entry.action == "lock-recovered"]
    assert len(recovered) == 1 and f"pid {process.pid} on " in recovered[0].detail


def test_a_killed_holder_not_yet_reaped_counts_as_gone(sqlite_url: str, tmp_path: Path) -> None:
    process = python(HOLD, sqlite_url)
    try:
        assert process.stdout is not None and process.stdout.readline() == "locked\n"
        os.kill(process.pid, signal.SIGKILL)
        stat = Path(f"/proc/{process.pid}/stat")
        deadline = time.monotonic() + 10
        while stat.read_text().rsplit(")", 1)[1].split()[0] != "Z" and time.monotonic() < deadline:
            time.sleep(0.01)
        with open_store(sqlite_url, root=tmp_path) as store, store.lock("bracket", "ctq", owner="t"):
            pass
    finally:
        process.wait(timeout=10)


def test_the_lock_is_released_when_the_block_raises(store: StateStore, opener: Callable[..., StateStore]) -> None:
    with pytest.raises(RuntimeError), store.lock("bracket", "ctq", owner="t"):
        raise RuntimeError("step failed")
    with opener().lock("bracket", "ctq", owner="other"):
        pass


def test_within_one_process_a_held_lock_is_refused_too(store: StateStore, opener: Callable[..., StateStore]) -> None:
    other = opener()
    with store.lock("bracket", "ctq", owner="first"):
        with pytest.raises(Locked, match="first"), store.lock("bracket", "ctq", owner="second"):
            pass
        with pytest.raises(Locked, match="first"), other.lock("bracket", "ctq", owner="second"):
            pass
    with other.lock("bracket", "ctq", owner="second"):
        pass


@pytest.mark.parametrize("kind", ["memory", "real"])
def test_threads_sharing_a_store_take_turns(kind: str, opener: Callable[..., StateStore]) -> None:
    store = MemoryStore() if kind == "memory" else opener()
    inside = 0
    overlaps: list[int] = []
    guard = threading.Lock()

    def work() -> None:
        nonlocal inside
        for _ in range(5):
            with store.lock("bracket", "ctq", owner=threading.current_thread().name, wait=30):
                with guard:
                    inside += 1
                    overlaps.append(inside)
                time.sleep(0.002)
                with guard:
                    inside -= 1

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert overlaps == [1] * 20


def _lock_row(path: str, *, pid: int, host: str, process: str | None) -> None:
    connection = sqlite3.connect(path)
    connection.execute(
        "INSERT INTO locks (name, profile, owner, pid, host, since, process, lease) VALUES ('bracket', 'ctq', 'orderspec apply', ?, ?, ?, ?, 'x')",
        (pid, host, "2024-05-01T12:00:00+00:00", process),
    )
    connection.commit()
    connection.close()


def test_sqlite_a_holder_on_another_host_is_never_taken_over(sqlite_url: str, tmp_path: Path) -> None:
    with open_store(sqlite_url, root=tmp_path) as store:
        _lock_row(sqlite_url.removeprefix("sqlite://"), pid=1, host="runner-elsewhere", process=None)
        with (
            pytest.raises(Locked, match=r"orderspec apply \(pid 1 on runner-elsewhere, since 2024-05-01 12:00:00 UTC\)"),
            store.lock("bracket", "ctq", owner="t"),
        ):
            pass


def test_sqlite_a_reused_process_id_does_not_keep_the_lock(sqlite_url: str, tmp_path: Path) -> None:
    # The pid is alive (it is this very process) but it started at another time: a reused pid.
    with open_store(sqlite_url, root=tmp_path) as store:
        _lock_row(sqlite_url.removeprefix("sqlite://"), pid=os.getpid(), host=socket.gethostname(), process="another-boot:123")
        with store.lock("bracket", "ctq", owner="t"):
            pass
        assert [entry.action for entry in store.history("bracket", "ctq")] == ["lock-recovered"]
