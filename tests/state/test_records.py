"""Records go in and come out unchanged, one transaction each, on every backend."""

from __future__ import annotations

import pickle
import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from orderspec.state import HistoryEntry, MemoryStore, Phase, Record, StateError, StateStore, open_store

T0 = datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=UTC)


def full_record(name: str = "bracket", profile: str = "ctq-prod", **changes: object) -> Record:
    values: dict[str, object] = {
        "system": "ctq",
        "digest": "9f2c" * 16,
        "phase": Phase.IN_PROGRESS,
        "order_number": None,
        "remote_ids": {"draft": "D-17", "basket": "42"},
        "vars": {"token_type": "Bearer", "lines": [{"id": 1, "price": 12.5}, {"id": 2, "price": None}], "note": 'Grüße, "quoted" \\ ✓', "ok": True},
        "done": ("login", "upload[0]", "upload[1]"),
        "intent": None,
        "spec": "specs/bracket.yaml",
        "created_at": T0,
        "updated_at": T0 + timedelta(seconds=3),
    }
    values.update(changes)
    return Record(name, profile, **values)  # type: ignore[arg-type]


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def each_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StateStore]:
    """A store of every kind, the in-memory one included."""
    if request.param == "memory":
        store: StateStore = MemoryStore()
    else:
        store = open_store(str(request.getfixturevalue(f"{request.param}_url")), root=tmp_path)
    with store:
        yield store


def test_save_get_list_round_trip(each_store: StateStore) -> None:
    first = full_record()
    second = full_record("bracket", "ctq-staging", phase=Phase.PLACED, order_number="CTQ-1001", intent=None)
    third = full_record("alpha", "tophoto", system="tophoto", phase=Phase.UNCERTAIN, intent="place", done=())
    for record in (first, second, third):
        each_store.save(record)

    assert each_store.get("bracket", "ctq-prod") == first
    assert each_store.get("bracket", "ctq-staging") == second
    assert each_store.get("bracket", "other") is None
    assert each_store.get("nothing", "ctq-prod") is None
    assert each_store.list() == [third, first, second]  # by name, then profile
    loaded = each_store.get("alpha", "tophoto")
    assert loaded is not None
    assert (loaded.phase, loaded.intent, loaded.created_at.tzinfo) == (Phase.UNCERTAIN, "place", UTC)


def test_saving_again_replaces_the_record_but_keeps_when_it_was_created(each_store: StateStore) -> None:
    each_store.save(full_record())
    later = full_record(
        created_at=T0 + timedelta(days=1),
        updated_at=T0 + timedelta(days=1),
        phase=Phase.PLACED,
        order_number="CTQ-7",
        done=("login", "upload[0]", "upload[1]", "place"),
        vars={"order_id": 7},
    )
    each_store.save(later)

    stored = each_store.get("bracket", "ctq-prod")
    assert stored is not None
    assert (stored.phase, stored.order_number, stored.done[-1], dict(stored.vars)) == (Phase.PLACED, "CTQ-7", "place", {"order_id": 7})
    assert stored.created_at == T0
    assert stored.updated_at == T0 + timedelta(days=1)
    assert len(each_store.list()) == 1


def test_history_keeps_each_event_in_order(each_store: StateStore) -> None:
    record = full_record(phase=Phase.PENDING)
    each_store.save(record, "apply-started", "specs/bracket.yaml")
    each_store.save(record.evolve(at=T0 + timedelta(seconds=5), done=("login",)))  # a checkpoint: no entry
    each_store.save(record.evolve(at=T0 + timedelta(seconds=9), phase=Phase.PLACED, order_number="CTQ-9"), "placed", "order CTQ-9")

    assert each_store.history("bracket", "ctq-prod") == [
        HistoryEntry(T0 + timedelta(seconds=3), "apply-started", "specs/bracket.yaml"),
        HistoryEntry(T0 + timedelta(seconds=9), "placed", "order CTQ-9"),
    ]
    assert each_store.history("bracket", "elsewhere") == []


def test_forget_removes_the_record_and_leaves_a_forgotten_entry(each_store: StateStore) -> None:
    each_store.save(full_record(phase=Phase.PLACED, order_number="CTQ-1"), "placed", "order CTQ-1")
    each_store.save(full_record("other"))

    assert each_store.forget("bracket", "ctq-prod") is True
    assert each_store.get("bracket", "ctq-prod") is None
    assert [record.name for record in each_store.list()] == ["other"]
    assert [entry.action for entry in each_store.history("bracket", "ctq-prod")] == ["placed", "forgotten"]
    assert each_store.forget("bracket", "ctq-prod") is False
    assert [entry.action for entry in each_store.history("bracket", "ctq-prod")] == ["placed", "forgotten"]


