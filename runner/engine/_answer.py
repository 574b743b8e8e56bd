"""Sending one request and reading its answer within bounds: a total deadline and a size cap.

httpx's timeouts bound each read, so a server that sends one byte every few seconds
would hold a step for ever, and a plain ``read()`` keeps an answer of any size in
memory. Here the answer is streamed and reading stops past ``limits.response_bytes``
(counted after decompression, which is done here in bounded steps, so a small
compressed answer cannot expand without limit). A watchdog closes the connection when
``limits.request_seconds`` have passed, whatever stage the request is at.
"""

from __future__ import annotations

import socket
import time
import weakref
import zlib
from collections.abc import Callable, Iterator
from typing import Any

import httpx

from orderspec.engine._alarms import ALARMS

_RAW_CHUNK = 64 << 10
_STEP = 64 << 10
"""Most bytes one decompression step may produce (zlib briefly holds twice that while it builds them)."""
_DROPPED_HEADERS = frozenset({b"content-encoding", b"content-length", b"transfer-encoding"})


class AnswerTooLarge(Exception):
    """The answer is larger than the cap; ``response`` has its status and headers."""

    def __init__(self, response: httpx.Response, cap: int) -> None:
        super().__init__(f"the answer is larger than {cap} bytes")
        self.response = response
        self.cap = cap


class AnswerOverdue(Exception):
    """The request did not end within its total deadline."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"no complete answer within {seconds:g} s")
        self.seconds = seconds


class AnswerUnreadable(Exception):
    """The answer's body could not be decoded (a broken gzip stream); ``response`` has its status."""

    def __init__(self, response: httpx.Response, reason: str) -> None:
        super().__init__(reason)
        self.response = response
        self.reason = reason


class _Watchdog:
    """Shuts down connections when a request's deadline has passed."""

    def __init__(self, streams: weakref.WeakSet[Any]) -> None:
        self.streams = streams
        self.fired = False

    def fire(self) -> None:
        self.fired = True
        for stream in list(self.streams):
            try:
                sock = stream.get_extra_info("socket")
            except Exception:  # noqa: BLE001 - a stream that cannot say: nothing to close
                continue
            if isinstance(sock, socket.socket):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass




class BoundedSender:
    """Sends requests through one client with the flow's limits; remembers the connections it opened."""

    def __init__(self, response_bytes: int, request_seconds: float) -> None:
        self.cap = response_bytes
        self.seconds = request_seconds
        self._streams: weakref.WeakSet[Any] = weakref.WeakSet()

    def _trace(self, inner: Callable[[str, dict[str, Any]], Any] | None) -> Callable[[str, dict[str, Any]], Any]:
        def trace(name: str, info: dict[str, Any]) -> Any:
            if name in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
                stream = info.get("return_value")
                if stream is not None:
                    try:
                        self._streams.add(stream)
                    except TypeError:
                        pass
            return inner(name, info) if inner is not None else None

        return trace

    def send(self, client: httpx.Client, request: httpx.Request, seconds: float | None = None) -> httpx.Response:
        """The answer to ``request``, read whole within ``seconds`` (default ``request_seconds``).

        ``AnswerTooLarge``, ``AnswerOverdue``, ``AnswerUnreadable`` or an httpx error otherwise.
        """
        seconds = self.seconds if seconds is None else seconds
        request.extensions = {**request.extensions, "trace": self._trace(request.extensions.get("trace"))}
        watchdog = _Watchdog(self._streams)
        deadline = time.monotonic() + seconds
        alarm = ALARMS.schedule(seconds, watchdog.fire)
        try:
            try:
                response = client.send(request, stream=True)
            except httpx.TransportError:
                if watchdog.fired:
                    raise AnswerOverdue(seconds) from None
                raise
            try:
                stream = response.extensions.get("network_stream")
                if stream is not None:
                    try:
                        self._streams.add(stream)
                    except TypeError:
                        pass
                if _plainly_sized(response, self.cap):  # the common case: read by httpx, no copy
                    response.read()
                    if time.monotonic() > deadline:
                        raise AnswerOverdue(seconds)
                    return response
                body = b"".join(self._chunks(response, deadline, seconds))
            except httpx.TransportError:
                if watchdog.fired or time.monotonic() > deadline:
                    raise AnswerOverdue(seconds) from None
                raise
            finally:
                response.close()
        finally:
            ALARMS.cancel(alarm)
        return _complete(response, body)

    def _chunks(self, response: httpx.Response, deadline: float, seconds: float) -> Iterator[bytes]:
        """The decoded body, chunk by chunk, stopping past the cap or the deadline."""
        total = 0
        for chunk in _decoded(response, self.cap):
            total += len(chunk)
            if total > self.cap:
                raise AnswerTooLarge(response, self.cap)
            if time.monotonic() > deadline:
                raise AnswerOverdue(seconds)
            yield chunk


def _plainly_sized(response: httpx.Response, cap: int) -> bool:
    """Whether the answer announces its length, within the cap, and is not compressed (HTTP/1.1 framing holds it to that length)."""
    if response.is_stream_consumed or response.headers.get("content-encoding", "identity").strip().lower() != "identity":
        return False
    length = response.headers.get("content-length", "")
    return length.isdigit() and int(length) <= cap and response.http_version == "HTTP/1.1"


def _decoded(response: httpx.Response, cap: int) -> Iterator[bytes]:
    """The body after its content encoding; gzip and deflate are expanded at most ``cap + 1`` bytes at a time."""
    if response.is_stream_consumed:  # a transport that answers from memory (a mock, a cassette) read it already
        yield response.content
        return
    encoding = response.headers.get("content-encoding", "").strip().lower()
    if encoding in ("", "identity"):
        yield from response.iter_raw(_RAW_CHUNK)
        return
    if encoding not in ("gzip", "x-gzip", "deflate"):
        try:  # br, zstd, several encodings: httpx's own decoders, one raw chunk at a time
            yield from response.iter_bytes(_RAW_CHUNK)
        except httpx.DecodingError as exc:
            raise AnswerUnreadable(response, f"the answer cannot be decoded ({encoding}): {exc}") from None
        return
    decoder = zlib.decompressobj(zlib.MAX_WBITS | 32)  # gzip or zlib, told by the header
    produced = 0
    first = True
    for raw in response.iter_raw(_RAW_CHUNK):
        pending = raw
        while True:
            step = max(1, min(cap + 1 - produced, _STEP))  # never more than one byte past the cap in all
            try:
                out = decoder.decompress(pending, step)
            except zlib.error as exc:
                if first and encoding == "deflate":  # a raw deflate stream, without the zlib header
                    decoder = zlib.decompressobj(-zlib.MAX_WBITS)
                    first = False
                    continue
                raise AnswerUnreadable(response, f"the answer cannot be decoded ({encoding}): {exc}") from None
            first = False
            if out:
                produced += len(out)
                yield out
            pending = decoder.unconsumed_tail
            if not pending and len(out) < step:  # input used up and nothing held back
                break
    try:
        rest = decoder.flush()
    except zlib.error as exc:
        raise AnswerUnreadable(response, f"the answer cannot be decoded ({encoding}): {exc}") from None
    if rest:
        yield rest


def _complete(response: httpx.Response, body: bytes) -> httpx.Response:
    """A read response holding ``body`` (already decoded), with the status, headers and request of ``response``."""
    headers = [(name, value) for name, value in response.headers.raw if name.lower() not in _DROPPED_HEADERS]
    complete = httpx.Response(response.status_code, headers=headers, content=body, request=response.request, extensions=response.extensions)
    return complete
