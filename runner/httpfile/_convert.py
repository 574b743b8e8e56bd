"""Converting a parsed ``.http`` file into a flow mapping (see ``docs/flows.md``).

Each request becomes a step: its URL relative to a shared ``base_url``, its query as
``params``, its body as ``json``/``form``/``multipart``/``content``, its handler's
``client.global.set`` calls as ``capture``. What each ``{{name}}`` becomes is the
business of ``_variables``. Whatever has no flow equivalent is reported with its
line, never dropped in silence.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from orderspec.httpfile import _headers
from orderspec.httpfile._body import Body, boundary_of, file_reference, form_body, json_body, multipart_body
from orderspec.httpfile._errors import HttpFileError
from orderspec.httpfile._model import Header, HttpFile, Problem, Request
from orderspec.httpfile._names import flow_name, identifier, last_literal_segment, looks_like_credential, step_name
from orderspec.httpfile._parser import METHODS
from orderspec.httpfile._polling import reads_analysis_status, single_check_warning
from orderspec.httpfile._script import jinja_string
from orderspec.httpfile._templates import REFERENCE, escape, rewrite
from orderspec.httpfile._variables import Variables

_ORIGIN = re.compile(r"^(https?://[^/?#]+|\{\{[^}]*\}\})(.*)$", re.DOTALL)
FLOW_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_SILENT_TAGS = frozenset({"no-log"})  # only about the HTTP Client's own logging
_AUTH_SCHEMES = frozenset({"Bearer", "Token", "Basic", "Digest", "ApiKey"})


@dataclass(frozen=True, slots=True)
class Conversion:
    """The flow as plain data, what could not be converted, and the secrets the flow reads.

    ``secrets`` maps each secret's name to the environment variable suggested for it.
    ``inferred`` says, per step that is not a read, which effect it was given and why
    (a .http file does not say): for the user to confirm, not a conversion problem.
    """

    flow: dict[str, Any]
    warnings: tuple[Problem, ...]
    secrets: dict[str, str] = field(default_factory=dict)
    inferred: tuple[Problem, ...] = ()


def convert(http: HttpFile, *, flow_dir: Path | None = None, name: str | None = None) -> Conversion:
    """The flow for ``http``; file paths are written relative to ``flow_dir`` when given."""
    return _Converter(http, flow_dir).run(name)


@dataclass
class _Step:
    request: Request
    name: str = ""
    description: str | None = None
    effect: str | None = None
    timeout: float | None = None
    url: str = ""
    path: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, Any] = field(default_factory=dict)
    body: Body | None = None
    capture: dict[str, str] = field(default_factory=dict)

    def mapping(self) -> dict[str, Any]:
        request: dict[str, Any] = {"method": self.request.method, "url": self.url}
        if self.params:
            request["params"] = self.params
        if self.headers:
            request["headers"] = self.headers
        if self.body is not None:
            request[self.body.kind] = self.body.value
        step: dict[str, Any] = {"name": self.name}
        if self.description:
            step["description"] = self.description
        if self.effect:
            step["effect"] = self.effect
        if self.timeout is not None:
            step["timeout"] = self.timeout
        step["request"] = request
        if self.capture:
            step["capture"] = self.capture
        return step


class _Converter:
    def __init__(self, http: HttpFile, flow_dir: Path | None) -> None:
        self.http = http
        self.flow_dir = flow_dir
        self.http_dir = Path(http.path).parent
        self.warnings: list[Problem] = list(http.problems)
        self.variables = Variables(self.warnings)
        self.resolve = self.variables.resolve
        self.bodiless_content_types: list[int] = []
        self.inferred: list[Problem] = []

    def run(self, name: str | None) -> Conversion:
        self.variables.collect(self.http)
        base = self._base_origin()
        base_url = self._base_url(base) if base is not None else None
        steps = [self._step(index, request, base) for index, request in enumerate(self.http.requests) if self._sendable(request)]
        self._report_bodiless_content_types()
        shared_headers = _headers.hoist([(s.request.line, s.headers) for s in steps], self.warnings)
        self._name_steps(steps)
        self._mark_effects(steps)
        self._warn_single_status_checks(steps)
        flow: dict[str, Any] = {
            "apiVersion": "orderspec/v1",
            "kind": "Flow",
            "name": name or flow_name(self.http.path),
            "description": f"Converted from {Path(self.http.path).name}.",
        }
        if base_url is not None:
            flow["base_url"] = base_url
        if shared_headers:
            flow["headers"] = shared_headers
        variables = self.variables.ordered()
        if variables:
            flow["vars"] = variables
        flow["steps"] = [step.mapping() for step in steps]
        if any(step.effect == "place" for step in steps):
            flow["outputs"] = {"order_number": "vars.order_number"}
            flow["contract"] = {"order_number": "order_number"}
        if not steps:
            first = min(self.warnings, key=lambda p: p.line, default=None)
            hint = "a request starts with a line such as 'GET https://…'"
            raise HttpFileError(f"{self.http.path}: holds no request a flow can send", hint=hint if first is None else f"line {first.line}: {first.message}")
        warnings = tuple(sorted(self.warnings, key=lambda p: p.line))
        return Conversion(flow=flow, warnings=warnings, secrets=dict(self.variables.secrets), inferred=tuple(self.inferred))

    # -- base URL

    def _base_origin(self) -> str | None:
        """The scheme and host most requests share (literal, or one ``{{host}}`` reference)."""
        origins = Counter(_split_origin(_absolute(r))[0] for r in self.http.requests)
        origins.pop("", None)
        return origins.most_common(1)[0][0] if origins else None

    def _base_url(self, origin: str) -> str:
        if REFERENCE.search(origin):
            return rewrite(origin, self.http.requests[0].line, self.resolve)
        return "{{ vars." + self.variables.origin(origin) + " }}"

    # -- one request

    def _sendable(self, request: Request) -> bool:
        if request.method in FLOW_METHODS:
            return True
        if request.method in METHODS:  # unknown methods were reported by the parser
            self.warnings.append(Problem(request.line, f"a flow cannot send {request.method} requests; request not converted"))
        return False

    def _step(self, index: int, request: Request, base: str | None) -> _Step:
        step = _Step(request=request)
        if request.http_version and request.http_version != "HTTP/1.1":
            self.warnings.append(Problem(request.line, f"{request.http_version} is not converted; the flow uses HTTP/1.1"))
        origin, rest = _split_origin(_absolute(request))
        url = (rest if origin == base else origin + rest) or "/"
        step.path, _, query = url.partition("?")
        params = self._params(query, request.line)
        if params is None:
            step.url = rewrite(url, request.line, self.resolve)
        else:
            step.url, step.params = rewrite(step.path, request.line, self.resolve), params
        step.body = self._body(request)
        step.headers = self._request_headers(request, step.body)
        for assignment in self.variables.captures.get(index, []):
            expression = _literal_expression(assignment.value) if assignment.is_literal else assignment.expression
            step.capture[identifier(assignment.name)] = expression or ""
        self._tags(request, step)
        for extra in request.extras:
            text = extra.text.strip()
            if text.startswith("<>"):
                self.warnings.append(Problem(extra.number, "a response reference (<>) only compares responses in the IDE; not converted"))
            else:
                self.warnings.append(Problem(extra.number, f"saving the response to a file ({text}) is not converted"))
        return step

    def _params(self, query: str, line: int) -> dict[str, Any] | None:
        """The query as ``params``; None keeps it in the URL (repeated keys, templated keys)."""
        if not query:
            return {}
        pairs = parse_qsl(query, keep_blank_values=True)
        keys = [key for key, _ in pairs]
        if len(set(keys)) != len(keys) or any(REFERENCE.search(key) for key in keys):
            return None
        return {key: rewrite(value, line, self.resolve) for key, value in pairs}

    def _tags(self, request: Request, step: _Step) -> None:
        for tag in request.tags:
            if tag.name == "timeout" and re.fullmatch(r"\d+(\.\d+)?", tag.value):
                seconds = float(tag.value) if "." in tag.value else int(tag.value)
                if 0 < seconds < 1e9:
                    step.timeout = seconds
                else:  # a flow's timeout is a number of seconds above 0
                    self.warnings.append(Problem(tag.line, f"@timeout {tag.value} is not converted: a timeout is more than 0 and less than 1000000000 seconds"))
            elif tag.name not in _SILENT_TAGS:
                self.warnings.append(Problem(tag.line, f"@{tag.name} is not converted"))

    # -- headers

    def _request_headers(self, request: Request, body: Body | None) -> dict[str, Any]:
        headers: dict[str, Any] = {}
        for header in request.headers:
            lowered = header.name.lower()
            if lowered == "host" and request.url.startswith("/"):
                continue  # it became part of the URL
            if lowered == "content-type" and self._content_type_implied(header, request, body):
                continue
            if lowered in {name.lower() for name in headers}:
                self.warnings.append(Problem(header.line, f"header {header.name} is repeated; only the first is sent"))
                continue
            headers[header.name] = self._header_value(header)
        return headers

    def _content_type_implied(self, header: Header, request: Request, body: Body | None) -> bool:
        """True when the body form sets this Content-Type itself, or there is no body at all."""
        value = header.value.lower()
        if body is None:
            if request.body:  # a body that could not be converted (reported): keep what was written
                return False
            self.bodiless_content_types.append(header.line)
            return True
        if body.kind == "json":
            return value.split(";")[0].strip() == "application/json"
        if body.kind == "form":
            return "x-www-form-urlencoded" in value
        return body.kind in ("multipart", "content")

    def _report_bodiless_content_types(self) -> None:
        lines = self.bodiless_content_types
        if lines:
            listed = ", ".join(map(str, lines[:12])) + (", ..." if len(lines) > 12 else "")
            self.warnings.append(Problem(lines[0], f"Content-Type is dropped from requests without a body (lines {listed})"))

    def _header_value(self, header: Header) -> str:
        """The header's template; a credential written literally is replaced by a secret."""
        value = header.value
        if REFERENCE.search(value) or not value or not looks_like_credential(header.name):
            return rewrite(value, header.line, self.resolve)
        scheme, _, credential = value.partition(" ")
        prefix = scheme + " " if credential and scheme in _AUTH_SCHEMES else ""
        return prefix + "{{ secrets." + self.variables.secret_header(header.name, header.line) + " }}"

    # -- bodies

    def _body(self, request: Request) -> Body | None:
        if not request.body:
            return None
        content_type = request.header("Content-Type")
        written = content_type.value if content_type else ""
        kind = written.lower()
        reference = file_reference(request.body)
        if reference is not None and not kind.startswith("multipart/"):
            path, line, substituted = reference
            if substituted:
                self.warnings.append(Problem(line, f"<@ {path}: variables inside the file are not substituted; the file is sent as it is"))
            return Body("content", self._file_source(path, line, None, written or None))
        if kind.startswith("multipart/"):
            boundary = boundary_of(written)
            if boundary is None:
                self.warnings.append(Problem(request.body[0].number, "multipart body without a boundary in its Content-Type; body not converted"))
                return None
            body = multipart_body(request.body, boundary, self.resolve, self._file_source)
        elif "x-www-form-urlencoded" in kind:
            body = form_body(request.body, self.resolve)
        elif "json" in kind or request.body[0].text.lstrip()[:1] in ("{", "["):
            body = json_body(request.body, self.resolve)
        else:
            what = f"a {kind} body" if kind else "a text body"
            self.warnings.append(
                Problem(
                    request.body[0].number,
                    f"{what} is not converted; flows send JSON, form, multipart or file bodies (save it to a file and write '< ./file')",
                )
            )
            return None
        self.warnings.extend(body.problems)
        return body if body.value is not None else None

    def _file_source(self, path: str, line: int, filename: str | None, content_type: str | None) -> dict[str, Any]:
        source: dict[str, Any] = {"path": self._flow_path(path, line)}
        if filename:
            source["filename"] = filename
        if content_type:
            source["content_type"] = rewrite(content_type, line, self.resolve)
        return source

    def _flow_path(self, path: str, line: int) -> str:
        """A file path of the ``.http`` file, relative to the flow's folder."""
        if REFERENCE.search(path):
            return rewrite(path, line, self.resolve)
        absolute = Path(os.path.normpath(self.http_dir / path))
        try:
            found = absolute.is_file()
        except (OSError, ValueError):  # a name too long, or with a NUL: no file has it
            found = False
        if not found:
            self.warnings.append(Problem(line, f"{path} does not exist (relative to {self.http.path}); the flow will fail until it does"))
        if self.flow_dir is None:
            return escape(path)  # a literal path: `{%` in a file name is not template syntax
        if not _below(absolute, self.flow_dir):
            message = f"{path} is outside the flow's folder {self.flow_dir}; a flow sends files from its own folder (or below) only"
            self.warnings.append(Problem(line, message + ": write the flow beside it"))
        try:
            return escape(Path(os.path.relpath(absolute, self.flow_dir)).as_posix())
        except ValueError:  # another drive
            return escape(absolute.as_posix())

    # -- the steps together

    def _name_steps(self, steps: list[_Step]) -> None:
        seen: Counter[str] = Counter()
        for step in steps:
            request = step.request
            name = request.name or request.title or step_name(request.method, step.path)
            if request.name and request.title and request.title != request.name:
                step.description = request.title
            name = re.sub(r"[/\[\]]+", " ", name).strip() or request.method
            seen[name] += 1
            step.name = name if seen[name] == 1 else f"{name} ({seen[name]})"

    def _mark_effects(self, steps: list[_Step]) -> None:
        """Every step that is not a read gets its effect written out, and a warning that it was inferred.

        A POST creates (the safe assumption: ``plan`` never sends it, and it is never sent
        again blindly); PUT, PATCH and DELETE write; the last POST or PUT to an order
        resource places the order. The user confirms or corrects each one.
        """
        for step in steps:
            method = step.request.method
            if method not in _READ_METHODS:
                step.effect = "create" if method == "POST" else "write"
        if steps:
            last = steps[-1]
            if last.request.method in ("POST", "PUT") and "order" in last_literal_segment(last.path).lower():
                last.effect = "place"
                last.capture.setdefault("order_number", "response.body.id")  # the flow contract needs the order's number
        self.inferred = [Problem(step.request.line, _inferred(step)) for step in steps if step.effect is not None]


    def _warn_single_status_checks(self, steps: list[_Step]) -> None:
        """A .http file cannot poll: each analysis status read is sent once, which the documents warn against."""
        for step in steps:
            if reads_analysis_status(step.request.method, step.path):
                self.warnings.append(Problem(step.request.line, single_check_warning(step.name)))


