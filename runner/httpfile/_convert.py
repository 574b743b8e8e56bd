"""Converting a parsed ``.http`` file into a flow mapping (see ``docs/flows.md``).

The HTTP Client keeps state in globals that scripts set; a flow keeps it in
``vars``. So in-file variables and values set by pre-request scripts become initial
``vars`` (or ``secrets`` when they look like credentials, which never enter the
flow), values set by response handlers become ``capture`` entries, and every
``{{name}}`` becomes ``{{ vars.name }}``. Whatever has no flow equivalent is
reported with its line, never dropped in silence.
"""

from __future__ import annotations

import os
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from runner.httpfile._body import Body, boundary_of, file_reference, form_body, json_body, multipart_body
from runner.httpfile._model import Header, HttpFile, Problem, Request, Script
from runner.httpfile._script import Assignment, jinja_string, translate_script
from runner.httpfile._templates import REFERENCE, Ref, dynamic, references, rewrite

_ORIGIN = re.compile(r"^(https?://[^/?#]+|\{\{[^}]*\}\})(.*)$", re.DOTALL)
_CREDENTIAL_WORDS = frozenset(
    {"token", "password", "passwd", "pwd", "secret", "key", "apikey", "credential", "credentials", "auth", "authorization", "bearer"}
)
_NOT_HOISTED = frozenset({"content-type", "content-length", "host"})
_SILENT_TAGS = frozenset({"no-log"})  # only about the HTTP Client's own logging
_AUTH_SCHEMES = ("Bearer", "Token", "Basic", "Digest", "ApiKey")


@dataclass(frozen=True, slots=True)
class Conversion:
    """The flow as plain data, what could not be converted, and the secrets the flow reads.

    ``secrets`` maps each secret's name to the environment variable suggested for it.
    """

    flow: dict[str, Any]
    warnings: tuple[Problem, ...]
    secrets: dict[str, str] = field(default_factory=dict)


def identifier(name: str) -> str:
    """A flow variable name (letters, digits, ``_``) for an HTTP Client variable name."""
    ident = re.sub(r"\W", "_", name)
    return ident if re.match(r"[A-Za-z_]", ident) else "_" + ident


def looks_like_credential(name: str) -> bool:
    """True for names such as ``token``, ``api_key``, ``clientSecret``, ``PASSWORD``."""
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()
    return any(word in _CREDENTIAL_WORDS for word in re.split(r"[^a-z0-9]+", words))


def env_name(name: str) -> str:
    """The environment variable suggested for a secret: ``apiKey`` -> ``API_KEY``."""
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", identifier(name)).upper()


def convert(http: HttpFile, *, flow_dir: Path | None = None, name: str | None = None) -> Conversion:
    """The flow for ``http``; file paths are written relative to ``flow_dir`` when given."""
    return _Converter(http, flow_dir).run(name)


