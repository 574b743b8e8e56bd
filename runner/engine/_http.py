"""Turning a step's rendered request into an ``httpx.Request``, bodies streamed from disk.

File bodies are never read whole: ``content`` and multipart files are sent in 1 MiB
chunks, and a ZIP is built entry by entry while it is sent. Sizes known in advance
become a ``Content-Length``; a ZIP goes out chunked. The same request gives the same
bytes every time (a multipart boundary derived from what the body holds, ZIP entries
with fixed dates and attributes), so a recorded session re-records identically.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import os
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, cast
from urllib.parse import urlencode

from orderspec.engine._errors import FlowError
from orderspec.engine._flow import Request, Source, ZipSource
from orderspec.engine._template import Context

CHUNK = 1 << 20
ProgressCallback = Callable[[int], None]
"""Called with the number of bytes just handed to the connection."""

_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed, so the same files give the same archive bytes
_ZIP_UNIX = 3  # "made by" Unix on every platform
_ZIP_MODE = 0o100644 << 16  # a regular file, rw-r--r--, whatever the file's own mode


class BodyError(FlowError):
    """A body cannot be built: a file is missing or a value has the wrong shape."""


def join_url(base_url: str | None, url: str) -> str:
    """``url`` appended to ``base_url`` unless it is absolute (a signed URL, another host)."""
    if url.startswith(("http://", "https://")) or not base_url:
        return url
    if url.startswith("/"):
        return base_url.rstrip("/") + url
    return base_url.rstrip("/") + "/" + url


def as_text(value: Any) -> str:
    """A value as it appears in a URL, header or form: booleans as true/false."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return value if isinstance(value, str) else str(value)


# -- files ----------------------------------------------------------------------------


def _resolve(path: Any, folder: Path) -> Path:
    if not isinstance(path, (str, os.PathLike)) or not str(path):
        raise BodyError(f"a file path must be text, got {path!r}")
    resolved = Path(path)
    if not resolved.is_absolute():
        resolved = folder / resolved
    if not resolved.is_file():
        raise BodyError(f"file not found: {resolved}")
    return resolved


def _file_chunks(path: Path) -> Iterator[bytes]:
    try:
        handle = open(path, "rb", buffering=0)  # noqa: SIM115 - closed by the generator
    except OSError as exc:
        raise BodyError(f"cannot read {path}: {exc.strerror or exc}") from None
    with handle:
        while chunk := handle.read(CHUNK):
            yield chunk


