"""Which store a URL opens: --state, then ORDERSPEC_STATE, then .orderspec/state.db."""

from __future__ import annotations

from pathlib import Path

import pytest

from orderspec.errors import UsageError
from orderspec.state import MemoryStore, PostgresStore, Record, SqliteStore, StateStore, default_state_path, open_store, state_url


def test_without_a_url_the_state_is_sqlite_in_dot_orderspec(tmp_path: Path) -> None:
    with open_store(None, root=tmp_path) as store:
        assert isinstance(store, SqliteStore)
        assert store.path == tmp_path / ".orderspec" / "state.db" == default_state_path(tmp_path)
        store.save(Record("a", "p", system="ctq", digest="d"))
    assert (tmp_path / ".orderspec" / "state.db").is_file()


@pytest.mark.parametrize("form", ["sqlite://{abs}", "sqlite:{rel}", "{rel}", "{abs}", "SQLite://{abs}"])
def test_sqlite_forms(form: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    url = form.format(abs=tmp_path / "x" / "state.db", rel="x/state.db")
    with open_store(url, root=tmp_path / "elsewhere") as store:
        assert isinstance(store, SqliteStore)
        assert store.path.resolve() == tmp_path / "x" / "state.db"
    assert not (tmp_path / "elsewhere").exists()


def test_postgres_forms(postgresql_url: str, tmp_path: Path) -> None:
    schema = postgresql_url.split("?schema=")[1]
    for url in (postgresql_url, postgresql_url.replace("postgresql://", "postgres://") + "&application_name=ci"):
        with open_store(url, root=tmp_path) as store:
            assert isinstance(store, PostgresStore)
            assert store.schema == schema
    assert not (tmp_path / ".orderspec").exists()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://db/orders", "orderspec cannot keep state at 'mysql://db/orders'"),
        ("redis:6379", "orderspec cannot keep state at 'redis:6379'"),
        ("sqlite://host/state.db", "names a host"),
        ("sqlite:", "names no file"),
        ("postgresql://127.0.0.1:5432/test?schema=", "names an empty schema"),
    ],
)
def test_other_urls_are_usage_errors_listing_the_forms(url: str, message: str, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=message) as caught:
        open_store(url, root=tmp_path)
    assert caught.value.exit_code == 2
    if "cannot keep" in message:
        assert "sqlite:///absolute/path" in str(caught.value) and "postgresql://" in str(caught.value)


def test_state_url_prefers_the_option_then_the_environment() -> None:
    environ = {"ORDERSPEC_STATE": "postgresql://db/orders"}
    assert state_url("sqlite:x.db", environ) == "sqlite:x.db"
    assert state_url(None, environ) == "postgresql://db/orders"
    assert state_url("", environ) == "postgresql://db/orders"
    assert state_url(None, {"ORDERSPEC_STATE": "  "}) is None
    assert state_url(None, {}) is None


def test_every_store_is_a_state_store(tmp_path: Path) -> None:
    with open_store(None, root=tmp_path) as store:
        assert isinstance(store, StateStore)
    assert isinstance(MemoryStore(), StateStore)
