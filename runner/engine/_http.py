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
import stat
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


Roots = tuple[Path, ...]
"""The folders a flow may send files from (real paths): the spec's and the flow's."""


def confine_to(*folders: Path | None) -> Roots:
    """``folders`` as roots to check file paths against (symbolic links resolved, duplicates dropped)."""
    roots: list[Path] = []
    for folder in folders:
        if folder is not None:
            real = Path(os.path.realpath(folder))
            if real not in roots:
                roots.append(real)
    return tuple(roots)


def _inside(real: str, roots: Roots) -> bool:
    return any(real == str(root) or real.startswith(str(root).rstrip(os.sep) + os.sep) for root in roots)


def _outside(path: Path, roots: Roots) -> BodyError:
    where = " or ".join(str(root) for root in roots) or "no folder"
    return BodyError(
        f"{path} is outside the folders a flow may send files from ({where})",
        hint="keep model and photo files beside the spec (or the flow) or in a folder below it; a symbolic link must not lead out",
    )


def _resolve(path: Any, folder: Path, roots: Roots) -> tuple[Path, int]:
    """The file ``path`` names (relative to ``folder``) and its size, checked: inside ``roots`` after links, a regular file."""
    if not isinstance(path, (str, os.PathLike)) or not str(path) or "\0" in str(path):
        raise BodyError(f"a file path must be text, got {path!r}")
    resolved = Path(path)
    if not resolved.is_absolute():
        resolved = folder / resolved
    try:
        real = os.path.realpath(resolved)
    except (OSError, ValueError) as exc:
        raise BodyError(f"cannot read {resolved}: {exc}") from None
    if not _inside(real, roots):
        raise _outside(resolved, roots)
    try:
        info = os.stat(real)
    except FileNotFoundError:
        raise BodyError(f"file not found: {resolved}") from None
    except OSError as exc:
        raise BodyError(f"cannot read {resolved}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        what = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        raise BodyError(f"{resolved} is {what}; a flow sends regular files only")
    return resolved, info.st_size


def _opened_path(descriptor: int, path: Path, info: os.stat_result) -> str | None:
    """Where the open ``descriptor`` really is; None when that cannot be told for sure."""
    proc = f"/proc/self/fd/{descriptor}"
    if os.path.islink(proc):
        return os.readlink(proc)
    real = os.path.realpath(path)
    try:
        again = os.stat(real)
    except OSError:
        return None
    return real if (again.st_dev, again.st_ino) == (info.st_dev, info.st_ino) else None


def _open_confined(path: Path, roots: Roots) -> tuple[int, int]:
    """Open ``path`` for reading and check again, on the open file: a regular file inside ``roots``.

    The checks of ``_resolve`` ran when the request was built; a file swapped for a link
    or a FIFO since then is caught here, on what was actually opened.
    """
    try:  # non-blocking, so a FIFO put in the file's place cannot hang the run
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise BodyError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise BodyError(f"{path} is no longer a regular file; a flow sends regular files only")
        real = _opened_path(descriptor, path, info)
        if real is None or not _inside(real, roots):
            raise _outside(path, roots)
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor, info.st_size


def _file_chunks(path: Path, roots: Roots, size: int) -> Iterator[bytes]:
    """The bytes of ``path``, which must still be ``size`` bytes long: a body's length was announced."""
    descriptor, now = _open_confined(path, roots)
    with open(descriptor, "rb", buffering=0, closefd=True) as handle:
        if now != size:
            raise _resized(path, size, now)
        sent = 0
        while True:
            try:
                chunk = handle.read(min(CHUNK, size - sent + 1))
            except OSError as exc:
                raise BodyError(f"cannot read {path}: {exc.strerror or exc}") from None
            if not chunk:
                break
            sent += len(chunk)
            if sent > size:
                raise _resized(path, size, None)
            yield chunk
        if sent != size:
            raise _resized(path, size, sent)


def _resized(path: Path, size: int, now: int | None) -> BodyError:
    grown = "grew" if now is None or now > size else "shrank"
    return BodyError(f"{path} {grown} while it was being sent ({size} bytes announced); nothing more was sent from it")


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


_ZipEntry = tuple[Path, str, int]
"""A file of a ZIP body: its path, its name in the archive, its size."""


def _zip_entries(raw: Any, folder: Path, roots: Roots) -> list[_ZipEntry]:
    if not isinstance(raw, list) or not raw:
        raise BodyError(f"zip entries must be a non-empty list of {{path, name}}, got {type(raw).__name__}")
    entries: list[_ZipEntry] = []
    names: set[str] = set()
    for entry in raw:
        if isinstance(entry, dict):
            path, size = _resolve(entry.get("path"), folder, roots)
            name = as_text(entry.get("name") or path.name)
        else:
            path, size = _resolve(entry, folder, roots)
            name = path.name
        if name in names:
            raise BodyError(f"two ZIP entries are named {name!r}")
        names.add(name)
        entries.append((path, name, size))
    return entries


def _zip_chunks(entries: list[_ZipEntry], roots: Roots) -> Iterator[bytes]:
    """The ZIP archive of ``entries`` (stored, not compressed: photos and models are dense)."""
    sink = _Sink()
    archive = zipfile.ZipFile(cast("IO[bytes]", sink), "w", compression=zipfile.ZIP_STORED, allowZip64=True)
    for path, name, size in entries:
        info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
        info.file_size = size
        info.compress_type = zipfile.ZIP_STORED
        info.create_system = _ZIP_UNIX
        info.external_attr = _ZIP_MODE
        with archive.open(info, "w") as target:
            for chunk in _file_chunks(path, roots, size):
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


def _source_part(source: Source, ctx: Context, folder: Path, roots: Roots) -> _Part:
    filename = source.filename(ctx) if source.filename else None
    content_type = source.content_type(ctx) if source.content_type else None
    if isinstance(source, ZipSource):
        entries = _zip_entries(source.entries(ctx), folder, roots)
        return _Part(lambda: _zip_chunks(entries, roots), None, as_text(filename or "files.zip"), as_text(content_type or "application/zip"))
    path, size = _resolve(source.path(ctx), folder, roots)
    name = as_text(filename or path.name)
    guessed = content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    return _Part(lambda: _file_chunks(path, roots, size), size, name, as_text(guessed))


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
    """A rendered body: content (bytes or a fresh chunk iterator), its type and length.

    ``texts`` are the rendered values of a streamed body that are not file contents
    (multipart fields and file names), for checks that must not read the files.
    """

    __slots__ = ("content", "content_type", "length", "streamed", "texts")

    def __init__(self, content: Any, content_type: str | None, length: int | None, streamed: bool, texts: tuple[str, ...] = ()) -> None:
        self.content = content
        self.content_type = content_type
        self.length = length
        self.streamed = streamed
        self.texts = texts


def build_body(request: Request, ctx: Context, folder: Path, progress: ProgressCallback | None, roots: Roots | None = None) -> Body | None:
    """Render and encode the body of ``request``; None when it has none.

    Files are read only from inside ``roots`` (default: ``folder``), regular files only.
    """
    roots = confine_to(folder) if roots is None else roots
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
        files = [(name, _source_part(source, ctx, folder, roots)) for name, source in request.multipart_files]
        content_type, length, chunks = _multipart(fields, files)
        texts = tuple(f"{name}={value!s}" for name, value in fields.items()) + tuple(part.filename for _, part in files)
        return Body(_counted(chunks(), progress), content_type, length, True, texts)
    if request.content is not None:
        part = _source_part(request.content, ctx, folder, roots)
        explicit = request.content.content_type is not None or isinstance(request.content, ZipSource)
        return Body(_counted(part.chunks(), progress), part.content_type if explicit else None, part.size, True, (part.filename,))
    return None
