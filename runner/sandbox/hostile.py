"""A loopback HTTP server that misbehaves on purpose, to test a client's defences.

It echoes what it receives (headers, query, body) in error answers, plainly, JSON-escaped,
URL-encoded or with its blanks doubled; it drips answers a byte at a time, sends
answers that never end or are far larger than announced, compresses a huge body into a
small one, and answers JSON nested thousands of levels deep. Every request it saw is
kept in ``seen``. It listens on 127.0.0.1 only.

Paths (the status is the second path segment where one is shown, default 500; more segments may follow):

| path | answer |
| --- | --- |
| ``/ok`` | 200 ``{"id": 1, "number": "N-1"}`` |
| ``/echo/<status>`` | the request's method, path, headers and body as JSON |
| ``/echo-text/<status>`` | the same as text lines |
| ``/echo-escaped/<status>`` | JSON with every non-ASCII character escaped |
| ``/echo-urlencoded/<status>`` | the request, percent-encoded |
| ``/echo-spaced/<status>`` | the request with every blank doubled, as text |
| ``/echo-padded/<status>`` | 400 characters of padding, then the request (secrets fall on an excerpt's end) |
| ``/drip?bytes=N&every=S`` | 200 text, one byte every ``S`` seconds |
| ``/drip-headers?every=S`` | the status line and headers one byte every ``S`` seconds |
| ``/huge?bytes=N`` | 200 with ``Content-Length: N``, zeros |
| ``/endless`` | 200 chunked, zeros without end |
| ``/bomb?bytes=N`` | 200 gzip of ``N`` zeros (a few kilobytes on the wire) |
| ``/deep?depth=N`` | 200 JSON ``[[[…]]]`` nested ``N`` deep |
| ``/slow-read?every=S`` | reads the request body 64 KiB every ``S`` seconds (``seen`` keeps it empty), then answers like ``/ok`` |
| ``/redirect/<status>?to=URL`` | a redirect to ``URL`` |
"""

from __future__ import annotations

import functools
import json
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

_ZEROS = b"\0" * 65536


@dataclass
class Seen:
    """One request as the server received it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class HostileServer:
    """A running hostile server; ``base_url`` is ``http://127.0.0.1:<port>``."""

    base_url: str
    seen: list[Seen] = field(default_factory=list)
    started: list[str] = field(default_factory=list)
    """The path of every request as soon as its head arrived (``seen`` has it once its body was read)."""
    server: Any = None
    thread: Any = None

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def _status(path: str, default: int = 500) -> int:
    """The status written as the second segment of ``path`` (``/echo/502/...``)."""
    parts = path.split("/")
    code = parts[2] if len(parts) > 2 else ""
    return int(code) if code.isdigit() and 100 <= int(code) <= 599 else default