def test_a_value_that_is_not_json_data_is_refused(each_store: StateStore) -> None:
    with pytest.raises(TypeError, match="JSON data"):
        MemoryStore(redact=str).save(full_record(vars={"when": object()}))
    if not isinstance(each_store, MemoryStore):
        with pytest.raises(TypeError, match="JSON data"):
            each_store.save(full_record(vars={"when": object()}))
        assert each_store.get("bracket", "ctq-prod") is None


def test_what_one_store_saves_another_on_the_same_url_reads(opener: Callable[..., StateStore]) -> None:
    writer, reader = opener(), opener()
    writer.save(full_record(), "apply-started")
    assert reader.get("bracket", "ctq-prod") == full_record()
    writer.close()
    assert opener().history("bracket", "ctq-prod")[0].action == "apply-started"


def _fail_history_writes(url: str) -> None:
    """Make the database itself reject history rows whose action is 'boom' (a trigger)."""
    if url.startswith("sqlite://"):
        lite = sqlite3.connect(url.removeprefix("sqlite://"))
        lite.execute("CREATE TRIGGER boom BEFORE INSERT ON history WHEN NEW.action = 'boom' BEGIN SELECT RAISE(ABORT, 'history write failed'); END")
        lite.commit()
        lite.close()
        return
    import psycopg
    from psycopg import sql

    database, schema = url.split("?schema=")
    with psycopg.connect(database, autocommit=True) as connection:
        connection.execute(
            sql.SQL(
                "CREATE FUNCTION {schema}.boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "IF NEW.action = 'boom' THEN RAISE EXCEPTION 'history write failed'; END IF; RETURN NEW; END $$"
            ).format(schema=sql.Identifier(schema))
        )
        connection.execute(
            sql.SQL("CREATE TRIGGER boom BEFORE INSERT ON {schema}.history FOR EACH ROW EXECUTE FUNCTION {schema}.boom()").format(schema=sql.Identifier(schema))
        )


@pytest.mark.parametrize("intent", [None, "place"], ids=["checkpoint", "intent"])
def test_a_save_whose_history_write_fails_changes_nothing(opener: Callable[..., StateStore], url: str, intent: str | None) -> None:
    store = opener()
    before = full_record()
    store.save(before, "apply-started")
    _fail_history_writes(url)

    with pytest.raises(StateError, match="history write failed"):
        store.save(before.evolve(phase=Phase.PLACED, order_number="CTQ-5", intent=intent, done=(*before.done, "place")), "boom", "x")

    assert store.get("bracket", "ctq-prod") == before
    assert [entry.action for entry in store.history("bracket", "ctq-prod")] == ["apply-started"]
    assert opener().get("bracket", "ctq-prod") == before  # as another process sees it
    store.save(before.evolve(phase=Phase.PLACED, order_number="CTQ-5"), "placed")  # the store still works
    assert [entry.action for entry in store.history("bracket", "ctq-prod")] == ["apply-started", "placed"]


def test_record_values() -> None:
    record = Record("bracket", "ctq", system="ctq", digest="d", phase="uncertain")  # type: ignore[arg-type]
    assert record.phase is Phase.UNCERTAIN
    with pytest.raises(TypeError):
        record.vars["x"] = 1  # type: ignore[index]
    with pytest.raises(ValueError, match="timezone-aware"):
        Record("bracket", "ctq", system="ctq", digest="d", created_at=datetime(2024, 1, 1))
    with pytest.raises(ValueError, match="spec name and a profile"):
        Record("", "ctq", system="ctq", digest="d")
    paris = Record("b", "p", system="s", digest="d", updated_at=datetime(2024, 1, 1, 13, tzinfo=timezone(timedelta(hours=1))))
    assert paris.updated_at == datetime(2024, 1, 1, 12, tzinfo=UTC) and paris.updated_at.tzinfo is UTC
    later = record.evolve(at=T0, done=("login",))
    assert (later.updated_at, later.done, later.created_at) == (T0, ("login",), record.created_at)
    assert record.as_json()["phase"] == "uncertain"


def test_a_record_crosses_to_another_process() -> None:
    record = full_record(history=(HistoryEntry(T0, "placed", "order 1"),))
    copy = pickle.loads(pickle.dumps(record))
    assert copy == record and copy.history == record.history and copy.vars["lines"][0]["price"] == 12.5
