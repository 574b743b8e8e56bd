"""Choosing the store from a URL: ``--state``, then ``ORDERSPEC_STATE``, then the SQLite default."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

from orderspec.errors import UsageError
from orderspec.state._codec import Redact
from orderspec.state._conninfo import describe_url, is_postgres_url, split_schema
from orderspec.state._store import StateStore

ENVIRONMENT_VARIABLE = "ORDERSPEC_STATE"
STATE_FILE = Path(".orderspec") / "state.db"
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+):")
_FORMS = "a file path, sqlite:///absolute/path, sqlite:relative/path, or postgresql://USER@HOST:PORT/DATABASE[?schema=NAME]"


def state_url(explicit: str | None, environ: Mapping[str, str] | None = None) -> str | None:
    """The state URL to use: ``explicit`` (``--state``), else ``ORDERSPEC_STATE``, else None (the default)."""
    if explicit and explicit.strip():
        return explicit.strip()
    value = (os.environ if environ is None else environ).get(ENVIRONMENT_VARIABLE, "").strip()
    return value or None


def default_state_path(root: Path) -> Path:
    """Where the SQLite state lives without a URL: ``.orderspec/state.db`` in ``root``."""
    return root / STATE_FILE


def sqlite_path(url: str) -> Path | None:
    """The file a SQLite URL or bare path names; None for any other URL.

    ``sqlite:///abs/path`` is absolute, ``sqlite:rel/path`` and bare paths are relative to
    the current folder.
    """
    match = _SCHEME.match(url)
    if match is None:
        return Path(url).expanduser()
    if match.group(1).lower() != "sqlite":
        return None
    rest = url[match.end() :]
    if rest.startswith("//"):
        rest = rest[2:]
        if not rest.startswith("/"):
            raise UsageError(f"the SQLite state URL {url!r} names a host", hint="write sqlite:///absolute/path or sqlite:relative/path")
    if not rest:
        raise UsageError(f"the SQLite state URL {url!r} names no file", hint="write sqlite:///absolute/path or sqlite:relative/path")
    return Path(rest).expanduser()


def open_store(url: str | None, *, root: Path, redact: Redact | None = None) -> StateStore:
    """Open (creating and migrating as needed) the store ``url`` names.

    None means the SQLite file ``root/.orderspec/state.db``. ``redact`` is the caller's
    secret masker: it is applied to captured variables, remote ids and history details
    before anything is written.
    """
    if url is None or not url.strip():
        from orderspec.state._sqlite import SqliteStore

        return SqliteStore(default_state_path(root), redact=redact)
    url = url.strip()
    if is_postgres_url(url):
        from orderspec.state._postgres import DEFAULT_SCHEMA, PostgresStore

        conninfo, schema = split_schema(url, DEFAULT_SCHEMA)
        if not schema:
            raise UsageError(f"the state URL {describe_url(url)} names an empty schema", hint="write ?schema=NAME or leave it out")
        return PostgresStore(conninfo, schema=schema, redact=redact)
    path = sqlite_path(url)
    if path is None:
        raise UsageError(f"orderspec cannot keep state at {describe_url(url)!r}", hint=f"use {_FORMS}")
    from orderspec.state._sqlite import SqliteStore

    return SqliteStore(path, redact=redact)
