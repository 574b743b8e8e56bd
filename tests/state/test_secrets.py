"""No secret reaches the state, in any encoding; no password reaches a message."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from orderspec.errors import UsageError
from orderspec.state import MemoryStore, Phase, Record, StateUnavailable, describe_url, open_store

SECRET = 'tok-Ü"9\\z&7=ß'
NUMBER = 918273645


def forms(secret: str) -> set[str]:
    """Every way the secret could be spelled in a file: plain, JSON-escaped, URL-encoded."""
    return {secret, json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1], quote(secret, safe=""), quote_plus(secret)}


def redact(text: str) -> str:
    """A masker as the engine passes it: the values and their URL-encoded forms become ***."""
    for value in sorted(forms(SECRET) | {str(NUMBER)}, key=len, reverse=True):
        text = text.replace(value, "***")
    return text


def leaky_record() -> Record:
    return Record(
        "bracket",
        "ctq",
        system="ctq",
        digest="d",
        phase=Phase.IN_PROGRESS,
        remote_ids={"draft": "D-1", "upload": f"https://cdn.example/u?sig={quote(SECRET, safe='')}"},
        vars={
            "authorization": f"Bearer {SECRET}",
            "nested": [{"deep": [SECRET, 1]}, {SECRET: "as a key"}],
            "pin": NUMBER,
            "body": json.dumps({"password": SECRET}),
            "plain": "Widget, 12 pieces",
        },
    )


def test_a_masked_value_never_reaches_the_sqlite_files(tmp_path: Path) -> None:
    folder = tmp_path / "state"
    with open_store(f"sqlite://{folder}/state.db", root=tmp_path, redact=redact) as store:
        store.save(leaky_record(), "failed", f"step login answered 401 for token {SECRET} ({quote_plus(SECRET)})")
        store.save(leaky_record().evolve(intent="place"), "intent", f"{NUMBER}")
        written = b"".join(path.read_bytes() for path in folder.iterdir())  # the database, its WAL and shared memory
        stored = store.get("bracket", "ctq")
        history = store.history("bracket", "ctq")
    assert written, "nothing was written"
    for form in forms(SECRET) | {str(NUMBER)}:
        for encoding in ("utf-8", "utf-16-le", "latin-1"):
            try:
                needle = form.encode(encoding)
            except UnicodeEncodeError:
                continue
            assert needle not in written, (form, encoding)
    written_after_close = b"".join(path.read_bytes() for path in folder.iterdir())
    assert SECRET.encode() not in written_after_close and b"Widget, 12 pieces" in written_after_close

    assert stored is not None
    assert stored.vars["authorization"] == "Bearer ***" and stored.vars["pin"] == "***" and stored.vars["plain"] == "Widget, 12 pieces"
    assert stored.vars["nested"] == [{"deep": ["***", 1]}, {"***": "as a key"}]
    assert stored.remote_ids == {"draft": "D-1", "upload": "https://cdn.example/u?sig=***"}
    assert [entry.detail for entry in history] == ["step login answered 401 for token *** (***)", "***"]


def test_a_masked_value_never_reaches_the_postgres_tables(postgresql_url: str, tmp_path: Path) -> None:
    import psycopg

    with open_store(postgresql_url, root=tmp_path, redact=redact) as store:
        store.save(leaky_record(), "failed", f"token {SECRET}")
        store.save(leaky_record().evolve(intent="place"))
        with store.lock("bracket", "ctq", owner=f"apply {SECRET}"):  # even a careless owner text
            pass
    schema = postgresql_url.split("?schema=")[1]
    with psycopg.connect(postgresql_url.split("?schema=")[0]) as connection:
        tables = [row[0] for row in connection.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", (schema,))]
        dumped = "\n".join(str(row[0]) for table in tables for row in connection.execute(f'SELECT row_to_json(t)::text FROM "{schema}"."{table}" t'))
    assert "Widget, 12 pieces" in dumped
    for form in forms(SECRET) | {str(NUMBER)}:
        assert form not in dumped, form


def test_the_memory_store_masks_as_the_databases_do() -> None:
    store = MemoryStore(redact=redact)
    store.save(leaky_record(), "failed", SECRET)
    stored = store.get("bracket", "ctq")
    assert stored is not None and SECRET not in json.dumps(stored.as_json()) and store.history("bracket", "ctq")[0].detail == "***"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://ci:hunter2@db.internal:5432/orders", "postgresql://ci:***@db.internal:5432/orders"),
        ("postgres://ci:p%40ss%3Aword@db:5432/orders?schema=team&sslmode=require", "postgres://ci:***@db:5432/orders?schema=team&sslmode=require"),
        ("postgresql://ci@db/orders?password=hunter2&sslmode=require", "postgresql://ci@db/orders?password=***&sslmode=require"),
        ("postgresql://db/orders", "postgresql://db/orders"),
        ("postgresql://ci:hunter2@[::1/orders?password=x", "postgresql://ci:***@[::1/orders?password=***"),
        ("host=db user=ci password='hun ter2' dbname=orders", "host=db user=ci password=*** dbname=orders"),
        ("host=db password=hunter2", "host=db password=***"),
        ("sqlite:///var/lib/state.db", "sqlite:///var/lib/state.db"),
        (".orderspec/state.db", ".orderspec/state.db"),
    ],
)
def test_describe_url_hides_the_password(url: str, shown: str) -> None:
    assert describe_url(url) == shown


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_unreachable_postgres_names_host_and_port_but_not_the_password(tmp_path: Path) -> None:
    port = _closed_port()
    url = f"postgresql://ci:s3cret%21pw@127.0.0.1:{port}/orders"
    with pytest.raises(StateUnavailable) as caught:
        open_store(url, root=tmp_path)
    message = str(caught.value)
    assert f"cannot reach the PostgreSQL state database at 127.0.0.1:{port}" in message
    assert "Connection refused" in message
    assert "s3cret" not in message and "%21" not in message and "pw" not in message.split("state database")[1]
    assert "ORDERSPEC_STATE" in message


def test_an_open_store_describes_itself_without_the_password(postgresql_url: str, tmp_path: Path) -> None:
    url = postgresql_url.replace("postgres@", "postgres:hunter2@")  # the test server trusts loopback: any password opens it
    with open_store(url, root=tmp_path) as store:
        assert "hunter2" not in store.description
        assert store.description.startswith("PostgreSQL postgresql://postgres:***@127.0.0.1:5432/")


@pytest.mark.parametrize("url", ["postgresql://ci:hunter2@127.0.0.1:5432/orders?colour=blue", "postgresql://ci:hunter2@[::1/orders"])
def test_an_unreadable_postgres_url_is_a_usage_error_without_the_password(url: str, tmp_path: Path) -> None:
    with pytest.raises(UsageError) as caught:
        open_store(url, root=tmp_path)
    assert "hunter2" not in str(caught.value)
    assert f"the PostgreSQL state URL {url.replace('hunter2', '***')} cannot be read" in str(caught.value)