@functools.cache
def _bomb(size: int) -> bytes:
    """``size`` zeros, gzip-compressed without holding them (a thousandth of their size)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    parts = []
    left = size
    while left > 0:
        parts.append(packer.compress(_ZEROS[: min(left, len(_ZEROS))]))
        left -= len(_ZEROS)
    parts.append(packer.flush())
    return b"".join(parts)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    owner: HostileServer

    def log_message(self, *args: object) -> None:
        pass

    def _read_body(self, every: float = 0.0) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            return self._read(min(length, 64 << 20), every)
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int(self.rfile.readline().strip() or b"0", 16)
                if not size:
                    self.rfile.readline()
                    break
                parts.append(self._read(size, every))
                self.rfile.readline()
            return b"".join(parts)
        return b""

    def _read(self, size: int, every: float) -> bytes:
        """``size`` bytes of the body; with ``every``, read 64 KiB at a time with that pause between and not kept."""
        if not every:
            return self.rfile.read(size)
        while size > 0:
            part = self.rfile.read(min(size, 65536))
            if not part:
                break
            size -= len(part)
            time.sleep(every)
        return b""

    def _answer(self, status: int, body: bytes, content_type: str = "application/json", extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _handle(self) -> None:
        self.owner.started.append(self.path)
        url = urlsplit(self.path)
        query = {key: values[-1] for key, values in parse_qs(url.query).items()}
        body = self._read_body(float(query.get("every", "0.05")) if url.path == "/slow-read" else 0.0)
        headers = {name: value for name, value in self.headers.items()}
        self.owner.seen.append(Seen(self.command, self.path, headers, body))
        echo = {"method": self.command, "path": self.path, "headers": headers, "body": body.decode("utf-8", "replace")}
        route = url.path
        try:
            self._route(route, query, echo)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _route(self, route: str, query: dict[str, str], echo: dict[str, Any]) -> None:
        status = _status(route)
        text = "\n".join([f"{echo['method']} {echo['path']}", *(f"{k}: {v}" for k, v in echo["headers"].items()), "", echo["body"]])
        if route == "/ok" or route.startswith("/ok/") or route == "/slow-read":
            self._answer(_status(route, 200), json.dumps({"id": 1, "number": "N-1"}).encode())
        elif route.startswith("/echo/"):
            self._answer(status, json.dumps(echo, ensure_ascii=False).encode())
        elif route.startswith("/echo-text/"):
            self._answer(status, text.encode(), "text/plain; charset=utf-8")
        elif route.startswith("/echo-escaped/"):
            self._answer(status, json.dumps(echo, ensure_ascii=True).encode())
        elif route.startswith("/echo-urlencoded/"):
            self._answer(status, quote(text, safe="").encode(), "text/plain")
        elif route.startswith("/echo-spaced/"):
            self._answer(status, text.replace(" ", "  ").encode(), "text/plain; charset=utf-8")
        elif route.startswith("/echo-padded/"):
            self._answer(status, ("x" * 290 + " " + text).encode(), "text/plain; charset=utf-8")
        elif route == "/drip":
            self._drip(int(query.get("bytes", "1000")), float(query.get("every", "0.2")))
        elif route == "/drip-headers":
            self._drip_headers(float(query.get("every", "0.2")))
        elif route == "/huge":
            self._huge(int(query.get("bytes", str(1 << 30))))
        elif route == "/endless":
            self._endless()
        elif route == "/bomb":
            self._answer(200, _bomb(int(query.get("bytes", str(64 << 20)))), "text/plain", {"Content-Encoding": "gzip"})
        elif route == "/deep":
            depth = int(query.get("depth", "100000"))
            self._answer(200, b"[" * depth + b"]" * depth)
        elif route.startswith("/redirect/"):
            self._answer(_status(route, 302), b"{}", extra={"Location": query.get("to", "/")})
        else:
            self._answer(404, b'{"error": "no such path"}')

    def _drip(self, count: int, every: float) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(count))
        self.end_headers()
        self.wfile.flush()
        for _ in range(count):
            self.wfile.write(b"x")
            self.wfile.flush()
            time.sleep(every)

    def _drip_headers(self, every: float) -> None:
        head = b"HTTP/1.1 200 OK\r\n" + b"".join(b"X-Slow-%d: y\r\n" % n for n in range(2000))
        for byte in head:
            self.wfile.write(bytes([byte]))
            self.wfile.flush()
            time.sleep(every)

    def _huge(self, size: int) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(size))
        self.end_headers()
        left = size
        while left > 0:
            chunk = _ZEROS[: min(left, len(_ZEROS))]
            self.wfile.write(chunk)
            left -= len(chunk)

    def _endless(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        while True:
            self.wfile.write(b"%x\r\n" % len(_ZEROS) + _ZEROS + b"\r\n")

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def start_hostile() -> HostileServer:
    """Start a hostile server on a free loopback port, in background threads."""
    owner = HostileServer(base_url="")
    handler = type("Handler", (_Handler,), {"owner": owner})
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True, name="hostile-server")
    thread.start()
    owner.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    owner.server, owner.thread = server, thread
    return owner


@contextmanager
def hostile_server() -> Iterator[HostileServer]:
    """A hostile server for the ``with`` block."""
    running = start_hostile()
    try:
        yield running
    finally:
        running.stop()
