"""The state store interface, and what every backend shares (locking within a process)."""

from __future__ import annotations

import builtins
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from types import TracebackType
from typing import Protocol, Self, runtime_checkable

from orderspec.state._codec import Redact
from orderspec.state._errors import StateError
from orderspec.state._lease import Lease, acquire, new_lease
from orderspec.state._record import HistoryEntry, Phase, Record


@runtime_checkable
class StateStore(Protocol):
    """Where apply remembers each spec's progress: one record per (spec name, profile).

    ``save`` writes the record and, when ``event`` is given, one history entry in a single
    transaction: after a crash either both are stored or neither is. ``lock`` keeps two
    processes (or threads) from working on one spec at once.
    """

    description: str
    """Where the state lives, safe to print (a PostgreSQL password shows as ``***``)."""

    def get(self, name: str, profile: str) -> Record | None: ...

    def list(self) -> builtins.list[Record]: ...

    def save(self, record: Record, event: str | None = None, detail: str = "") -> None: ...

    def forget(self, name: str, profile: str) -> bool: ...

    def history(self, name: str, profile: str) -> builtins.list[HistoryEntry]: ...

    def lock(self, name: str, profile: str, *, wait: float | None = None, owner: str) -> AbstractContextManager[Lease]: ...

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None: ...


def needs_flush(record: Record, event: str | None) -> bool:
    """Whether a save must reach the disk before it returns, not just be committed.

    An intent, a history event, and a placed or uncertain record must survive even a power
    cut or a database server crash; an ordinary checkpoint only has to survive the process
    being killed, because what a lost checkpoint covered is redone from the last intent.
    """
    return event is not None or record.intent is not None or record.phase in (Phase.PLACED, Phase.UNCERTAIN)


class BaseStore:
    """Shared behaviour: context manager, secret masking, and per-process lock bookkeeping.

    A lock held by this store object is refused to a second caller in the same process
    (e.g. another thread of ``apply --parallel``) before the backend is even asked: a
    PostgreSQL session would otherwise grant its own advisory lock twice.
    """

    description: str = ""

    def __init__(self, description: str, redact: Redact | None) -> None:
        self.description = description
        self._redact = redact
        self._held: dict[tuple[str, str], Lease] = {}
        self._held_guard = threading.Lock()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        raise NotImplementedError

    @contextmanager
    def lock(self, name: str, profile: str, *, wait: float | None = None, owner: str) -> Iterator[Lease]:
        """Hold the lock on (``name``, ``profile``) for the ``with`` block.

        Raises ``Locked`` (naming the holder) when another live holder has it and ``wait``
        is None or runs out; with ``wait`` the lock is polled until that many seconds pass.
        """
        lease = new_lease(name, profile, owner)
        acquire(name, profile, lambda: self._attempt(lease), wait)
        try:
            yield lease
        except BaseException:
            try:
                self._release(lease)
            except StateError:
                pass  # the error already on its way out says more
            raise
        self._release(lease)

    def _attempt(self, lease: Lease) -> tuple[bool, Lease | None]:
        key = (lease.name, lease.profile)
        with self._held_guard:
            held = self._held.get(key)
            if held is not None:
                return False, held
            self._held[key] = lease
        try:
            acquired, holder = self._try_lock(lease)
        except BaseException:
            with self._held_guard:
                del self._held[key]
            raise
        if not acquired:
            with self._held_guard:
                del self._held[key]
        return acquired, holder

    def _release(self, lease: Lease) -> None:
        try:
            self._unlock(lease)
        finally:
            with self._held_guard:
                self._held.pop((lease.name, lease.profile), None)

    def _try_lock(self, lease: Lease) -> tuple[bool, Lease | None]:
        """Take the backend's lock for ``lease``; return (acquired, current holder)."""
        raise NotImplementedError

    def _unlock(self, lease: Lease) -> None:
        raise NotImplementedError
