"""Fault injection for every sandbox: latency, error answers, dropped connections, lost responses.

The middleware sits in front of a vendor app and decides per request, from a random
generator seeded with ``FaultConfig.seed``, what goes wrong. The n-th affected request
always gets the same fate for the same seed, so a test that saw a failure sees it again.

What a client observes (httpx over loopback):

- *error*: an ordinary answer with one of ``error_statuses`` and the vendor's error body
  (``{"error": "..."}`` unless the app supplies ``app.state.fault_error_body``);
- *drop*: the connection closes before the request reaches the app; httpx raises
  ``httpx.RemoteProtocolError`` ("Server disconnected without sending a response");
- *lost response*: the app carries the request out completely (an order is placed),
  then the connection closes instead of the answer; the client sees the same error as
  for a drop and cannot tell whether anything happened.

Inspection paths (``/_sandbox/...``) are never affected. ``GET /_sandbox/faults`` answers
how many requests met each fault so far; ``POST /_sandbox/reset`` also restarts the
random sequence, so a reset sandbox repeats its faults from the start.
"""

from __future__ import annotations

import asyncio
import fnmatch
import json
import random
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from orderspec.sandbox._config import FaultConfig

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

ErrorBody = Callable[[int, str], Any]
"""``(status, message) -> JSON-serialisable body`` of an injected error answer."""

_INSPECTION_PREFIX = "/_sandbox/"
_COUNTS_PATH = "/_sandbox/faults"
_RESET_PATH = "/_sandbox/reset"
_MESSAGES = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
    429: "Too Many Requests",
}


def neutral_error_body(status: int, message: str) -> dict[str, str]:
    """The vendor-neutral error body, ``{"error": "..."}``."""
    return {"error": message}


class _Abort(Exception):
    """Raised to make the server close a connection when its transport is out of reach."""


class FaultMiddleware:
    """ASGI middleware injecting the faults of a ``FaultConfig`` into ``app``."""

    def __init__(self, app: ASGIApp, faults: FaultConfig, error_body: ErrorBody | None = None) -> None:
        self.app = app
        self.faults = faults
        self.error_body = error_body
        self._random = random.Random(faults.seed)
        self._active = bool(
            faults.latency_ms > 0 or faults.error_rate > 0 or faults.drop_rate > 0 or faults.lost_response_rate > 0
        )
        self.counts: dict[str, int] = {"latency": 0, "error": 0, "drop": 0, "lost_response": 0}
        """How many requests met each fault, for tests and for ``/_sandbox/faults``."""

    def __getattr__(self, name: str) -> Any:
        # ``state``, ``routes`` … of the wrapped Starlette app stay reachable through the wrapper.
        return getattr(self.app, name)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if path.startswith(_INSPECTION_PREFIX):
            if path == _COUNTS_PATH and scope["method"] == "GET":
                await _send_json(send, 200, self.counts)
                return
            if path == _RESET_PATH and scope["method"] == "POST":
                self.reset()
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if not self._active or not self._affects(method, path):
            await self.app(scope, receive, send)
            return
        fate, status = self._draw()
        if fate == "lost_response" and self.faults.lost_response_paths and not _any_match(method, path, self.faults.lost_response_paths):
            fate = "pass"
        if self.faults.latency_ms > 0:
            self.counts["latency"] += 1
            await asyncio.sleep(self.faults.latency_ms / 1000)
        if fate == "drop":
            self.counts["drop"] += 1
            await _close_connection(send)
        elif fate == "error":
            self.counts["error"] += 1
            await self._send_error(status, send)
        elif fate == "lost_response":
            self.counts["lost_response"] += 1
            await self.app(scope, receive, _swallow)
            await _close_connection(send)
        else:
            await self.app(scope, receive, send)

    def reset(self) -> None:
        """Start the random sequence and the counts afresh."""
        self._random = random.Random(self.faults.seed)
        for name in self.counts:
            self.counts[name] = 0

    def _affects(self, method: str, path: str) -> bool:
        return not self.faults.paths or _any_match(method, path, self.faults.paths)

    def _draw(self) -> tuple[str, int]:
        """The fate of the next affected request; always two draws, so fates never shift."""
        roll = self._random.random()
        pick = self._random.random()
        statuses = self.faults.error_statuses or (500,)
        status = statuses[min(int(pick * len(statuses)), len(statuses) - 1)]
        threshold = self.faults.drop_rate
        if roll < threshold:
            return "drop", status
        threshold += self.faults.error_rate
        if roll < threshold:
            return "error", status
        threshold += self.faults.lost_response_rate
        if roll < threshold:
            return "lost_response", status
        return "pass", status

    async def _send_error(self, status: int, send: Send) -> None:
        message = _MESSAGES.get(status, "Injected fault")
        await _send_json(send, status, (self.error_body or neutral_error_body)(status, message))


async def _send_json(send: Send, status: int, body: Any) -> None:
    payload = json.dumps(body).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


def _any_match(method: str, path: str, patterns: tuple[str, ...]) -> bool:
    return any(_matches(method, path, pattern) for pattern in patterns)


def _matches(method: str, path: str, pattern: str) -> bool:
    """A pattern is a path prefix, or a glob when it holds ``*`` (``/orders/*/place-order``).

    With a method first (``POST /v1/orders``) it is the method and the whole path, ``*`` matching within.
    """
    if not pattern.startswith("/"):
        wanted, _, whole = pattern.partition(" ")
        return method == wanted and fnmatch.fnmatchcase(path, whole)
    if "*" in pattern:
        return fnmatch.fnmatchcase(path, pattern)
    return path.startswith(pattern)


async def _swallow(message: Message) -> None:
    """A ``send`` that loses everything: the answer never leaves the server."""


async def _close_connection(send: Send) -> None:
    """Close the client's connection without an answer.

    uvicorn's ``send`` is a bound method of its request cycle, which holds the transport;
    aborting it makes the client see a plain disconnect. Failing that, start a response
    and raise, which uvicorn answers by closing the connection mid-response.
    """
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is not None and hasattr(transport, "abort"):
        transport.abort()
        for _ in range(10):  # let the server notice, so it does not try to answer on its own
            if getattr(cycle, "disconnected", True):
                break
            await asyncio.sleep(0)
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1")]})
    raise _Abort("connection dropped by fault injection")
