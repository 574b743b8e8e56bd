"""The embedded backend: one SQLite file in WAL mode, beside ``orderspec.yaml`` by default.

WAL with ``synchronous=NORMAL`` makes an ordinary checkpoint cost a write to the log, no
flush: it survives the process being killed, not a power cut. Saves that matter after a
power cut (an intent before a create or place request, a history event, a placed or
uncertain record) switch to ``synchronous=FULL`` for their commit, so what was lost can
only be steps that the next run redoes from the last intent.
"""

from __future__ import annotations

import builtins
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from orderspec.state._codec import Redact, mask_detail, record_from, record_params
from orderspec.state._errors import StateError, StateFormatError, StateUnavailable
from orderspec.state._lease import Lease, holder_alive
from orderspec.state._record import HistoryEntry, Phase, Record, utc_now
from orderspec.state._store import BaseStore, needs_flush

APPLICATION_ID = 0x4F525350  # "ORSP": marks the file as orderspec state
_PHASES = ", ".join(f"'{phase.value}'" for phase in Phase)

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: records, their history, and the lock rows
    (
        f"""CREATE TABLE records (
            name TEXT NOT NULL,
            profile TEXT NOT NULL,
            system TEXT NOT NULL,
            digest TEXT NOT NULL,
            phase TEXT NOT NULL CHECK (phase IN ({_PHASES})),
            order_number TEXT,
            remote_ids TEXT NOT NULL,
            vars TEXT NOT NULL,
            done TEXT NOT NULL,
            intent TEXT,
            spec TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (name, profile)
        )""",  # a rowid table: a record (about a kilobyte of variables) stays in one page
        """CREATE TABLE history (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL,
            profile TEXT NOT NULL,
            at TEXT NOT NULL,
            action TEXT NOT NULL,
            detail TEXT NOT NULL
        )""",
        "CREATE INDEX history_by_record ON history (name, profile, id)",
        """CREATE TABLE locks (
            name TEXT NOT NULL,
            profile TEXT NOT NULL,
            owner TEXT NOT NULL,
            pid INTEGER NOT NULL,
            host TEXT NOT NULL,
            since TEXT NOT NULL,
            process TEXT,
            lease TEXT NOT NULL,
            PRIMARY KEY (name, profile)
        ) WITHOUT ROWID""",
    ),
)
"""Schema changes in order; ``PRAGMA user_version`` counts how many a file has had."""

_COLUMNS = "name, profile, system, digest, phase, order_number, remote_ids, vars, done, intent, spec, created_at, updated_at"
_UPSERT = f"""INSERT INTO records ({_COLUMNS})
VALUES (:name, :profile, :system, :digest, :phase, :order_number, :remote_ids, :vars, :done, :intent, :spec, :created_at, :updated_at)
ON CONFLICT (name, profile) DO UPDATE SET
    system = excluded.system, digest = excluded.digest, phase = excluded.phase, order_number = excluded.order_number,
    remote_ids = excluded.remote_ids, vars = excluded.vars, done = excluded.done, intent = excluded.intent,
    spec = excluded.spec, updated_at = excluded.updated_at"""
_HISTORY = "INSERT INTO history (name, profile, at, action, detail) VALUES (?, ?, ?, ?, ?)"