@dataclass
class _Converter:
    http: HttpFile
    flow_dir: Path | None
    warnings: list[Problem] = field(default_factory=list)
    vars: dict[str, Any] = field(default_factory=dict)
    text_vars: set[str] = field(default_factory=set)
    defined: set[str] = field(default_factory=set)
    secrets: dict[str, str] = field(default_factory=dict)
    undefined: set[str] = field(default_factory=set)
    origin_var: str | None = None
    no_body_content_types: list[int] = field(default_factory=list)
    pre_assignments: dict[int, list[Assignment]] = field(default_factory=dict)
    handler_assignments: dict[int, list[Assignment]] = field(default_factory=dict)

    @property
    def http_dir(self) -> Path:
        return Path(self.http.path).parent

    # -- the whole file

    def run(self, name: str | None) -> Conversion:
        self.warnings.extend(self.http.problems)
        self._collect_definitions()
        base = self._base_origin()
        steps = [self._step(index, request, base) for index, request in enumerate(self.http.requests)]
        flow_headers = self._hoist_headers(steps)
        self._name_steps(steps)
        self._mark_effects(steps)
        flow: dict[str, Any] = {
            "apiVersion": "orderspec/v1",
            "kind": "Flow",
            "name": name or _flow_name(self.http.path),
            "description": f"Converted from {Path(self.http.path).name}.",
        }
        if base is not None:
            flow["base_url"] = self._base_url(base)
        if flow_headers:
            flow["headers"] = flow_headers
        variables = self._ordered_vars()
        if variables:
            flow["vars"] = variables
        flow["steps"] = [step.mapping() for step in steps]
        if not self.http.requests:
            self.warnings.append(Problem(1, "the file holds no request"))
        warnings = tuple(sorted(self.warnings, key=lambda p: p.line))
        return Conversion(flow=flow, warnings=warnings, secrets=dict(self.secrets))

    def _ordered_vars(self) -> dict[str, Any]:
        ordered: dict[str, Any] = {}
        if self.origin_var is not None and self.origin_var in self.vars:
            ordered[self.origin_var] = self.vars[self.origin_var]
        ordered.update(self.vars)
        return ordered

    # -- variables, secrets, captures

    def _collect_definitions(self) -> None:
        """Everything a ``{{name}}`` can refer to, before any text is rewritten."""
        for variable in self.http.variables:
            self._define_constant(variable.name, variable.value, variable.line, from_script=False)
        for index, request in enumerate(self.http.requests):
            for script in request.pre_scripts:
                for assignment in self._translate(script, pre_request=True):
                    if assignment.is_literal:
                        self._define_constant(assignment.name, assignment.value, assignment.line, from_script=True)
                    else:
                        self.pre_assignments.setdefault(index, []).append(assignment)
                        self.defined.add(identifier(assignment.name))
            for script in request.handlers:
                for assignment in self._translate(script, pre_request=False):
                    self.handler_assignments.setdefault(index, []).append(assignment)
                    self.defined.add(identifier(assignment.name))
        for index, assignments in self.pre_assignments.items():
            for assignment in assignments:
                ident = identifier(assignment.name)
                if "response" in (assignment.expression or ""):
                    self.warnings.append(Problem(assignment.line, f"a pre-request script cannot read the response; {assignment.name!r} not converted"))
                    continue
                self.vars.setdefault(ident, "{{ " + (assignment.expression or "") + " }}")

    def _translate(self, script: Script, *, pre_request: bool) -> tuple[Assignment, ...]:
        translation = translate_script(script, pre_request=pre_request)
        self.warnings.extend(translation.problems)
        return translation.assignments

    def _define_constant(self, name: str, value: Any, line: int, *, from_script: bool) -> None:
        ident = identifier(name)
        if ident != name:
            self.warnings.append(Problem(line, f"variable {name!r} is called {ident!r} in the flow (flow names are letters, digits and _)"))
        literal = not (isinstance(value, str) and REFERENCE.search(value))
        if literal and looks_like_credential(name) and value not in (None, ""):
            if ident not in self.secrets:
                env = env_name(name)
                self.secrets[ident] = env
                where = "set by a pre-request script" if from_script else "set in the file"
                self.warnings.append(
                    Problem(
                        line,
                        f"{name!r} ({where}) looks like a credential, so its value is not written into the flow; "
                        f"the flow reads secrets.{ident}: export {env}=<value> and run with --secret {ident}={env}",
                    )
                )
            return
        if ident in self.vars and self.vars[ident] != _typed(value):
            self.warnings.append(Problem(line, f"{name!r} is set again with another value; the flow starts with the first value"))
            return
        self.defined.add(ident)
        if isinstance(value, str) and REFERENCE.search(value):
            self.vars[ident] = rewrite(value, line, self.resolve)
            self.text_vars.add(ident)
        else:
            typed = _typed(value)
            self.vars[ident] = typed
            if isinstance(typed, str):
                self.text_vars.add(ident)

    def resolve(self, name: str, line: int) -> Ref:
        """The flow expression for an HTTP Client reference ``{{name}}``."""
        if name.startswith("$"):
            return self._resolve_dynamic(name, line)
        ident = identifier(name)
        if ident in self.secrets:
            return Ref(f"secrets.{ident}", text=True)
        if ident not in self.defined and ident not in self.undefined:
            self.undefined.add(ident)
            self.warnings.append(
                Problem(line, f"{{{{{name}}}}} is not defined in the file (an HTTP Client environment value?); run the flow with --var {ident}=<value>")
            )
        return Ref(f"vars.{ident}", text=ident in self.text_vars)

    def _resolve_dynamic(self, name: str, line: int) -> Ref:
        ref = dynamic(name)
        if ref is not None:
            return ref
        if name in ("$timestamp", "$isoTimestamp"):
            ident = "timestamp" if name == "$timestamp" else "iso_timestamp"
            if ident not in self.vars:
                now = time.time()
                self.vars[ident] = int(now) if ident == "timestamp" else time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))
                self.defined.add(ident)
                self.warnings.append(
                    Problem(
                        line,
                        f"{{{{{name}}}}} became vars.{ident}, fixed at the time of conversion (flows have no clock function); "
                        f"pass --var {ident}=<value> for a current one",
                    )
                )
            return Ref(f"vars.{ident}", text=ident == "iso_timestamp")
        env = re.match(r"^\$(?:processEnv|env)\.(\w+)$", name)
        if env:
            ident = identifier(env.group(1).lower())
            if ident not in self.secrets:
                self.secrets[ident] = env.group(1)
                self.warnings.append(
                    Problem(line, f"{{{{{name}}}}} reads the environment; the flow reads secrets.{ident}: run with --secret {ident}={env.group(1)}")
                )
            return Ref(f"secrets.{ident}", text=True)
        self.warnings.append(Problem(line, f"dynamic variable {{{{{name}}}}} is not converted; it is sent as written"))
        return Ref(jinja_string("{{" + name + "}}"), text=True)

    # -- base URL

    def _base_origin(self) -> str | None:
        origins = Counter(_split_origin(_absolute(r))[0] for r in self.http.requests)
        origins.pop("", None)
        if not origins:
            return None
        return origins.most_common(1)[0][0]

    def _base_url(self, origin: str) -> str:
        if REFERENCE.search(origin):
            return rewrite(origin, self.http.requests[0].line, self.resolve)
        ident = "host" if "host" not in self.vars and "host" not in self.secrets else "base_url"
        self.vars[ident] = origin
        self.origin_var = ident
        return "{{ vars." + ident + " }}"

    # -- one request

    def _step(self, index: int, request: Request, base: str | None) -> _Step:
        step = _Step(request=request)
        if request.http_version and request.http_version != "HTTP/1.1":
            self.warnings.append(Problem(request.line, f"{request.http_version} is not converted; the flow uses HTTP/1.1"))
        origin, rest = _split_origin(_absolute(request))
        url = rest if origin == base and origin else origin + rest
        if not url:
            url = "/"
        path, query = _split_query(url)
        step.url = rewrite(path, request.line, self.resolve)
        step.params = self._params(query, request.line)
        if step.params is None:
            step.url = rewrite(url, request.line, self.resolve)
        step.path_for_name = path
        body = self._body(request)
        if body is not None:
            step.body = body
        step.headers = self._headers(request, body)
        for assignment in self.handler_assignments.get(index, []):
            expression = assignment.expression
            if assignment.is_literal:
                expression = _literal_expression(assignment.value)
            step.capture[identifier(assignment.name)] = expression
        self._tags(request, step)
        for extra in request.extras:
            text = extra.text.strip()
            if text.startswith("<>"):
                self.warnings.append(Problem(extra.number, "a response reference (<>) only compares responses in the IDE; not converted"))
            else:
                self.warnings.append(Problem(extra.number, f"saving the response to a file ({text}) is not converted"))
        return step

    def _params(self, query: str, line: int) -> dict[str, Any] | None:
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
                step.timeout = _typed(tag.value) if "." not in tag.value else float(tag.value)
            elif tag.name not in _SILENT_TAGS:
                self.warnings.append(Problem(tag.line, f"@{tag.name} is not converted"))

    def _headers(self, request: Request, body: Body | None) -> dict[str, Any]:
        headers: dict[str, Any] = {}
        for header in request.headers:
            lowered = header.name.lower()
            if lowered == "content-type" and self._content_type_implied(header, request, body):
                continue
            if lowered == "host":
                continue
            if lowered in {h.lower() for h in headers}:
                self.warnings.append(Problem(header.line, f"header {header.name} is repeated; only the first is sent"))
                continue
            headers[header.name] = self._header_value(header)
        return headers

    def _content_type_implied(self, header: Header, request: Request, body: Body | None) -> bool:
        """True when the body form sets this Content-Type itself, or there is no body."""
        value = header.value.lower()
        if body is None:
            if request.body:  # a body that could not be converted (reported): keep what was written
                return False
            self.no_body_content_types.append(header.line)
            return True
        if body.kind == "json":
            return value.split(";")[0].strip() == "application/json"
        if body.kind == "form":
            return "x-www-form-urlencoded" in value
        return body.kind in ("multipart", "content")

    def _header_value(self, header: Header) -> str:
        value = header.value
        if not REFERENCE.search(value) and looks_like_credential(header.name) and value:
            scheme, _, credential = value.partition(" ")
            if credential and scheme in _AUTH_SCHEMES:
                prefix = scheme + " "
            else:
                prefix = ""
            ident = identifier(header.name.lower())
            env = env_name(ident)
            if ident not in self.secrets:
                self.secrets[ident] = env
                self.warnings.append(
                    Problem(
                        header.line,
                        f"header {header.name} holds a literal credential, which is not written into the flow; "
                        f"the flow reads secrets.{ident}: export {env}=<value> and run with --secret {ident}={env}",
                    )
                )
            return prefix + "{{ secrets." + ident + " }}"
        return rewrite(value, header.line, self.resolve)

    def _body(self, request: Request) -> Body | None:
        if not request.body:
            return None
        content_type = request.header("Content-Type")
        ctype = content_type.value.lower() if content_type else ""
        reference = file_reference(request.body)
        if reference is not None and not ctype.startswith("multipart/"):
            path, line, substituted = reference
            if substituted:
                self.warnings.append(Problem(line, f"<@ {path}: variables inside the file are not substituted; the file is sent as it is"))
            source = self._file_source(path, line, None, content_type.value if content_type else None)
            return Body("content", source)
        if ctype.startswith("multipart/"):
            boundary = boundary_of(content_type.value if content_type else "")
            if boundary is None:
                self.warnings.append(Problem(request.body[0].number, "multipart body without a boundary in its Content-Type; body not converted"))
                return None
            body = multipart_body(request.body, boundary, self.resolve, self._file_source)
        elif "x-www-form-urlencoded" in ctype:
            body = form_body(request.body, self.resolve)
        elif "json" in ctype or request.body[0].text.lstrip()[:1] in ("{", "["):
            body = json_body(request.body, self.resolve)
        else:
            what = f"a {ctype} body" if ctype else "a text body"
            self.warnings.append(
                Problem(request.body[0].number, f"{what} is not converted; flows send JSON, form, multipart or file bodies (save it to a file and write '< ./file')")
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
        if REFERENCE.search(path):
            return rewrite(path, line, self.resolve)
        absolute = Path(os.path.normpath(self.http_dir / path))
        if not absolute.is_file():
            self.warnings.append(Problem(line, f"{path} does not exist (relative to {self.http.path}); the flow will fail until it does"))
        if self.flow_dir is None:
            return path
        return Path(os.path.relpath(absolute, self.flow_dir)).as_posix()

    # -- the whole flow

    def _hoist_headers(self, steps: list[_Step]) -> dict[str, Any]:
        """Headers most requests send alike become flow headers."""
        if self.no_body_content_types:
            lines = sorted(self.no_body_content_types)
            listed = ", ".join(map(str, lines[:12])) + (", ..." if len(lines) > 12 else "")
            self.warnings.append(Problem(lines[0], f"Content-Type is dropped from requests without a body (lines {listed})"))
        if len(steps) < 2:
            return {}
        counts: Counter[tuple[str, Any]] = Counter()
        for step in steps:
            counts.update((name.lower(), value) for name, value in step.headers.items() if name.lower() not in _NOT_HOISTED)
        hoisted: dict[str, Any] = {}
        for (lowered, value), count in counts.items():
            if count >= 2 and count * 2 > len(steps) and lowered not in {k.lower() for k in hoisted}:
                original = next(n for s in steps for n, v in s.headers.items() if n.lower() == lowered and v == value)
                hoisted[original] = value
        for step in steps:
            missing = []
            for name, value in hoisted.items():
                own = next((n for n in step.headers if n.lower() == name.lower()), None)
                if own is None:
                    missing.append(name)
                elif step.headers[own] == value:
                    del step.headers[own]
            if missing:
                names = ", ".join(missing)
                nulls = ", ".join(f"'{name}: null'" for name in missing)
                self.warnings.append(
                    Problem(
                        step.request.line,
                        f"this request sends no {names}; the converted step sends the flow's "
                        f"(add {nulls} under its headers to send none)",
                    )
                )
        return hoisted

    def _name_steps(self, steps: list[_Step]) -> None:
        seen: Counter[str] = Counter()
        for step in steps:
            request = step.request
            name = request.name or request.title or _derived_name(request.method, step.path_for_name)
            if request.name and request.title and request.title != request.name:
                step.description = request.title
            name = re.sub(r"[/\[\]]+", " ", name).strip() or request.method
            seen[name] += 1
            step.name = name if seen[name] == 1 else f"{name} ({seen[name]})"

    def _mark_effects(self, steps: list[_Step]) -> None:
        for step in steps:
            if step.request.method == "POST" and "response.body.id" in step.capture.values():
                step.effect = "create"
        placing = [s for s in steps if s.request.method in ("POST", "PUT") and re.search(r"order", _last_literal(s.path_for_name), re.I)]
        if placing and placing[-1] is steps[-1]:
            placing[-1].effect = "place"


@dataclass
class _Step:
    request: Request
    name: str = ""
    description: str | None = None
    effect: str | None = None
    timeout: float | int | None = None
    url: str = ""
    path_for_name: str = ""
    params: dict[str, Any] | None = None
    headers: dict[str, Any] = field(default_factory=dict)
    body: Body | None = None
    capture: dict[str, Any] = field(default_factory=dict)

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


def _absolute(request: Request) -> str:
    """The request URL with the scheme the HTTP Client would assume."""
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
        return "", url  # {{a}}{{b}}… : not an origin
    return origin, rest


def _split_query(url: str) -> tuple[str, str]:
    path, _, query = url.partition("?")
    return path, query


def _derived_name(method: str, path: str) -> str:
    """``GET users``, ``PATCH baskets {basket_id}``: the resource the request is about."""
    segments = [s for s in path.split("/") if s]
    if not segments:
        return method
    shown = [REFERENCE.sub(lambda m: "{" + m.group(1) + "}", s) for s in segments]
    if REFERENCE.search(segments[-1]) and len(segments) > 1 and not REFERENCE.search(segments[-2]):
        return f"{method} {shown[-2]} {shown[-1]}"
    literal = [s for s, raw in zip(shown, segments) if not REFERENCE.search(raw)]
    return f"{method} {literal[-1] if literal else shown[-1]}"


def _last_literal(path: str) -> str:
    segments = [s for s in path.split("/") if s and not REFERENCE.search(s)]
    return segments[-1] if segments else ""


def _typed(value: Any) -> Any:
    """Whole numbers written as text become numbers: the HTTP Client substitutes text, so
    ``{{count}}`` unquoted in JSON is a number there too."""
    if isinstance(value, str) and re.fullmatch(r"-?(0|[1-9]\d{0,17})", value):
        return int(value)
    return value


def _literal_expression(value: Any) -> str:
    if isinstance(value, str):
        return jinja_string(value)
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _flow_name(path: str) -> str:
    stem = Path(path).stem
    name = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")
    return name or "imported"


__all__ = ["Conversion", "convert", "identifier", "looks_like_credential", "env_name", "references"]