_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _below(path: Path, folder: Path) -> bool:
    """Whether ``path`` (after symbolic links) is in ``folder`` or a folder below it."""
    try:
        real, root = os.path.realpath(path), os.path.realpath(folder)
    except (OSError, ValueError):
        return False
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def _inferred(step: _Step) -> str:
    """The warning that says which effect a step got, and how to change it."""
    method = step.request.method
    if step.effect == "place":
        return f"step {step.name!r}: effect place inferred (the last {method} to an order resource): apply places the order with this step; check that it does"
    if step.effect == "create":
        return (
            f"step {step.name!r}: effect create inferred for a {method}: plan never sends it and it is never sent again blindly; "
            "write effect: write if it only changes something that exists"
        )
    return f"step {step.name!r}: effect write inferred for a {method}: it changes something that exists; write effect: create if it creates something"


def _absolute(request: Request) -> str:
    """The request URL with the scheme and host the HTTP Client would assume."""
    url = request.url
    if url.startswith("/"):
        host = request.header("Host")
        return f"http://{host.value}{url}" if host else url
    if not re.match(r"^(https?://|\{\{)", url):
        return "http://" + url
    return url


def _split_origin(url: str) -> tuple[str, str]:
    match = _ORIGIN.match(url)
    if match is None:
        return "", url
    origin, rest = match.group(1), match.group(2)
    if origin.startswith("{{") and rest and not rest.startswith(("/", "?")):
        return "", url  # {{a}}{{b}}…: not an origin
    return origin, rest


def _literal_expression(value: Any) -> str:
    if isinstance(value, str):
        return jinja_string(value)
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
