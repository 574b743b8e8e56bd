from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from orderspec.sandbox._server import RunningSandbox, serve_in_thread

from ._app import State, create_app

DATA = Path(__file__).parent / "data"


class Server:
    def __init__(self, running: RunningSandbox, state: State) -> None:
        self.running = running
        self.state = state
        self.base_url = running.base_url


@pytest.fixture
def service_panel() -> Iterator[Server]:
    """The local Service Panel stand-in over real HTTP on 127.0.0.1, fresh for each test."""
    app, state = create_app()
    running = serve_in_thread(app)
    try:
        yield Server(running, state)
    finally:
        running.stop()
