"""The schema is created by orderspec, versioned, and migrated once, even by racing processes."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from orderspec.state import PostgresStore, Record, SqliteStore, StateFormatError, StateUnavailable, open_store

from .conftest import python

RECORD = Record("bracket", "ctq", system="ctq", digest="d1")

OPEN_AND_SAVE = """
import sys
from pathlib import Path
from orderspec.state import Record, open_store
with open_store(sys.argv[1], root=Path(".")) as store:
    store.save(Record(sys.argv[2], "p", system="ctq", digest="d"), "created")
print("ok")
"""


# -- SQLite ---------------------------------------------------------------------------------


def test_a_new_sqlite_file_gets_the_whole_schema_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "state.db"
    with SqliteStore(path) as store:
        store.save(RECORD)
    connection = sqlite3.connect(path)
    assert connection.execute("PRAGMA user_version").fetchone()[0] == SqliteStore.SCHEMA_VERSION
    assert connection.execute("PRAGMA application_id").fetchone()[0] == SqliteStore.APPLICATION_ID
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"records", "history", "locks"} <= tables


def test_reopening_a_sqlite_file_keeps_its_records_and_migrates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    with SqliteStore(path) as store:
        store.save(RECORD, "created")
    schema_before = sqlite3.connect(path).execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall()
    for _ in range(2):
        with SqliteStore(path) as store:
            assert store.get("bracket", "ctq") == RECORD
            assert len(store.history("bracket", "ctq")) == 1
    assert sqlite3.connect(path).execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall() == schema_before


def test_a_sqlite_file_from_a_newer_orderspec_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    SqliteStore(path).close()
    connection = sqlite3.connect(path)
    connection.execute(f"PRAGMA user_version = {SqliteStore.SCHEMA_VERSION + 3}")
    connection.close()
    with pytest.raises(StateFormatError, match=r"newer orderspec \(state schema 4; this orderspec knows up to 1\)") as caught:
        SqliteStore(path)
    assert "upgrade orderspec" in str(caught.value)


def test_a_file_that_is_not_a_database_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    path.write_bytes(b"this is a text file, not a database\n" * 200)
    with pytest.raises(StateFormatError, match="is not a SQLite database") as caught:
        open_store(str(path), root=tmp_path)
    assert str(path) in str(caught.value)
    assert path.read_bytes() == b"this is a text file, not a database\n" * 200


def test_a_database_orderspec_did_not_create_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE users (id INTEGER)")
    connection.commit()
    connection.close()
    with pytest.raises(StateFormatError, match="a SQLite database that orderspec did not create"):
        SqliteStore(path)
    assert sqlite3.connect(path).execute("SELECT name FROM sqlite_master").fetchall() == [("users",)]


def test_a_state_folder_that_cannot_be_created_is_reported(tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("a file where the folder should be")
    with pytest.raises(StateUnavailable, match="cannot create the state folder .*blocker") as caught:
        SqliteStore(tmp_path / "blocker" / "state.db")
    assert "--state or ORDERSPEC_STATE" in str(caught.value)
    with pytest.raises(StateUnavailable, match="is a folder"):
        SqliteStore(tmp_path)


@pytest.mark.skipif(os.geteuid() == 0, reason="file permissions do not stop root")
def test_a_state_file_without_write_permission_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    SqliteStore(path).close()
    path.chmod(0o444)
    tmp_path.chmod(0o555)
    try:
        with pytest.raises(StateUnavailable, match="permission denied"):
            SqliteStore(path).save(RECORD)
    finally:
        tmp_path.chmod(0o755)


def test_processes_creating_one_sqlite_file_at_once_all_succeed(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path}/fresh/state.db"
    processes = [python(OPEN_AND_SAVE, url, f"spec-{index}") for index in range(4)]
    results = [process.communicate(timeout=60) for process in processes]
    assert [(process.returncode, out) for process, (out, _) in zip(processes, results)] == [(0, "ok\n")] * 4, results
    with open_store(url, root=tmp_path) as store:
        assert [record.name for record in store.list()] == [f"spec-{index}" for index in range(4)]


# -- PostgreSQL -----------------------------------------------------------------------------


def _connect(url: str):  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(url.split("?schema=")[0], autocommit=True)


def _schema(url: str) -> str:
    return url.split("?schema=")[1]


def test_a_new_postgres_schema_is_created_and_versioned(postgresql_url: str, tmp_path: Path) -> None:
    with open_store(postgresql_url, root=tmp_path) as store:
        store.save(RECORD)
    with _connect(postgresql_url) as connection:
        schema = _schema(postgresql_url)
        versions = connection.execute(f'SELECT version, orderspec FROM "{schema}".schema_version ORDER BY version').fetchall()
        tables = {row[0] for row in connection.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", (schema,))}
    assert [version for version, _ in versions] == list(range(1, PostgresStore.SCHEMA_VERSION + 1))
    assert tables == {"schema_version", "records", "history", "locks"}


def test_a_new_postgres_database_gets_the_default_schema(pg_database: str, tmp_path: Path) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(pg_database, autocommit=True) as admin:
        admin.execute("DROP SCHEMA IF EXISTS orderspec CASCADE")
        try:
            with open_store(pg_database, root=tmp_path) as store:
                assert store.description.endswith("(schema orderspec)")
                store.save(RECORD)
            with open_store(pg_database, root=tmp_path) as store:
                assert store.get("bracket", "ctq") == RECORD
            assert admin.execute(sql.SQL("SELECT count(*) FROM orderspec.schema_version")).fetchone() == (PostgresStore.SCHEMA_VERSION,)
        finally:
            admin.execute("DROP SCHEMA IF EXISTS orderspec CASCADE")


def test_reopening_a_postgres_schema_keeps_its_records_and_migrates_nothing(postgresql_url: str, tmp_path: Path) -> None:
    with open_store(postgresql_url, root=tmp_path) as store:
        store.save(RECORD, "created")
    for _ in range(2):
        with open_store(postgresql_url, root=tmp_path) as store:
            assert store.get("bracket", "ctq") == RECORD
    with _connect(postgresql_url) as connection:
        assert connection.execute(f'SELECT count(*) FROM "{_schema(postgresql_url)}".schema_version').fetchone() == (PostgresStore.SCHEMA_VERSION,)


def test_a_postgres_schema_from_a_newer_orderspec_is_refused(postgresql_url: str, tmp_path: Path) -> None:
    open_store(postgresql_url, root=tmp_path).close()
    with _connect(postgresql_url) as connection:
        connection.execute(f"INSERT INTO \"{_schema(postgresql_url)}\".schema_version (version, orderspec) VALUES (7, '9.0')")
    with pytest.raises(StateFormatError, match=r"newer orderspec \(state schema 7; this orderspec knows up to 1\)"):
        open_store(postgresql_url, root=tmp_path)


def test_processes_migrating_one_postgres_schema_at_once_all_succeed(postgresql_url: str) -> None:
    processes = [python(OPEN_AND_SAVE, postgresql_url, f"spec-{index}") for index in range(4)]
    results = [process.communicate(timeout=60) for process in processes]
    assert [(process.returncode, out) for process, (out, _) in zip(processes, results)] == [(0, "ok\n")] * 4, results
    with _connect(postgresql_url) as connection:
        schema = _schema(postgresql_url)
        assert connection.execute(f'SELECT count(*) FROM "{schema}".schema_version').fetchone() == (PostgresStore.SCHEMA_VERSION,)
        assert connection.execute(f'SELECT count(*) FROM "{schema}".records').fetchone() == (4,)


def test_a_role_that_may_not_create_the_schema_gets_a_permission_message(pg_database: str, tmp_path: Path) -> None:
    role = f"orderspec_reader_{os.getpid()}"
    with _connect(pg_database) as admin:
        admin.execute(f"CREATE ROLE {role} LOGIN")
        try:
            url = pg_database.replace("postgres@", f"{role}@") + "?schema=not_allowed"
            with pytest.raises(StateUnavailable, match="permission denied: cannot prepare the state in schema not_allowed at 127.0.0.1:5432") as caught:
                open_store(url, root=tmp_path)
            assert "grant the role CREATE" in str(caught.value)
        finally:
            admin.execute(f"DROP ROLE {role}")
