from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from orderspec.sandbox._server import RunningSandbox, serve_in_thread

from ._app import State, create_app


class Server:
    def __init__(self, running: RunningSandbox, state: State) -> None:
        self.running = running
        self.state = state
        self.base_url = running.base_url


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    app, state = create_app()
    running = serve_in_thread(app)
    try:
        yield Server(running, state)
    finally:
        running.stop()


@pytest.fixture
def write_flow(tmp_path: Path):
    """Write a flow file from text and return its path."""

    def write(text: str, name: str = "flow.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


class Hangup:
    def __init__(self, url: str, seen: list[bytes]) -> None:
        self.url = url
        self.seen = seen


@pytest.fixture
def hangup_server() -> Iterator[Hangup]:
    """A server that reads a request and closes the connection without answering."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    stop = threading.Event()
    seen: list[bytes] = []

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(2)
                try:
                    seen.append(conn.recv(65536))
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield Hangup(f"http://127.0.0.1:{listener.getsockname()[1]}", seen)
    finally:
        stop.set()
        thread.join(2)
        listener.close()


def context(server: Server, **extra: Any) -> dict[str, Any]:
    base = {"target": {"base_url": server.base_url}, "secrets": {"token": "s3cr3t-token"}}
    base.update(extra)
    return base


HEAD = """apiVersion: orderspec/v1
kind: Flow
name: test
base_url: "{{ target.base_url }}"
"""


@pytest.fixture
def flow_of(write_flow):
    """Load a flow from its steps (YAML text after the common head)."""
    from orderspec.engine import load_flow

    def make(body: str):
        return load_flow(write_flow(HEAD + body))

    return make


@pytest.fixture
def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
