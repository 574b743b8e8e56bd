"""Serving a sandbox app over real HTTP: in a background thread for tests, or in the foreground."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import uvicorn


@dataclass(frozen=True)
class RunningSandbox:
    """A sandbox listening on ``base_url`` until ``stop()`` (or the ``with`` block ends)."""

    base_url: str
    server: uvicorn.Server
    thread: threading.Thread
    app: Any

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def __enter__(self) -> RunningSandbox:
        return self

    def __exit__(self, *exc: tuple[type[BaseException], BaseException, TracebackType]) -> None:
        self.stop()


def bind(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A TCP socket bound to ``host:port`` (0 picks a free port)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # asyncio sets TCP_NODELAY only for proto IPPROTO_TCP
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def serve_in_thread(app: Any, host: str = "127.0.0.1", port: int = 0) -> RunningSandbox:
    """Start ``app`` under uvicorn on ``host:port`` (0 picks a free port) and wait until it listens."""
    sock = bind(host, port)
    bound_port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True, name=f"sandbox:{bound_port}")
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            thread.join(timeout=1)
            sock.close()  # not left listening behind a sandbox that never answers
            raise RuntimeError("sandbox server did not start")
        time.sleep(0.005)
    return RunningSandbox(base_url=f"http://{host}:{bound_port}", server=server, thread=thread, app=app)


SHUTDOWN_GRACE_SECONDS = 2
"""How long requests in flight may still take after Ctrl-C or SIGTERM (an injected latency may be minutes)."""


def serve_forever(app: Any, sock: socket.socket, on_ready: Callable[[], None]) -> None:
    """Serve ``app`` on ``sock`` in this thread until Ctrl-C or SIGTERM; ``on_ready`` runs once it listens.

    Requests still in flight get ``SHUTDOWN_GRACE_SECONDS`` to finish, then are cancelled, so
    a process manager's SIGTERM stops the sandbox promptly whatever its faults delay.
    """

    class _Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=sockets)
            if not self.should_exit:
                on_ready()

        async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
            # a request cancelled after the grace period is expected now, not an error to print a traceback for
            logging.getLogger("uvicorn.error").setLevel(logging.CRITICAL)
            await super().shutdown(sockets=sockets)

    config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False, timeout_graceful_shutdown=SHUTDOWN_GRACE_SECONDS)
    _Server(config).run(sockets=[sock])
