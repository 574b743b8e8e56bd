"""Where ``apply`` remembers each spec's progress, so every order is placed exactly once.

    from orderspec.state import Record, open_store

    with open_store(None, root=Path(".")) as store:            # .orderspec/state.db
        with store.lock("bracket", "ctq", owner="orderspec apply"):
            record = store.get("bracket", "ctq") or Record("bracket", "ctq", system="ctq", digest=digest)
            store.save(record.evolve(intent="place"))         # before sending the place request
            ...
            store.save(record.evolve(phase=Phase.PLACED, order_number="A-1", intent=None), "placed", "order A-1")

Two backends sit behind ``StateStore``: SQLite (WAL) for a laptop or one CI machine, and
PostgreSQL for CI runners that come and go. ``MemoryStore`` keeps state in the process.
"""

from typing import TYPE_CHECKING, Any

from orderspec.state._codec import Redact
from orderspec.state._conninfo import describe_url
from orderspec.state._errors import AmbiguousName, Locked, NotUncertain, RecordNotFound, StateError, StateFormatError, StateUnavailable
from orderspec.state._lease import Lease
from orderspec.state._memory import MemoryStore
from orderspec.state._record import HistoryEntry, Phase, Record, utc_now
from orderspec.state._repair import find_record, forget_record, resolve_record, show_record
from orderspec.state._sqlite import SqliteStore
from orderspec.state._store import StateStore, needs_flush
from orderspec.state._url import ENVIRONMENT_VARIABLE, default_state_path, open_store, sqlite_path, state_url

if TYPE_CHECKING:
    from orderspec.state._postgres import PostgresStore


def __getattr__(name: str) -> Any:
    # psycopg takes a third of a second to import: only a PostgreSQL user pays for it.
    if name == "PostgresStore":
        from orderspec.state._postgres import PostgresStore

        return PostgresStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ENVIRONMENT_VARIABLE",
    "AmbiguousName",
    "HistoryEntry",
    "Lease",
    "Locked",
    "MemoryStore",
    "NotUncertain",
    "Phase",
    "PostgresStore",
    "Record",
    "RecordNotFound",
    "Redact",
    "SqliteStore",
    "StateError",
    "StateFormatError",
    "StateStore",
    "StateUnavailable",
    "default_state_path",
    "describe_url",
    "find_record",
    "forget_record",
    "needs_flush",
    "open_store",
    "resolve_record",
    "show_record",
    "sqlite_path",
    "state_url",
    "utc_now",
]
