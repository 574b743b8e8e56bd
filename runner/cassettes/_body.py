"""Describing a request body while it streams past, never holding an upload in memory.

A cassette stores what a body *says*, not its bytes: JSON as pretty, key-sorted text,
a form as its sorted fields, a multipart body as one entry per part (small text fields
with their value, files with name, type, size and SHA-256), and any other body (a model
file, a ZIP) as its size and SHA-256. ``BodyReader`` is fed the chunks as they are sent
and keeps only the small bodies and fields; files are hashed and forgotten.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

TEXT_LIMIT = 1 << 20
"""JSON and form bodies up to this size are stored as text; larger ones as size and SHA-256."""

FIELD_LIMIT = 4096
"""Multipart fields without a file name up to this size are stored with their text."""


def media_type(content_type: str | None) -> str:
    """``application/json`` of ``application/json; charset=utf-8``."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def is_json(content_type: str | None) -> bool:
    kind = media_type(content_type)
    return kind == "application/json" or kind.endswith("+json")


def pretty_json(data: Any) -> str:
    """The one text a JSON value is stored as: indented, keys sorted, non-ASCII kept."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False)


def digest(size: int, sha256: str) -> dict[str, Any]:
    """How a body that is not text is stored."""
    return {"file": {"size": size, "sha256": sha256}}


class _Part:
    __slots__ = ("content_type", "field", "filename", "hasher", "header", "headers", "kept", "name", "size", "value")

    def __init__(self) -> None:
        self.headers: dict[str, str] = {}
        self.field = b""
        self.value = b""
        self.name = ""
        self.filename: str | None = None
        self.content_type: str | None = None
        self.size = 0
        self.hasher = hashlib.sha256()
        self.kept: bytearray | None = bytearray()

    def describe(self) -> dict[str, Any]:
        if self.kept is not None and self.filename is None and (self.content_type is None or self.content_type.startswith("text/")):
            try:
                return {"name": self.name, "value": bytes(self.kept).decode("utf-8")}
            except UnicodeDecodeError:
                pass
        entry: dict[str, Any] = {"name": self.name}
        if self.filename is not None:
            entry["filename"] = self.filename
        if self.content_type is not None:
            entry["content_type"] = self.content_type
        entry["size"] = self.size
        entry["sha256"] = self.hasher.hexdigest()
        return entry


class _Multipart:
    """A streaming multipart parser that keeps one small record per part."""

    def __init__(self, boundary: bytes) -> None:
        self.parts: list[dict[str, Any]] = []
        self.current: _Part | None = None
        self.failed = False
        self.ended = False
        self.parser = MultipartParser(
            boundary,
            {
                "on_part_begin": self._begin,
                "on_header_field": self._header_field,
                "on_header_value": self._header_value,
                "on_header_end": self._header_end,
                "on_headers_finished": self._headers_finished,
                "on_part_data": self._data,
                "on_part_end": self._end,
                "on_end": self._finished,
            },
        )

    def feed(self, chunk: bytes) -> None:
        if self.failed:
            return
        try:
            self.parser.write(chunk)
        except MultipartParseError:
            self.failed = True

    def result(self) -> list[dict[str, Any]] | None:
        if not self.failed:
            try:
                self.parser.finalize()
            except MultipartParseError:
                self.failed = True
        return None if self.failed or not self.ended else self.parts

    def _begin(self) -> None:
        self.current = _Part()

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        assert self.current is not None
        self.current.field += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        assert self.current is not None
        self.current.value += data[start:end]

    def _header_end(self) -> None:
        part = self.current
        assert part is not None
        part.headers[part.field.decode("latin-1").strip().lower()] = part.value.decode("utf-8", "replace").strip()
        part.field = part.value = b""

    def _headers_finished(self) -> None:
        part = self.current
        assert part is not None
        _, options = parse_options_header(part.headers.get("content-disposition", ""))
        part.name = options.get(b"name", b"").decode("utf-8", "replace")
        filename = options.get(b"filename")
        part.filename = filename.decode("utf-8", "replace") if filename is not None else None
        part.content_type = part.headers.get("content-type") or None

    def _data(self, data: bytes, start: int, end: int) -> None:
        part = self.current
        assert part is not None
        piece = data[start:end]
        part.size += len(piece)
        part.hasher.update(piece)
        if part.kept is not None:
            if part.filename is None and part.size <= FIELD_LIMIT:
                part.kept += piece
            else:
                part.kept = None

    def _end(self) -> None:
        if self.current is not None:
            self.parts.append(self.current.describe())
            self.current = None

    def _finished(self) -> None:
        self.ended = True


class BodyReader:
    """Fed a request body chunk by chunk; ``result()`` describes it (None when empty).

    Only JSON and form bodies up to ``TEXT_LIMIT`` and multipart text fields up to
    ``FIELD_LIMIT`` are kept; everything else is hashed as it passes.
    """

    def __init__(self, content_type: str | None) -> None:
        self.kind = media_type(content_type)
        self.size = 0
        self.hasher = hashlib.sha256()
        self.kept: bytearray | None = bytearray() if is_json(content_type) or self.kind == "application/x-www-form-urlencoded" else None
        self.multipart: _Multipart | None = None
        if self.kind.startswith("multipart/"):
            _, options = parse_options_header(content_type or "")
            boundary = options.get(b"boundary")
            if boundary:
                self.multipart = _Multipart(boundary)
        self._json = is_json(content_type)

    def feed(self, chunk: bytes) -> None:
        if not chunk:
            return
        self.size += len(chunk)
        self.hasher.update(chunk)
        if self.kept is not None:
            if self.size <= TEXT_LIMIT:
                self.kept += chunk
            else:
                self.kept = None
        if self.multipart is not None:
            self.multipart.feed(chunk)

    def result(self) -> Any:
        """None, the text of a JSON or form body, ``{"multipart": [...]}`` or ``{"file": {size, sha256}}``."""
        if self.size == 0:
            return None
        if self.kept is not None:
            try:
                text = bytes(self.kept).decode("utf-8")
            except UnicodeDecodeError:
                text = None
            if text is not None and self._json:
                try:
                    return pretty_json(json.loads(text))
                except ValueError:
                    return text
            if text is not None:
                return urlencode(sorted(parse_qsl(text, keep_blank_values=True)))
        if self.multipart is not None:
            parts = self.multipart.result()
            if parts is not None:
                return {"multipart": parts}
        return digest(self.size, self.hasher.hexdigest())


class ObservedStream(httpx.SyncByteStream):
    """A request body that feeds a ``BodyReader`` with every chunk on its way to the transport.

    ``drain()`` reads what the transport left unsent (an answer that came before the
    whole upload), so the description always covers the whole body.
    """

    def __init__(self, stream: httpx.SyncByteStream | Any, reader: BodyReader) -> None:
        self._stream = stream
        self._reader = reader
        self._chunks: Iterator[bytes] | None = None

    def _source(self) -> Iterator[bytes]:
        if self._chunks is None:
            self._chunks = iter(self._stream)
        return self._chunks

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._source():
            self._reader.feed(chunk)
            yield chunk

    def drain(self) -> None:
        for chunk in self._source():
            self._reader.feed(chunk)

    def close(self) -> None:
        close = getattr(self._stream, "close", None)
        if close is not None:
            close()


def read_body(request: httpx.Request) -> Any:
    """Describe ``request``'s body by reading its stream to the end (replay: nothing is sent)."""
    reader = BodyReader(request.headers.get("content-type"))
    stream = ObservedStream(request.stream, reader)
    try:
        stream.drain()
    finally:
        stream.close()
    return reader.result()
