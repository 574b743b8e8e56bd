"""State tests run against real SQLite files and a real PostgreSQL database.

The PostgreSQL database is created for the test session (via the ``postgres`` user on
127.0.0.1:5432) and dropped afterwards; each test gets its own schema in it. Without a
reachable server the PostgreSQL cases are skipped, saying why.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from orderspec.state import StateStore, open_store

PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """URL of a PostgreSQL database made for this test session."""
    psycopg = pytest.importorskip("psycopg")
    from psycopg import sql

    try:
        admin = psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.skip(f"no PostgreSQL server reachable at 127.0.0.1:5432 as user postgres ({str(exc).strip().splitlines()[0]})")
    name = f"orderspec_state_test_{uuid.uuid4().hex[:10]}"
    admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.close()


@pytest.fixture
def postgresql_url(pg_database: str) -> str:
    """A PostgreSQL state URL with a schema of its own, fresh for each test."""
    return f"{pg_database}?schema=t_{uuid.uuid4().hex[:10]}"


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite://{tmp_path}/state/state.db"


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest) -> str:
    """A state URL on each real backend."""
    return str(request.getfixturevalue(f"{request.param}_url"))


@pytest.fixture
def opener(url: str, tmp_path: Path) -> Iterator[Callable[..., StateStore]]:
    """Opens stores on ``url`` (as many as a test wants) and closes them at the end."""
    stores: list[StateStore] = []

    def open_(**options: object) -> StateStore:
        store = open_store(url, root=tmp_path, **options)  # type: ignore[arg-type]
        stores.append(store)
        return store

    yield open_
    for store in stores:
        store.close()


@pytest.fixture
def store(opener: Callable[..., StateStore]) -> StateStore:
    return opener()


def python(code: str, *args: str, **popen: object) -> subprocess.Popen[str]:
    """Start ``code`` in a new Python process (orderspec importable), stdin/stdout as pipes."""
    env = {key: value for key, value in os.environ.items() if key != "ORDERSPEC_STATE"}
    return subprocess.Popen(  # type: ignore[call-overload,no-any-return]
        [sys.executable, "-c", textwrap.dedent(code), *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
        **popen,
    )
