"""Starting sandboxes from tests: a context manager, and the pieces the pytest fixture uses."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from runner.sandbox import create_app
from runner.sandbox._config import SandboxConfig
from runner.sandbox._server import RunningSandbox, serve_in_thread

__all__ = ["RunningSandbox", "SandboxFactory", "running_sandbox"]


@contextmanager
def running_sandbox(system: str, config: SandboxConfig | None = None) -> Iterator[RunningSandbox]:
    """Serve the ``system`` sandbox on 127.0.0.1 on a free port for the ``with`` block."""
    sandbox = serve_in_thread(create_app(system, config))
    try:
        yield sandbox
    finally:
        sandbox.stop()


class SandboxFactory:
    """Starts sandboxes on demand and stops all of them on ``close()``.

    The ``sandbox`` pytest fixture is one of these: ``sandbox("ctq", config=...)``.
    """

    def __init__(self) -> None:
        self._stack = ExitStack()

    def __call__(self, system: str, config: SandboxConfig | None = None) -> RunningSandbox:
        return self._stack.enter_context(running_sandbox(system, config))

    def close(self) -> None:
        self._stack.close()