class SqliteStore(BaseStore):
    """State in one SQLite file; created, and migrated to this version's schema, on open."""

    SCHEMA_VERSION = len(MIGRATIONS)
    """The ``PRAGMA user_version`` of a file this orderspec has migrated."""
    APPLICATION_ID = APPLICATION_ID
    """The ``PRAGMA application_id`` that marks a file as orderspec state."""

    def __init__(self, path: str | Path, *, redact: Redact | None = None, timeout: float = 30.0) -> None:
        self.path = Path(path)
        super().__init__(f"SQLite file {self.path}", redact)
        self._mutex = threading.RLock()
        self._connection = self._open(timeout)
        try:
            with self._errors("read"):
                self._migrate()
        except BaseException:
            self._connection.close()
            raise

    # -- opening -------------------------------------------------------------------------

    def _open(self, timeout: float) -> sqlite3.Connection:
        if self.path.is_dir():
            raise StateUnavailable(f"the state path {self.path} is a folder", hint="give the path of a file, e.g. .orderspec/state.db")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StateUnavailable(
                f"cannot create the state folder {self.path.parent}: {exc.strerror or exc}",
                hint="check its permissions, or choose another place with --state or ORDERSPEC_STATE",
            ) from None
        connection = sqlite3.connect(self.path, timeout=timeout, isolation_level=None, check_same_thread=False)
        try:
            with self._errors("open"):
                connection.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
                _switch_to_wal(connection, timeout)
                connection.execute("PRAGMA synchronous = NORMAL")
        except BaseException:
            connection.close()
            raise
        return connection

    def _migrate(self) -> None:
        connection = self._connection
        known = len(MIGRATIONS)
        if self._version() == known and self._application_id() == APPLICATION_ID:
            return
        with self._transaction():
            version = self._version()
            if version > known:
                raise StateFormatError(
                    f"{self.path} was written by a newer orderspec (state schema {version}; this orderspec knows up to {known})",
                    hint="upgrade orderspec to use this state",
                )
            foreign = connection.execute("SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").fetchone()[0]
            if self._application_id() != APPLICATION_ID and (version > 0 or foreign):
                raise StateFormatError(
                    f"{self.path} is a SQLite database that orderspec did not create",
                    hint="point --state or ORDERSPEC_STATE at orderspec's state file, or move this file away",
                )
            for statements in MIGRATIONS[version:]:
                for statement in statements:
                    connection.execute(statement)
            connection.execute(f"PRAGMA user_version = {known}")
            connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")

    def _version(self) -> int:
        return int(self._connection.execute("PRAGMA user_version").fetchone()[0])

    def _application_id(self) -> int:
        return int(self._connection.execute("PRAGMA application_id").fetchone()[0])

    @contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        """Turn SQLite's errors into messages that say which file and what to do."""
        try:
            yield
        except StateError:
            raise
        except sqlite3.Error as exc:
            raise self._translate(exc, doing) from None

    def _translate(self, exc: sqlite3.Error, doing: str) -> StateError:
        code = getattr(exc, "sqlite_errorname", "")
        if code == "SQLITE_NOTADB":
            return StateFormatError(
                f"{self.path} is not a SQLite database",
                hint="point --state or ORDERSPEC_STATE at orderspec's state file, or move this file away",
            )
        if code.startswith(("SQLITE_READONLY", "SQLITE_PERM", "SQLITE_CANTOPEN", "SQLITE_AUTH")):
            return StateUnavailable(
                f"permission denied: cannot {doing} the state file {self.path} ({exc})",
                hint="the file and its folder must be writable by this user (SQLite writes -wal and -shm files beside it)",
            )
        if code.startswith("SQLITE_BUSY"):
            return StateUnavailable(
                f"the state file {self.path} stayed locked by another process ({exc})",
                hint="another orderspec is writing to it; try again when it is done",
            )
        return StateError(f"cannot {doing} the state file {self.path}: {exc}")

    # -- transactions ----------------------------------------------------------------------

    @contextmanager
    def _transaction(self, *, flush: bool = False) -> Iterator[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE``): committed whole, or rolled back whole."""
        connection = self._connection
        with self._mutex:
            if flush:
                connection.execute("PRAGMA synchronous = FULL")
            try:
                connection.execute("BEGIN IMMEDIATE")
                try:
                    yield connection
                except BaseException:
                    if connection.in_transaction:
                        connection.execute("ROLLBACK")
                    raise
                connection.execute("COMMIT")
            finally:
                if flush:
                    connection.execute("PRAGMA synchronous = NORMAL")

    # -- records ---------------------------------------------------------------------------

    def get(self, name: str, profile: str) -> Record | None:
        with self._mutex, self._errors("read"):
            row = self._connection.execute(f"SELECT {_COLUMNS} FROM records WHERE name = ? AND profile = ?", (name, profile)).fetchone()
        return None if row is None else record_from(row)

    def list(self) -> builtins.list[Record]:
        with self._mutex, self._errors("read"):
            rows = self._connection.execute(f"SELECT {_COLUMNS} FROM records ORDER BY name, profile").fetchall()
        return [record_from(row) for row in rows]

    def save(self, record: Record, event: str | None = None, detail: str = "") -> None:
        params = record_params(record, self._redact)
        params["created_at"] = params["created_at"].isoformat()
        params["updated_at"] = updated = params["updated_at"].isoformat()
        if event is None and not needs_flush(record, event):
            # One statement is its own transaction: a checkpoint costs one write to the log.
            with self._mutex, self._errors("write"):
                self._connection.execute(_UPSERT, params)
            return
        with self._errors("write"), self._transaction(flush=True) as connection:
            connection.execute(_UPSERT, params)
            if event is not None:
                connection.execute(_HISTORY, (record.name, record.profile, updated, event, mask_detail(detail, self._redact)))

    def forget(self, name: str, profile: str) -> bool:
        with self._errors("write"), self._transaction(flush=True) as connection:
            gone = connection.execute("DELETE FROM records WHERE name = ? AND profile = ?", (name, profile)).rowcount
            if gone:
                connection.execute(_HISTORY, (name, profile, utc_now().isoformat(), "forgotten", ""))
        return bool(gone)

    def history(self, name: str, profile: str) -> builtins.list[HistoryEntry]:
        with self._mutex, self._errors("read"):
            rows = self._connection.execute("SELECT at, action, detail FROM history WHERE name = ? AND profile = ? ORDER BY id", (name, profile)).fetchall()
        return [HistoryEntry(datetime.fromisoformat(at), action, detail) for at, action, detail in rows]

    def close(self) -> None:
        with self._mutex:
            self._connection.close()

    # -- locks -----------------------------------------------------------------------------

    def _try_lock(self, lease: Lease) -> tuple[bool, Lease | None]:
        with self._errors("lock"), self._transaction() as connection:
            row = connection.execute(
                "SELECT owner, pid, host, since, process, lease FROM locks WHERE name = ? AND profile = ?", (lease.name, lease.profile)
            ).fetchone()
            if row is not None:
                owner, pid, host, since, process, lease_id = row
                holder = Lease(lease.name, lease.profile, owner, pid, host, datetime.fromisoformat(since), process, lease_id)
                if holder_alive(holder):
                    return False, holder
                connection.execute(
                    _HISTORY,
                    (lease.name, lease.profile, lease.since.isoformat(), "lock-recovered", f"from {holder.describe()}, which no longer runs"),
                )
            connection.execute(
                "INSERT OR REPLACE INTO locks (name, profile, owner, pid, host, since, process, lease) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (lease.name, lease.profile, lease.owner, lease.pid, lease.host, lease.since.isoformat(), lease.process, lease.id),
            )
        return True, None

    def _unlock(self, lease: Lease) -> None:
        with self._errors("unlock"), self._transaction() as connection:
            connection.execute("DELETE FROM locks WHERE name = ? AND profile = ? AND lease = ?", (lease.name, lease.profile, lease.id))


def _switch_to_wal(connection: sqlite3.Connection, timeout: float) -> None:
    """``journal_mode = WAL``, tried again while another process holds the file.

    SQLite answers "database is locked" at once here, without its busy handler, when two
    processes open a new state file together (two applies started at the same moment).
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            connection.execute("PRAGMA journal_mode = WAL").fetchone()
            return
        except sqlite3.OperationalError as exc:
            if not getattr(exc, "sqlite_errorname", "").startswith("SQLITE_BUSY") or time.monotonic() > deadline:
                raise
            time.sleep(0.02)
