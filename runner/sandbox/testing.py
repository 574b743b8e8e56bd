"""Starting sandboxes from tests: a context manager, and the pieces the pytest fixture uses."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from orderspec.sandbox import create_app
from orderspec.sandbox._config import SandboxConfig
from orderspec.sandbox._server import RunningSandbox, serve_in_thread

__all__ = ["RunningSandbox", "SandboxFactory", "cube_stl", "running_sandbox"]


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


def cube_stl(edge: float = 10.0) -> bytes:
    """A closed binary STL cube with the given edge length (a 10 mm cube is 1 cm³)."""
    corners = [(0, 0, 0), (1, 0, 0), (1, 1, 0), (0, 1, 0), (0, 0, 1), (1, 0, 1), (1, 1, 1), (0, 1, 1)]
    faces = [
        (0, 2, 1),
        (0, 3, 2),
        (4, 5, 6),
        (4, 6, 7),
        (0, 1, 5),
        (0, 5, 4),
        (1, 2, 6),
        (1, 6, 5),
        (2, 3, 7),
        (2, 7, 6),
        (3, 0, 4),
        (3, 4, 7),
    ]
    data = bytearray(80) + struct.pack("<I", len(faces))
    for triangle in faces:
        points = [coordinate * edge for corner in triangle for coordinate in corners[corner]]
        data += struct.pack("<12fH", 0, 0, 0, *points, 0)
    return bytes(data)
