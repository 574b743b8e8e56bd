"""Streaming a multipart body: pick out one file part without holding the body in memory.

to.photo's ``/data`` takes the ZIP as the multipart part ``file``. Its documents name
``multipart/mixed``; clients commonly send ``multipart/form-data``. Both share the
wire format (RFC 2046 parts with ``Content-Disposition: ...; name="file"``), so any
``multipart/*`` body is read the same way. The wanted part is spooled into a
temporary file (memory first, disk beyond ``spool_bytes``); other parts are skipped.
"""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import IO

from runner.sandbox.tophoto._errors import ApiError

_MAX_HEADER_BYTES = 16 * 1024


@dataclass(frozen=True)
class FilePart:
    """The received part: its declared name and type, its size, and its bytes in ``file`` (at offset 0)."""

    filename: str | None
    content_type: str | None
    size: int
    file: IO[bytes]


def boundary_of(content_type: str) -> bytes:
    """The ``boundary`` parameter of a ``multipart/*`` Content-Type; 400 when there is none."""
    media_type, _, params = content_type.partition(";")
    if not media_type.strip().lower().startswith("multipart/"):
        raise ApiError(400, "Current request is not a multipart request", f"Content-Type was {content_type or 'missing'!r}")
    for param in params.split(";"):
        key, _, value = param.strip().partition("=")
        if key.strip().lower() == "boundary":
            value = value.strip().strip('"')
            if 1 <= len(value) <= 200:
                return value.encode("latin-1", "replace")
    raise ApiError(400, "Malformed multipart request: the Content-Type has no boundary")


async def read_file_part(
    stream: AsyncIterator[bytes],
    boundary: bytes,
    name: str,
    *,
    max_bytes: int,
    spool_bytes: int = 16 * 1024 * 1024,
) -> FilePart | None:
    """Read the whole body; return the first part called ``name``, or None if there is none.

    Raises ``ApiError`` 400 for a malformed body and 413 when it exceeds ``max_bytes``.
    """
    parser = _Parser(boundary, name, spool_bytes)
    total = 0
    try:
        async for chunk in stream:
            total += len(chunk)
            if total > max_bytes:
                raise ApiError(413, f"The upload exceeds the limit of {max_bytes} bytes")
            parser.feed(chunk)
        parser.finish()
    except BaseException:
        parser.close()
        raise
    return parser.result()


class _Parser:
    """A push parser over ``\\r\\n--boundary`` delimiters (the body is read as if it began with CRLF)."""

    def __init__(self, boundary: bytes, name: str, spool_bytes: int) -> None:
        self._delimiter = b"\r\n--" + boundary
        self._keep = len(self._delimiter) + 1
        self._name = name
        self._spool_bytes = spool_bytes
        self._buffer = bytearray(b"\r\n")
        self._state = "preamble"
        self._sink: IO[bytes] | None = None
        self._size = 0
        self._found: FilePart | None = None
        self._part_meta: tuple[str | None, str | None] = (None, None)

    def feed(self, chunk: bytes) -> None:
        self._buffer += chunk
        self._run()

    def finish(self) -> None:
        self._run()
        if self._state != "done":
            raise ApiError(400, "Malformed multipart request: the body ends before its closing boundary")

    def result(self) -> FilePart | None:
        return self._found

    def close(self) -> None:
        if self._sink is not None:
            self._sink.close()
        if self._found is not None:
            self._found.file.close()

    def _run(self) -> None:
        buffer = self._buffer
        while True:
            if self._state == "preamble":
                index = buffer.find(self._delimiter)
                if index < 0:
                    del buffer[: max(0, len(buffer) - self._keep)]
                    return
                del buffer[: index + len(self._delimiter)]
                self._state = "after_delimiter"
            elif self._state == "after_delimiter":
                if len(buffer) < 2:
                    return
                if buffer.startswith(b"--"):
                    self._state = "done"
                    buffer.clear()
                    return
                end = buffer.find(b"\r\n")
                if end < 0:
                    if len(buffer) > 1024:
                        raise ApiError(400, "Malformed multipart request: garbage after a boundary")
                    return
                if buffer[:end].strip(b" \t"):
                    raise ApiError(400, "Malformed multipart request: garbage after a boundary")
                del buffer[: end + 2]
                self._state = "headers"
            elif self._state == "headers":
                if buffer.startswith(b"\r\n"):
                    head, skip = b"", 2
                else:
                    end = buffer.find(b"\r\n\r\n")
                    if end < 0:
                        if len(buffer) > _MAX_HEADER_BYTES:
                            raise ApiError(400, "Malformed multipart request: part headers are too long")
                        return
                    head, skip = bytes(buffer[:end]), end + 4
                del buffer[:skip]
                self._start_part(head)
                self._state = "body"
            elif self._state == "body":
                index = buffer.find(self._delimiter)
                if index < 0:
                    if len(buffer) > self._keep:
                        self._write(buffer[: len(buffer) - self._keep])
                        del buffer[: len(buffer) - self._keep]
                    return
                self._write(buffer[:index])
                del buffer[: index + len(self._delimiter)]
                self._end_part()
                self._state = "after_delimiter"
            else:  # done: the epilogue is ignored
                buffer.clear()
                return

    def _start_part(self, head: bytes) -> None:
        headers = _parse_headers(head)
        disposition = _parameters(headers.get("content-disposition", ""))
        if self._found is None and disposition.get("name") == self._name:
            self._sink = tempfile.SpooledTemporaryFile(max_size=self._spool_bytes)
            self._size = 0
            self._part_meta = (disposition.get("filename"), headers.get("content-type"))

    def _write(self, data: bytearray) -> None:
        if self._sink is not None and data:
            self._sink.write(data)
            self._size += len(data)

    def _end_part(self) -> None:
        if self._sink is not None:
            self._sink.seek(0)
            filename, content_type = self._part_meta
            self._found = FilePart(filename=filename, content_type=content_type, size=self._size, file=self._sink)
            self._sink = None


def _parse_headers(head: bytes) -> dict[str, str]:
    headers: dict[str, str] = {}
    for line in head.decode("utf-8", "replace").split("\r\n"):
        if not line:
            continue
        key, colon, value = line.partition(":")
        if not colon:
            raise ApiError(400, "Malformed multipart request: a part header has no colon")
        headers[key.strip().lower()] = value.strip()
    return headers


def _parameters(value: str) -> dict[str, str]:
    """``form-data; name="file"; filename="a.zip"`` -> {"name": "file", "filename": "a.zip"}."""
    params: dict[str, str] = {}
    for piece in value.split(";")[1:]:
        key, _, raw = piece.strip().partition("=")
        raw = raw.strip()
        if len(raw) >= 2 and raw[0] == raw[-1] == '"':
            raw = raw[1:-1].replace('\\"', '"')
        params[key.strip().lower()] = raw
    return params
