"""An in-process store: for tests, and the baseline the benchmarks compare with."""

from __future__ import annotations

import builtins
import dataclasses
import json
import threading

from orderspec.state._codec import Redact, dump, mask_detail
from orderspec.state._lease import Lease
from orderspec.state._record import HistoryEntry, Record, utc_now
from orderspec.state._store import BaseStore


class MemoryStore(BaseStore):
    """Keeps records in a dict; everything is gone when the process ends."""

    def __init__(self, *, redact: Redact | None = None) -> None:
        super().__init__("memory (nothing is kept after the process ends)", redact)
        self._records: dict[tuple[str, str], Record] = {}
        self._entries: dict[tuple[str, str], builtins.list[HistoryEntry]] = {}
        self._guard = threading.Lock()

    def get(self, name: str, profile: str) -> Record | None:
        return self._records.get((name, profile))

    def list(self) -> builtins.list[Record]:
        with self._guard:
            return [self._records[key] for key in sorted(self._records)]

    def save(self, record: Record, event: str | None = None, detail: str = "") -> None:
        if self._redact is not None:
            # The same JSON round trip the databases make, so a value that is not JSON
            # data fails here as it would there.
            record = dataclasses.replace(
                record,
                vars=json.loads(dump(record.vars, self._redact)),
                remote_ids=json.loads(dump(record.remote_ids, self._redact)),
                history=(),
            )
        elif record.history:
            record = dataclasses.replace(record, history=())
        key = (record.name, record.profile)
        with self._guard:
            existing = self._records.get(key)
            if existing is not None and existing.created_at != record.created_at:
                record = dataclasses.replace(record, created_at=existing.created_at)
            self._records[key] = record
            if event is not None:
                self._entries.setdefault(key, []).append(HistoryEntry(record.updated_at, event, mask_detail(detail, self._redact)))

    def forget(self, name: str, profile: str) -> bool:
        key = (name, profile)
        with self._guard:
            if self._records.pop(key, None) is None:
                return False
            self._entries.setdefault(key, []).append(HistoryEntry(utc_now(), "forgotten", ""))
            return True

    def history(self, name: str, profile: str) -> builtins.list[HistoryEntry]:
        with self._guard:
            return builtins.list(self._entries.get((name, profile), ()))

    def close(self) -> None:
        pass

    def _try_lock(self, lease: Lease) -> tuple[bool, Lease | None]:
        return True, None  # the per-store bookkeeping in BaseStore is the whole lock

    def _unlock(self, lease: Lease) -> None:
        pass
