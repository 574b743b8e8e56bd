"""The state store as plan and apply see it: a ``Ledger`` in the ``Runtime``.

``plan`` reads each spec's record to say what apply would do; ``apply`` takes each spec's
lock, writes through a journal while the flow runs and records the final phase. The store
masks secrets before writing: ``Secrets`` is the masker it is opened with, and learns the
credentials of every spec before that spec's first write, so no credential of any profile
used in the run can reach the database.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from orderspec.state import Record, StateStore

OWNER = "orderspec apply"


class Secrets:
    """A masker over every credential seen so far: the state store's ``redact``.

    Adding is safe from several threads; masking uses the ``Masker`` of the moment.
    """

    def __init__(self, values: Iterable[object] = ()) -> None:
        from orderspec.engine import Masker

        self._values: frozenset[str] = frozenset(str(value) for value in values if value)
        self._masker = Masker(self._values)
        self._guard = threading.Lock()

    def add(self, values: Iterable[object]) -> None:
        """Mask these values too from now on."""
        from orderspec.engine import Masker

        new = {str(value) for value in values if value} - self._values
        if not new:
            return
        with self._guard:
            self._values = self._values | new
            self._masker = Masker(self._values)

    def __call__(self, text: str) -> str:
        return self._masker(text)


@dataclass(frozen=True)
class Ledger:
    """Where plan and apply keep each spec's progress.

    ``root`` is the folder spec paths are recorded relative to (the one holding
    ``orderspec.yaml``), so runners with checkouts in different folders agree on them.
    ``wait`` is how long apply waits for a spec another process holds (None: skip it).
    """

    store: StateStore
    root: Path
    secrets: Secrets = field(default_factory=Secrets)
    owner: str = OWNER
    wait: float | None = None

    def spec_path(self, path: Path) -> str:
        """How the record names a spec file: relative to ``root``, with forward slashes."""
        try:
            relative = os.path.relpath(path, self.root)
        except ValueError:  # another drive on Windows
            relative = str(path)
        return relative.replace(os.sep, "/")

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_ledger(url: str | None, *, root: Path, owner: str = OWNER, wait: float | None = None) -> Ledger:
    """Open the store ``url`` names (None: SQLite beside ``orderspec.yaml`` in ``root``) with a secret masker."""
    from orderspec.state import open_store

    secrets = Secrets()
    return Ledger(open_store(url, root=root, redact=secrets), root, secrets, owner, wait)


def memory_ledger(root: Path, *, owner: str = OWNER, wait: float | None = None) -> Ledger:
    """A ledger that forgets everything when the process ends (``--sandbox``: its sandboxes end with it)."""
    from orderspec.state import MemoryStore

    secrets = Secrets()
    store = MemoryStore(redact=secrets)
    return Ledger(store, root, secrets, owner, wait)


def find_orphans(ledger: Ledger, folders: Iterable[Path], present: Iterable[tuple[str, str]], names: Iterable[str] = ()) -> list[Record]:
    """Records of specs that were in one of ``folders`` and are no longer among those given.

    ``present`` holds the (name, profile) of every spec given; ``names`` the names of specs
    that could not be planned (their profile may be unknown, so they are no orphans either).
    """
    roots = [folder.resolve() for folder in folders]
    if not roots:
        return []
    given = set(present)
    known = set(names)
    found = []
    for record in ledger.store.list():
        if not record.spec or (record.name, record.profile) in given or record.name in known:
            continue
        where = (ledger.root / record.spec).resolve()
        if any(where.is_relative_to(folder) for folder in roots):
            found.append(record)
    return found


def describe_record(record: Record) -> dict[str, Any]:
    """The fields of a record that plan and apply reports show."""
    return {
        "name": record.name,
        "profile": record.profile,
        "phase": record.phase.value,
        "order_number": record.order_number,
        "spec": record.spec,
        "done": list(record.done),
        "intent": record.intent,
        "remote_ids": dict(record.remote_ids),
        "updated_at": record.updated_at.isoformat(),
    }
