"""Reading JetBrains HTTP Client files (``.http``) into ``HttpFile`` values.

The parser follows the HTTP Client's own reading of a file: ``###`` starts a request
(the rest of the line is its title), comments and ``@variables`` may come before the
request line, headers follow it up to an empty line, then the body up to a response
handler or the next ``###``. It never fails on odd input: what it cannot place is
kept as a ``Problem`` with its line, for the converter to report.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from orderspec.httpfile._errors import HttpFileError
from orderspec.httpfile._model import Header, HttpFile, Line, Problem, Request, Script, Tag, Variable
from orderspec.httpfile._templates import REFERENCE

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"})
# Request kinds of the HTTP Client that are not plain HTTP requests.
OTHER_KINDS = frozenset({"GRAPHQL", "WEBSOCKET", "GRPC"})

_SEPARATOR = re.compile(r"^###(.*)$")
# Every pattern is matched against a stripped line and ends in a greedy ``(.*)``, or in
# possessive or atomic parts: none backtracks over a run of blanks, so parsing stays linear
# in the file's length (a lazy ``(.*?)\s*$`` is quadratic in a line of many blanks).
_VARIABLE = re.compile(r"^@([A-Za-z_$][\w.$-]*+)\s*+=\s*+(.*)$")
_TAG = re.compile(r"^(?:#|//)\s*+@([\w-]++)(?:\s*+=\s*+|\s++|$)(.*)$")
_HEADER = re.compile(r"^([!#$%&'*+.^_`|~0-9A-Za-z-]++)\s*+:\s?(.*)$")
_METHOD = re.compile(r"^([A-Za-z]++)\s++")
_VERSION = re.compile(r"HTTP/[0-9.]+")
_SCRIPT_OPEN = re.compile(r"^([<>])\s*+\{%(.*)$")
_SCRIPT_FILE = re.compile(r"^([<>])\s++(\S.*)$")
_HOST = re.compile(r"[A-Za-z0-9_.~%-]+|[0-9a-f:.]+")  # a name, an IPv4 or (unbracketed) IPv6 address

MAX_BYTES = 1 << 20
"""Largest file accepted; a hand-written request collection is a few kilobytes."""


def _read_limited(path: Path) -> bytes:
    """The bytes of the regular file ``path``, at most ``MAX_BYTES``.

    Opened without blocking and checked on the open file: a FIFO, ``/dev/zero`` or a
    device is refused at once, and a file that grows while it is read is cut off at the
    limit instead of filling memory.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise HttpFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise HttpFileError(f"{path}: is a folder, not an .http file") from None
    except OSError as exc:
        raise HttpFileError(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        info = os.fstat(descriptor)
        if stat.S_ISDIR(info.st_mode):
            raise HttpFileError(f"{path}: is a folder, not an .http file")
        if not stat.S_ISREG(info.st_mode):
            raise HttpFileError(f"{path}: is not a regular file (a device, a FIFO or a socket); name an .http file")
        if info.st_size > MAX_BYTES:
            raise HttpFileError(f"{path}: the file is {info.st_size} bytes; an .http file larger than {MAX_BYTES} is not read")
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_BYTES:
            chunk = os.read(descriptor, MAX_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise HttpFileError(f"{path}: cannot be read ({exc.strerror})") from None
    finally:
        os.close(descriptor)
    if size > MAX_BYTES:
        raise HttpFileError(f"{path}: the file is larger than {MAX_BYTES} bytes; an .http file that large is not read")
    return b"".join(chunks)


def parse_http_file(path: str | Path) -> HttpFile:
    """Parse the ``.http`` file at ``path``."""
    path = Path(path)
    raw = _read_limited(path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise HttpFileError(f"{path}:{line}: the file is not UTF-8 text") from None
    return parse_http(text, str(path))


def parse_http(text: str, path: str = "<text>") -> HttpFile:
    """Parse the text of an ``.http`` file; ``path`` is only used to name it."""
    lines = [Line(t, n) for n, t in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1)]
    variables: list[Variable] = []
    requests: list[Request] = []
    problems: list[Problem] = []
    for title, block in _blocks(lines):
        reader = _BlockReader(block, title, variables, problems)
        request = reader.read()
        if request is not None:
            requests.append(request)
    return HttpFile(path=path, variables=tuple(variables), requests=tuple(requests), problems=tuple(problems))


def _blocks(lines: list[Line]) -> list[tuple[str | None, list[Line]]]:
    """Split at ``###`` lines; each block carries the title written after its ``###``."""
    blocks: list[tuple[str | None, list[Line]]] = [(None, [])]
    for line in lines:
        match = _SEPARATOR.match(line.text)
        if match:
            blocks.append((match.group(1).strip() or None, []))
        else:
            blocks[-1][1].append(line)
    return blocks


def _request_line(text: str) -> tuple[str | None, str, str | None]:
    """``METHOD URL HTTP/1.1`` of a stripped, non-blank line: (method word or None, url, version or None)."""
    word = None
    rest = text
    method = _METHOD.match(text)
    if method is not None and method.end() < len(text):
        word, rest = method.group(1), text[method.end() :]
    version = None
    parts = rest.rsplit(None, 1)
    if len(parts) == 2 and _VERSION.fullmatch(parts[1]):
        rest, version = parts[0].rstrip(), parts[1]
    return word, rest, version


def _is_url(url: str) -> bool:
    """Whether ``url`` can be a request target, so that a line of some other file is not sent as one.

    ``{{references}}`` may stand for any part; the rest needs no blanks and, unless it
    is a path, an http(s) scheme and a host name (``host:port`` alone is allowed).
    """
    text = REFERENCE.sub("0", url)  # "0" fits any part: scheme aside, host, port or path
    if not text or any(character.isspace() for character in text):
        return False
    if text.startswith("/") or url.startswith("{{"):
        return True
    try:
        parts = urlsplit(text if "://" in text else "http://" + text)
        _ = parts.port  # raises on a port that is not a number
    except ValueError:  # also a bracketed host that is no IP address
        return False
    return parts.scheme in ("http", "https") and _HOST.fullmatch(parts.hostname or "") is not None


def _is_comment(text: str) -> bool:
    stripped = text.lstrip()
    return stripped.startswith("#") or stripped.startswith("//")


@dataclass
class _BlockReader:
    """Reads one block: preamble, request line, headers, body, handlers."""

    lines: list[Line]
    title: str | None
    variables: list[Variable]
    problems: list[Problem]
    index: int = 0
    name: str | None = None
    tags: list[Tag] = field(default_factory=list)
    pre_scripts: list[Script] = field(default_factory=list)

    def read(self) -> Request | None:
        start = self._preamble()
        if start is None:
            for script in self.pre_scripts:
                self.problems.append(Problem(script.line, "a pre-request script with no request after it"))
            return None
        method, url, version = start
        request_line = self.lines[self.index - 1].number
        url = self._url_continuation(url)
        headers = self._headers()
        body = self._body()
        handlers, extras = self._after_body()
        if method in OTHER_KINDS:
            self.problems.append(Problem(request_line, f"{method} requests are not HTTP requests a flow can send"))
            return None
        if not _is_url(url):
            self.problems.append(Problem(request_line, f"{url!r} is not a URL; request not converted"))
            return None
        return Request(
            method=method,
            url=url,
            line=request_line,
            title=self.title,
            name=self.name,
            http_version=version,
            headers=tuple(headers),
            body=tuple(body),
            pre_scripts=tuple(self.pre_scripts),
            handlers=tuple(handlers),
            tags=tuple(self.tags),
            extras=tuple(extras),
        )

    # -- the parts of a block, in order

    def _preamble(self) -> tuple[str, str, str | None] | None:
        """Comments, tags, variables and pre-request scripts, up to the request line."""
        while self.index < len(self.lines):
            line = self.lines[self.index]
            text = line.text.strip()
            if not text:
                self.index += 1
                continue
            if _is_comment(text):
                self._comment(line)
                self.index += 1
                continue
            variable = _VARIABLE.match(text)
            if variable:
                self.variables.append(Variable(variable.group(1), variable.group(2), line.number))
                self.index += 1
                continue
            if text.startswith("@"):
                self.problems.append(Problem(line.number, "expected a variable definition: @name = value"))
                self.index += 1
                continue
            if text.startswith("<"):
                script = self._script()
                if script is not None:
                    self.pre_scripts.append(script)
                else:
                    self.problems.append(Problem(line.number, "a file reference before the request line"))
                    self.index += 1
                continue
            self.index += 1
            word, url, version = _request_line(text)
            method = word.upper() if word else "GET"
            if word is not None and method not in METHODS and method not in OTHER_KINDS:
                if word != method:  # not a method at all: the line is a URL with a space in it
                    method, url = "GET", text if version is None else text[: text.rindex(version)].rstrip()
                else:
                    self.problems.append(Problem(line.number, f"unknown HTTP method {method!r}"))
            return (method, url, version)
        return None

    def _comment(self, line: Line) -> None:
        tag = _TAG.match(line.text.strip())
        if tag is None:
            return
        name, value = tag.group(1), tag.group(2)
        if name == "name":
            if value:
                self.name = value
            else:
                self.problems.append(Problem(line.number, "@name without a name"))
        else:
            self.tags.append(Tag(name, value, line.number))

    def _url_continuation(self, url: str) -> str:
        """Query parameters written on indented lines under the request line."""
        while self.index < len(self.lines):
            line = self.lines[self.index]
            stripped = line.text.strip()
            if line.text[:1] in (" ", "\t") and stripped[:1] in ("?", "&"):
                url += stripped
                self.index += 1
            else:
                break
        return url

    def _headers(self) -> list[Header]:
        headers: list[Header] = []
        while self.index < len(self.lines):
            line = self.lines[self.index]
            text = line.text.strip()
            if not text:
                self.index += 1
                return headers
            if _SCRIPT_OPEN.match(text) or text.startswith(">"):
                return headers
            if _is_comment(text):
                self.index += 1
                continue
            match = _HEADER.match(text)
            if match is None:
                self.problems.append(Problem(line.number, "expected a header (Name: value) or an empty line before the body"))
                return headers
            headers.append(Header(match.group(1), match.group(2), line.number))
            self.index += 1
        return headers

    def _body(self) -> list[Line]:
        body: list[Line] = []
        while self.index < len(self.lines):
            line = self.lines[self.index]
            text = line.text.strip()
            if text.startswith(">") or text.startswith("<>"):
                break
            body.append(line)
            self.index += 1
        while body and not body[-1].text.strip():
            body.pop()
        while body and not body[0].text.strip():
            body.pop(0)
        return body

    def _after_body(self) -> tuple[list[Script], list[Line]]:
        handlers: list[Script] = []
        extras: list[Line] = []
        while self.index < len(self.lines):
            line = self.lines[self.index]
            text = line.text.strip()
            if not text or _is_comment(text):
                self.index += 1
                continue
            if text.startswith(">>") or text.startswith("<>"):
                extras.append(line)
                self.index += 1
                continue
            if text.startswith(">"):
                script = self._script()
                if script is not None:
                    handlers.append(script)
                    continue
            self.problems.append(Problem(line.number, "text after the response handler is not part of any request"))
            self.index += 1
        return handlers, extras

    def _script(self) -> Script | None:
        """A ``< {% … %}`` / ``> {% … %}`` script or a ``< file.js`` reference at ``index``."""
        line = self.lines[self.index]
        text = line.text.strip()
        opened = _SCRIPT_OPEN.match(text)
        if opened is None:
            ref = _SCRIPT_FILE.match(text)
            if ref is None or text.startswith("<>") or not ref.group(2).endswith(".js"):
                return None
            self.index += 1
            return Script(source="", line=line.number, path=ref.group(2))
        rest = opened.group(2)
        parts: list[str] = []
        while True:
            end = rest.find("%}")
            if end >= 0:
                parts.append(rest[:end])
                if rest[end + 2 :].strip():
                    self.problems.append(Problem(self.lines[self.index].number, "text after %} is ignored"))
                self.index += 1
                return Script(source="\n".join(parts), line=line.number)
            parts.append(rest)
            self.index += 1
            if self.index >= len(self.lines):
                self.problems.append(Problem(line.number, "script is not closed with %}"))
                return Script(source="\n".join(parts), line=line.number)
            rest = self.lines[self.index].text