class _Sink:
    """Write-only target of ``zipfile``: collects output until the sender takes it."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        return data


def _zip_entries(raw: Any, folder: Path) -> list[tuple[Path, str]]:
    if not isinstance(raw, list) or not raw:
        raise BodyError(f"zip entries must be a non-empty list of {{path, name}}, got {type(raw).__name__}")
    entries: list[tuple[Path, str]] = []
    names: set[str] = set()
    for entry in raw:
        if isinstance(entry, dict):
            path = _resolve(entry.get("path"), folder)
            name = as_text(entry.get("name") or path.name)
        else:
            path = _resolve(entry, folder)
            name = path.name
        if name in names:
            raise BodyError(f"two ZIP entries are named {name!r}")
        names.add(name)
        entries.append((path, name))
    return entries


def _zip_chunks(entries: list[tuple[Path, str]]) -> Iterator[bytes]:
    """The ZIP archive of ``entries`` (stored, not compressed: photos and models are dense)."""
    sink = _Sink()
    archive = zipfile.ZipFile(cast("IO[bytes]", sink), "w", compression=zipfile.ZIP_STORED, allowZip64=True)
    for path, name in entries:
        info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
        info.file_size = path.stat().st_size
        info.compress_type = zipfile.ZIP_STORED
        info.create_system = _ZIP_UNIX
        info.external_attr = _ZIP_MODE
        with archive.open(info, "w") as target:
            for chunk in _file_chunks(path):
                target.write(chunk)
                yield sink.take()
        yield sink.take()
    archive.close()
    yield sink.take()


class _Part:
    """A body part: its bytes as an iterator and its size when known."""

    __slots__ = ("chunks", "content_type", "filename", "size")

    def __init__(self, chunks: Callable[[], Iterator[bytes]], size: int | None, filename: str, content_type: str) -> None:
        self.chunks = chunks
        self.size = size
        self.filename = filename
        self.content_type = content_type


def _source_part(source: Source, ctx: Context, folder: Path) -> _Part:
    filename = source.filename(ctx) if source.filename else None
    content_type = source.content_type(ctx) if source.content_type else None
    if isinstance(source, ZipSource):
        entries = _zip_entries(source.entries(ctx), folder)
        return _Part(lambda: _zip_chunks(entries), None, as_text(filename or "files.zip"), as_text(content_type or "application/zip"))
    path = _resolve(source.path(ctx), folder)
    name = as_text(filename or path.name)
    guessed = content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    return _Part(lambda: _file_chunks(path), path.stat().st_size, name, as_text(guessed))


def _counted(chunks: Iterator[bytes], progress: ProgressCallback | None) -> Iterator[bytes]:
    for chunk in chunks:
        if chunk:
            yield chunk
            if progress is not None:
                progress(len(chunk))


# -- multipart --------------------------------------------------------------------------


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


def _boundary(fields: list[tuple[str, str]], files: list[tuple[str, _Part]]) -> str:
    """A boundary derived from the parts' names, values, file names, types and sizes.

    The same body description gives the same boundary, so the bytes sent do not change
    from run to run; the file contents are not read for it (they may be large).
    """
    digest = hashlib.sha256()
    for name, value in fields:
        digest.update(json.dumps(["field", name, value]).encode())
    for name, part in files:
        digest.update(json.dumps(["file", name, part.filename, part.content_type, part.size]).encode())
    return "orderspec-" + digest.hexdigest()[:32]


def _multipart(fields: dict[str, Any], files: list[tuple[str, _Part]]) -> tuple[str, int | None, Callable[[], Iterator[bytes]]]:
    pairs = [
        (name, as_text(item)) for name, value in fields.items() if value is not None for item in (value if isinstance(value, list) else [value])
    ]
    boundary = _boundary(pairs, files)
    head = f"--{boundary}\r\n".encode()
    pieces: list[bytes | _Part] = []
    for name, text in pairs:
        pieces.append(head + f'Content-Disposition: form-data; name="{_quote(name)}"\r\n\r\n'.encode() + text.encode() + b"\r\n")
    for name, part in files:
        pieces.append(
            head
            + f'Content-Disposition: form-data; name="{_quote(name)}"; filename="{_quote(part.filename)}"\r\n'.encode()
            + f"Content-Type: {part.content_type}\r\n\r\n".encode()
        )
        pieces.append(part)
        pieces.append(b"\r\n")
    pieces.append(f"--{boundary}--\r\n".encode())
    size: int | None = 0
    for piece in pieces:
        if isinstance(piece, bytes):
            size = None if size is None else size + len(piece)
        else:
            size = None if size is None or piece.size is None else size + piece.size

    def chunks() -> Iterator[bytes]:
        for piece in pieces:
            if isinstance(piece, bytes):
                yield piece
            else:
                yield from piece.chunks()

    return f"multipart/form-data; boundary={boundary}", size, chunks


# -- the body of a request ------------------------------------------------------------------


class Body:
    """A rendered body: content (bytes or a fresh chunk iterator), its type and length."""

    __slots__ = ("content", "content_type", "length", "streamed")

    def __init__(self, content: Any, content_type: str | None, length: int | None, streamed: bool) -> None:
        self.content = content
        self.content_type = content_type
        self.length = length
        self.streamed = streamed


def build_body(request: Request, ctx: Context, folder: Path, progress: ProgressCallback | None) -> Body | None:
    """Render and encode the body of ``request``; None when it has none."""
    if request.json is not None:
        try:
            data = json.dumps(request.json(ctx), ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()
        except (TypeError, ValueError) as exc:
            raise BodyError(f"the json body cannot be sent as JSON: {exc}") from None
        return Body(data, "application/json", None, False)
    if request.form is not None:
        form = request.form(ctx)
        if not isinstance(form, dict):
            raise BodyError(f"form must render to a mapping, got {type(form).__name__}")
        pairs = [(key, as_text(v)) for key, value in form.items() if value is not None for v in (value if isinstance(value, list) else [value])]
        return Body(urlencode(pairs).encode(), "application/x-www-form-urlencoded", None, False)
    if request.multipart_files is not None:
        fields = request.multipart_fields(ctx) if request.multipart_fields else {}
        files = [(name, _source_part(source, ctx, folder)) for name, source in request.multipart_files]
        content_type, length, chunks = _multipart(fields, files)
        return Body(_counted(chunks(), progress), content_type, length, True)
    if request.content is not None:
        part = _source_part(request.content, ctx, folder)
        explicit = request.content.content_type is not None or isinstance(request.content, ZipSource)
        return Body(_counted(part.chunks(), progress), part.content_type if explicit else None, part.size, True)
    return None
