"""The team backend: PostgreSQL, for CI runners that come and go.

Tables live in their own schema (``orderspec`` unless told otherwise) and are created and
migrated by orderspec: ``schema_version`` lists the migrations applied, and migrating runs
under a transaction-level advisory lock, so two runners opening a fresh database at once
do not collide.

A spec's lock is a session-level advisory lock on a key derived from (schema, name,
profile): when a process dies its connection closes and PostgreSQL releases the lock.
A row in ``locks`` only describes the holder for messages.

The session runs with ``synchronous_commit = off``: an ordinary checkpoint is one round trip
and no wait for the server's disk flush. Saves that must survive a server crash (an intent, a
history event, a placed or uncertain record, a forget) commit with ``synchronous_commit = on``,
which also flushes every earlier checkpoint.
"""

from __future__ import annotations

import builtins
import hashlib
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, LiteralString

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from orderspec._version import __version__
from orderspec.errors import UsageError
from orderspec.state._codec import Redact, mask_detail, record_from, record_params
from orderspec.state._conninfo import describe_url, scrub_password
from orderspec.state._errors import StateError, StateFormatError, StateUnavailable
from orderspec.state._lease import Lease
from orderspec.state._record import HistoryEntry, Phase, Record, utc_now
from orderspec.state._store import BaseStore, needs_flush

DEFAULT_SCHEMA = "orderspec"

MIGRATIONS: tuple[tuple[LiteralString, ...], ...] = (
    # 1: records, their history, and the rows describing lock holders
    (
        """CREATE TABLE {schema}.records (
            name text NOT NULL,
            profile text NOT NULL,
            system text NOT NULL,
            digest text NOT NULL,
            phase text NOT NULL CHECK (phase IN ('pending', 'in_progress', 'placed', 'failed', 'uncertain')),
            order_number text,
            remote_ids jsonb NOT NULL,
            vars jsonb NOT NULL,
            done jsonb NOT NULL,
            intent text,
            spec text NOT NULL,
            created_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL,
            PRIMARY KEY (name, profile)
        )""",
        """CREATE TABLE {schema}.history (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            name text NOT NULL,
            profile text NOT NULL,
            at timestamptz NOT NULL,
            action text NOT NULL,
            detail text NOT NULL
        )""",
        "CREATE INDEX history_by_record ON {schema}.history (name, profile, id)",
        """CREATE TABLE {schema}.locks (
            name text NOT NULL,
            profile text NOT NULL,
            owner text NOT NULL,
            pid integer NOT NULL,
            host text NOT NULL,
            since timestamptz NOT NULL,
            process text,
            lease text NOT NULL,
            PRIMARY KEY (name, profile)
        )""",
    ),
)
"""Schema changes in order; each applied one is a row of ``schema_version``."""

assert all(phase.value in MIGRATIONS[0][0] for phase in Phase)

_COLUMNS: LiteralString = "name, profile, system, digest, phase, order_number, remote_ids, vars, done, intent, spec, created_at, updated_at"
_UPSERT: LiteralString = f"""INSERT INTO {{schema}}.records ({_COLUMNS})
VALUES (%(name)s, %(profile)s, %(system)s, %(digest)s, %(phase)s, %(order_number)s, %(remote_ids)s::jsonb, %(vars)s::jsonb,
        %(done)s::jsonb, %(intent)s, %(spec)s, %(created_at)s, %(updated_at)s)
ON CONFLICT (name, profile) DO UPDATE SET
    system = excluded.system, digest = excluded.digest, phase = excluded.phase, order_number = excluded.order_number,
    remote_ids = excluded.remote_ids, vars = excluded.vars, done = excluded.done, intent = excluded.intent,
    spec = excluded.spec, updated_at = excluded.updated_at"""
# The record and its history entry in one statement: one round trip, one transaction.
_UPSERT_WITH_EVENT: LiteralString = f"""WITH saved AS ({_UPSERT} RETURNING name, profile)
INSERT INTO {{schema}}.history (name, profile, at, action, detail)
SELECT name, profile, %(updated_at)s, %(event)s, %(detail)s FROM saved"""


