"""Request bodies within a size limit, for every sandbox endpoint that reads one.

A body is refused as soon as it is known to be too large: at once when its
Content-Length says so, else when the bytes received pass the limit (the rest is not
read). Each vendor turns ``BodyTooLarge`` into its own answer (413, or CTQ's 422).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import Message


class BodyTooLarge(Exception):
    """The request body is larger than ``limit`` bytes."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the request body is larger than {limit} bytes")
        self.limit = limit


async def read_limited(request: Request, limit: int) -> bytes:
    """The whole body, or ``BodyTooLarge`` once it passes ``limit`` bytes."""
    _check_declared(request, limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def limited_request(request: Request, limit: int) -> Request:
    """The same request for a streaming reader (a form parser): its body raises ``BodyTooLarge`` past ``limit``."""
    _check_declared(request, limit)
    receive = request.receive
    received = 0

    async def limited() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise BodyTooLarge(limit)
        return message

    return Request(request.scope, limited)


def _check_declared(request: Request, limit: int) -> None:
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(limit)