def _key(*parts: str) -> int:
    """A signed 64-bit advisory lock key for ``parts``."""
    digest = hashlib.blake2b("\0".join(parts).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class PostgresStore(BaseStore):
    """State in PostgreSQL tables of ``schema``; created, and migrated, on open."""

    SCHEMA_VERSION = len(MIGRATIONS)
    """The highest ``schema_version`` row of a schema this orderspec has migrated."""

    def __init__(self, conninfo: str, *, schema: str = DEFAULT_SCHEMA, redact: Redact | None = None, connect_timeout: int = 10) -> None:
        super().__init__(f"PostgreSQL {describe_url(conninfo)} (schema {schema})", redact)
        self.schema = schema
        self._conninfo = conninfo
        self._mutex = threading.RLock()
        self._where = _server(conninfo)
        self._connection = self._connect(connect_timeout)
        try:
            with self._errors("prepare"):
                self._connection.execute("SET synchronous_commit = off")
                self._migrate()
        except BaseException:
            self._connection.close()
            raise
        self._sql = {name: self._compose(text) for name, text in (("upsert", _UPSERT), ("upsert_event", _UPSERT_WITH_EVENT))}

    # -- opening ---------------------------------------------------------------------------

    def _connect(self, connect_timeout: int) -> psycopg.Connection[tuple[Any, ...]]:
        try:
            options = conninfo_to_dict(self._conninfo)
        except psycopg.ProgrammingError:
            raise UsageError(
                f"the PostgreSQL state URL {describe_url(self._conninfo)} cannot be read",
                hint="write it as postgresql://USER@HOST:PORT/DATABASE (the password may come from PGPASSWORD)",
            ) from None
        extra: dict[str, Any] = {}
        if "application_name" not in options:
            extra["application_name"] = "orderspec"
        if "connect_timeout" not in options:
            extra["connect_timeout"] = connect_timeout
        try:
            return psycopg.connect(self._conninfo, autocommit=True, **extra)
        except psycopg.Error as exc:
            reason = _reason(scrub_password(str(exc), self._conninfo))
            raise StateUnavailable(
                f"cannot reach the PostgreSQL state database at {self._where}: {reason}",
                hint="check that the server runs and accepts connections there, and the URL given by --state or ORDERSPEC_STATE",
            ) from None

    def _compose(self, text: LiteralString) -> bytes:
        return sql.SQL(text).format(schema=sql.Identifier(self.schema)).as_bytes(self._connection)

    def _migrate(self) -> None:
        connection = self._connection
        known = len(MIGRATIONS)
        schema = sql.Identifier(self.schema)
        with connection.transaction():
            connection.execute("SELECT pg_advisory_xact_lock(%s)", (_key("orderspec-migrate", self.schema),))
            if connection.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (self.schema,)).fetchone() is None:
                connection.execute(sql.SQL("CREATE SCHEMA {}").format(schema))
            exists = connection.execute("SELECT 1 FROM pg_tables WHERE schemaname = %s AND tablename = 'schema_version'", (self.schema,)).fetchone()
            if exists is None:
                connection.execute(
                    sql.SQL(
                        "CREATE TABLE {}.schema_version (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now(), orderspec text NOT NULL)"
                    ).format(schema)
                )
            row = connection.execute(sql.SQL("SELECT coalesce(max(version), 0) FROM {}.schema_version").format(schema)).fetchone()
            version = int(row[0]) if row else 0
            if version > known:
                raise StateFormatError(
                    f"the state in schema {self.schema} at {self._where} was written by a newer orderspec "
                    f"(state schema {version}; this orderspec knows up to {known})",
                    hint="upgrade orderspec to use this state",
                )
            for number, statements in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in statements:
                    connection.execute(sql.SQL(statement).format(schema=schema))
                connection.execute(sql.SQL("INSERT INTO {}.schema_version (version, orderspec) VALUES (%s, %s)").format(schema), (number, __version__))

    @contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        """Turn psycopg's errors into messages naming the server (never its password)."""
        try:
            yield
        except StateError:
            raise
        except psycopg.errors.InsufficientPrivilege as exc:
            raise StateUnavailable(
                f"permission denied: cannot {doing} the state in schema {self.schema} at {self._where}: {_reason(scrub_password(str(exc), self._conninfo))}",
                hint=f"grant the role CREATE on the database (or create schema {self.schema} for it and grant it USAGE and CREATE there)",
            ) from None
        except psycopg.OperationalError as exc:
            raise StateUnavailable(
                f"lost the connection to the PostgreSQL state database at {self._where}: {_reason(scrub_password(str(exc), self._conninfo))}",
                hint="run again when the server is reachable; an apply resumes from its last checkpoint",
            ) from None
        except psycopg.Error as exc:
            raise StateError(f"cannot {doing} the state at {self._where}: {_reason(scrub_password(str(exc), self._conninfo))}") from None

    # -- records ---------------------------------------------------------------------------

    def get(self, name: str, profile: str) -> Record | None:
        query = sql.SQL(f"SELECT {_COLUMNS} FROM {{}}.records WHERE name = %s AND profile = %s").format(sql.Identifier(self.schema))
        with self._mutex, self._errors("read"):
            row = self._connection.execute(query, (name, profile)).fetchone()
        return None if row is None else record_from(row)

    def list(self) -> builtins.list[Record]:
        query = sql.SQL(f"SELECT {_COLUMNS} FROM {{}}.records ORDER BY name, profile").format(sql.Identifier(self.schema))
        with self._mutex, self._errors("read"):
            rows = self._connection.execute(query).fetchall()
        return [record_from(row) for row in rows]

    def save(self, record: Record, event: str | None = None, detail: str = "") -> None:
        params = record_params(record, self._redact)
        if event is None:
            query = self._sql["upsert"]
        else:
            query = self._sql["upsert_event"]
            params["event"] = event
            params["detail"] = mask_detail(detail, self._redact)
        connection = self._connection
        with self._mutex, self._errors("write"):
            if needs_flush(record, event):
                with connection.pipeline(), connection.transaction():
                    connection.execute("SET LOCAL synchronous_commit = on")
                    connection.execute(query, params, prepare=True)
            else:
                connection.execute(query, params, prepare=True)

    def forget(self, name: str, profile: str) -> bool:
        schema = sql.Identifier(self.schema)
        connection = self._connection
        with self._mutex, self._errors("write"), connection.transaction():
            connection.execute("SET LOCAL synchronous_commit = on")
            gone = connection.execute(sql.SQL("DELETE FROM {}.records WHERE name = %s AND profile = %s").format(schema), (name, profile)).rowcount
            if gone:
                connection.execute(
                    sql.SQL("INSERT INTO {}.history (name, profile, at, action, detail) VALUES (%s, %s, %s, 'forgotten', '')").format(schema),
                    (name, profile, utc_now()),
                )
        return bool(gone)

    def history(self, name: str, profile: str) -> builtins.list[HistoryEntry]:
        query = sql.SQL("SELECT at, action, detail FROM {}.history WHERE name = %s AND profile = %s ORDER BY id").format(sql.Identifier(self.schema))
        with self._mutex, self._errors("read"):
            rows = self._connection.execute(query, (name, profile)).fetchall()
        return [HistoryEntry(at, action, detail) for at, action, detail in rows]

    def close(self) -> None:
        with self._mutex:
            self._connection.close()

    # -- locks -----------------------------------------------------------------------------

    def _lock_key(self, lease: Lease) -> int:
        return _key("orderspec-lock", self.schema, lease.name, lease.profile)

    def _try_lock(self, lease: Lease) -> tuple[bool, Lease | None]:
        schema = sql.Identifier(self.schema)
        connection = self._connection
        select = sql.SQL("SELECT owner, pid, host, since, process, lease FROM {}.locks WHERE name = %s AND profile = %s").format(schema)
        with self._mutex, self._errors("lock"):
            row = connection.execute("SELECT pg_try_advisory_lock(%s)", (self._lock_key(lease),)).fetchone()
            if not (row and row[0]):
                held = connection.execute(select, (lease.name, lease.profile)).fetchone()
                return False, None if held is None else Lease(lease.name, lease.profile, *held)
            try:
                with connection.transaction():
                    connection.execute("SET LOCAL synchronous_commit = on")
                    stale = connection.execute(select, (lease.name, lease.profile)).fetchone()
                    if stale is not None:
                        # The advisory lock was free, so the session that wrote this row has ended.
                        previous = Lease(lease.name, lease.profile, *stale)
                        connection.execute(
                            sql.SQL("INSERT INTO {}.history (name, profile, at, action, detail) VALUES (%s, %s, %s, 'lock-recovered', %s)").format(schema),
                            (lease.name, lease.profile, lease.since, f"from {previous.describe()}, whose connection has ended"),
                        )
                    connection.execute(
                        sql.SQL(
                            "INSERT INTO {}.locks (name, profile, owner, pid, host, since, process, lease) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
                            "ON CONFLICT (name, profile) DO UPDATE SET owner = excluded.owner, pid = excluded.pid, host = excluded.host, "
                            "since = excluded.since, process = excluded.process, lease = excluded.lease"
                        ).format(schema),
                        (lease.name, lease.profile, lease.owner, lease.pid, lease.host, lease.since, lease.process, lease.id),
                    )
            except BaseException:
                if not connection.closed:
                    connection.execute("SELECT pg_advisory_unlock(%s)", (self._lock_key(lease),))
                raise
        return True, None

    def _unlock(self, lease: Lease) -> None:
        schema = sql.Identifier(self.schema)
        connection = self._connection
        with self._mutex, self._errors("unlock"):
            if connection.closed:
                return  # the session is gone, and its advisory lock with it
            delete = sql.SQL("DELETE FROM {}.locks WHERE name = %s AND profile = %s AND lease = %s").format(schema)
            connection.execute(delete, (lease.name, lease.profile, lease.id))
            connection.execute("SELECT pg_advisory_unlock(%s)", (self._lock_key(lease),))


def _server(conninfo: str) -> str:
    """``host:port`` of a connection string, for messages (never more than that)."""
    try:
        options: Mapping[str, Any] = conninfo_to_dict(conninfo)
    except psycopg.ProgrammingError:
        return describe_url(conninfo)
    host = str(options.get("host") or options.get("hostaddr") or "the local socket")
    port = str(options.get("port") or "5432")
    return f"{host}:{port}"


def _reason(text: str) -> str:
    """The useful part of a libpq message: its first line, after the last ``failed:``."""
    first = text.strip().splitlines()[0] if text.strip() else "unknown error"
    return first.rsplit("failed: ", 1)[-1].strip()
