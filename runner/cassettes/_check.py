"""``orderspec cassette check``: what must never be committed in a cassette, found and located.

A cassette recorded by orderspec is scrubbed already; the check is for the one that
was edited by hand, recorded by another tool, or recorded before a credential got its
name. It reports, each at its file, line and column: credential headers left with a
value, credential patterns (``Bearer …``, ``X-Amz-Signature=…``, long tokens under
credential-named keys), the value of any environment variable the user names (in
any encoding), upload bytes where a description belongs, and hosts no profile names.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from orderspec.cassettes._scrub import CREDENTIAL_HEADERS, PLACEHOLDER, is_loopback, key_is_credential, secret_forms
from orderspec.errors import UsageError

MAX_BODY = 64 * 1024
"""A stored request body longer than this is taken for upload bytes."""

RECORD_AGAIN = "record the cassette again with orderspec, which scrubs it"
UPLOAD_HINT = "an upload is stored as its size and SHA-256: " + RECORD_AGAIN
REPLACE_HINT = f"replace it with {PLACEHOLDER}, or {RECORD_AGAIN}"

_AUTH_VALUE = re.compile(r"\b(Bearer|Basic|Token)\s+([A-Za-z0-9._~+/-]{8,}=*)")
_SIGNED = re.compile(r"(?i)[?&]((?:x-amz-|x-goog-)?(?:signature|credential|security-token)|sig|token|access_token|api_?key|key)=([^&#\s\"'<>]+)")
_TOKEN_LIKE = re.compile(r"^(?:[A-Fa-f0-9]{32,}|[A-Za-z0-9+/_-]{24,}={0,2}|[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})$")
_CREDENTIAL_WORDS = ("token", "secret", "password", "passwd", "apikey", "api_key", "credential", "signature", "auth", "session", "privatekey")
_BINARY = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_UPLOAD_TYPES = ("multipart/", "application/octet-stream", "application/zip", "image/", "model/", "video/", "audio/", "application/pdf")


@dataclass(frozen=True)
class Finding:
    """One problem in one cassette, where it is and what to do about it."""

    file: str
    line: int
    column: int
    message: str
    hint: str = ""

    def __str__(self) -> str:
        text = f"{self.file}:{self.line}:{self.column}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text


@dataclass(frozen=True)
class CheckReport:
    """What ``check_cassettes`` looked at and found."""

    files: tuple[str, ...]
    findings: tuple[Finding, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.findings


def cassette_files(paths: Iterable[str | Path]) -> Iterator[tuple[Path, bool]]:
    """Each file to check, and whether it was named itself (a folder's YAML files are only candidates)."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for candidate in sorted(path.rglob("*")):
                hidden = any(part.startswith(".") for part in candidate.relative_to(path).parts)
                if candidate.suffix in (".yaml", ".yml") and candidate.is_file() and not hidden:
                    yield candidate, False
        elif path.is_file():
            yield path, True
        else:
            raise UsageError(f"no such file or folder: {raw}")


def profile_hosts(profiles_file: Path) -> tuple[set[str], set[str]]:
    """The hosts of the profiles in ``profiles_file``, and their auth header names."""
    from orderspec.orders import load_profiles

    hosts: set[str] = set()
    headers: set[str] = set()
    for profile in load_profiles(profiles_file).values():
        host = urlsplit(profile.base_url).hostname
        if host:
            hosts.add(host.lower())
        header = getattr(profile.auth, "header", "")
        if header:
            headers.add(header.lower())
    return hosts, headers


def check_cassettes(
    paths: Iterable[str | Path],
    *,
    secrets: Mapping[str, str] | None = None,
    profiles: Path | None = None,
    allow_hosts: Collection[str] = (),
    max_body: int = MAX_BODY,
) -> CheckReport:
    """Lint the cassettes under ``paths`` (files, or folders searched for ``*.yaml``/``*.yml``).

    ``secrets`` maps a name (an environment variable) to a value that must not appear in
    any encoding. Hosts must be loopback, in ``allow_hosts`` or named by a profile of
    ``profiles`` (default: the ``orderspec.yaml`` nearest each cassette). A YAML file in
    a folder that is not a cassette (no ``interactions``) is skipped.
    """
    known = {name: secret_forms(value) for name, value in (secrets or {}).items() if value}
    files: list[str] = []
    findings: list[Finding] = []
    profile_cache: dict[Path | None, tuple[set[str], set[str]]] = {}
    for path, named in cassette_files(paths):
        where = profiles
        if where is None:
            from orderspec.orders import find_profiles_file

            where = find_profiles_file(path.parent)
        if where not in profile_cache:
            profile_cache[where] = profile_hosts(where) if where is not None else (set(), set())
        hosts, auth_headers = profile_cache[where]
        linter = _Linter(path, known, hosts | {host.lower() for host in allow_hosts}, CREDENTIAL_HEADERS | auth_headers, max_body, profiles_named=where)
        checked = linter.run(named)
        if checked:
            files.append(str(path))
            findings.extend(linter.findings)
    return CheckReport(tuple(files), tuple(findings))


def _scalar(node: yaml.Node | None) -> str | None:
    return node.value if isinstance(node, yaml.ScalarNode) else None


def _get(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value in node.value:
            if _scalar(key_node) == key:
                found: yaml.Node = value
                return found
    return None


def _items(node: yaml.Node | None) -> list[tuple[yaml.Node, yaml.Node]]:
    return list(node.value) if isinstance(node, yaml.MappingNode) else []


def _is_credential(scheme: str, value: str) -> bool:
    """Whether ``Basic``/``Bearer``/``Token`` is followed by a credential rather than by prose ("Basic delivery")."""
    if scheme == "Basic":
        try:
            return b":" in base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            return False
    return len(value) >= 16 and any(character.isdigit() for character in value)


class _Linter:
    """The checks of one cassette file."""

    def __init__(
        self, path: Path, known: Mapping[str, set[str]], hosts: set[str], credential_headers: Collection[str], max_body: int, profiles_named: Path | None
    ) -> None:
        self.path = path
        self.known = known
        self.hosts = hosts
        self.credential_headers = credential_headers
        self.max_body = max_body
        self.profiles_named = profiles_named
        self.findings: list[Finding] = []
        self.lines: list[str] = []

    def add(self, node: yaml.Node, message: str, hint: str = RECORD_AGAIN, needle: str | None = None, offset: int = 0) -> None:
        line, column = self._locate(node, needle, offset)
        self.findings.append(Finding(str(self.path), line, column, message, hint))

    def _locate(self, node: yaml.Node, needle: str | None, offset: int) -> tuple[int, int]:
        mark = node.start_mark
        line, column = mark.line, mark.column
        if needle is not None and isinstance(node, yaml.ScalarNode):
            if node.style in ("|", ">"):
                line = mark.line + 1 + node.value.count("\n", 0, offset)
            raw = self.lines[line] if line < len(self.lines) else ""
            found = raw.find(needle)
            if found < 0:
                found = raw.find(needle[:8]) if len(needle) > 8 else -1
            if found >= 0:
                column = found
            elif node.style in ("|", ">"):
                column = len(raw) - len(raw.lstrip())
        return line + 1, column + 1

    # -- the file ---------------------------------------------------------------------------

    def run(self, named: bool) -> bool:
        """Check the file; False when it is a folder's YAML file that is no cassette."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self.findings.append(Finding(str(self.path), 1, 1, f"cannot read the file: {exc}", "a cassette is UTF-8 text"))
            return True
        self.lines = text.splitlines()
        try:
            root = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
            problem = getattr(exc, "problem", None) or str(exc)
            if not named:
                return False
            self.findings.append(Finding(str(self.path), line, column, f"not valid YAML: {problem}", "a cassette is vcrpy's YAML"))
            return True
        interactions = _get(root, "interactions")
        if not isinstance(interactions, yaml.SequenceNode):
            if named:
                node = root if root is not None else yaml.ScalarNode("tag:yaml.org,2002:null", "", start_mark=yaml.Mark(str(self.path), 0, 0, 0, "", 0))
                self.add(node, "not a cassette: no 'interactions' list", "a cassette is a mapping with version and interactions")
            return named
        for interaction in interactions.value:
            self._interaction(interaction)
        self._secrets(interactions)
        return True

    def _interaction(self, interaction: yaml.Node) -> None:
        request, response = _get(interaction, "request"), _get(interaction, "response")
        uri = _get(request, "uri")
        if uri is not None and _scalar(uri) is not None:
            self._uri(uri)
        request_headers = _get(request, "headers")
        self._headers(request_headers)
        self._headers(_get(response, "headers"))
        self._request_body(_get(request, "body"), self._content_type(request_headers))
        body = _get(response, "body")
        self._text(_get(body, "string") if isinstance(body, yaml.MappingNode) else body)

    def _content_type(self, headers: yaml.Node | None) -> str:
        for key, value in _items(headers):
            if (_scalar(key) or "").lower() == "content-type":
                if isinstance(value, yaml.SequenceNode) and value.value:
                    value = value.value[0]
                return (_scalar(value) or "").lower()
        return ""

    # -- hosts and URLs ------------------------------------------------------------------------

    def _uri(self, node: yaml.Node) -> None:
        uri = _scalar(node) or ""
        try:
            host = (urlsplit(uri).hostname or "").lower()
        except ValueError:
            host = ""
        if host and not is_loopback(host) and host not in self.hosts:
            source = f"in {self.profiles_named}" if self.profiles_named else "(no orderspec.yaml found)"
            self.add(node, f"host {host} is named by no profile {source}", "record against a profile's own host, or allow it with --allow-host", needle=host)
        self._patterns(node, uri)

    # -- headers ---------------------------------------------------------------------------------

    def _headers(self, headers: yaml.Node | None) -> None:
        for key, value in _items(headers):
            name = (_scalar(key) or "").lower()
            values = value.value if isinstance(value, yaml.SequenceNode) else [value]
            for item in values:
                text = _scalar(item)
                if text is None:
                    continue
                if name in self.credential_headers and text != PLACEHOLDER and not text.endswith(" " + PLACEHOLDER):
                    self.add(item, f"header {name} holds a credential", f"replace its value with {PLACEHOLDER}, or {RECORD_AGAIN}", needle=text)
                else:
                    self._patterns(item, text)

    # -- bodies ----------------------------------------------------------------------------------

    def _request_body(self, body: yaml.Node | None, content_type: str) -> None:
        if body is None:
            return
        if isinstance(body, yaml.ScalarNode):
            text = body.value
            if body.tag == "tag:yaml.org,2002:binary":
                self.add(body, "the request body holds bytes", UPLOAD_HINT)
            elif content_type.startswith(_UPLOAD_TYPES) and text:
                kind = content_type.split(";")[0]
                self.add(body, f"the request body holds the bytes of an upload ({kind})", UPLOAD_HINT)
            elif len(text.encode("utf-8")) > self.max_body or _BINARY.search(text):
                self.add(body, f"the request body holds {len(text.encode('utf-8'))} bytes of data", UPLOAD_HINT)
            else:
                self._text(body)
            return
        multipart = _get(body, "multipart")
        if isinstance(multipart, yaml.SequenceNode):
            for part in multipart.value:
                value = _get(part, "value")
                text = _scalar(value)
                if value is not None and text is not None:
                    if len(text.encode("utf-8")) > self.max_body or _BINARY.search(text):
                        self.add(value, f"multipart field {_scalar(_get(part, 'name'))!r} holds {len(text.encode('utf-8'))} bytes of data", RECORD_AGAIN)
                    elif key_is_credential(_scalar(_get(part, "name")) or "") and text != PLACEHOLDER:
                        name = _scalar(_get(part, "name"))
                        self.add(value, f"multipart field {name!r} holds a credential", REPLACE_HINT, needle=text)
                    else:
                        self._patterns(value, text)
        elif not isinstance(_get(body, "file"), yaml.MappingNode):
            self.add(body, "the request body is neither text nor an upload description", RECORD_AGAIN)

    def _text(self, node: yaml.Node | None) -> None:
        text = _scalar(node)
        if node is None or text is None:
            return
        self._patterns(node, text)
        if text[:1] in "{[":
            try:
                data = json.loads(text)
            except ValueError:
                return
            self._json(node, data, text)

    def _json(self, node: yaml.Node, data: Any, text: str) -> None:
        stack = [data]
        while stack:
            value = stack.pop()
            if isinstance(value, dict):
                for key, item in value.items():
                    if isinstance(item, str) and item != PLACEHOLDER and self._credential_value(str(key), item):
                        needle = json.dumps(item, ensure_ascii=False)[1:-1]
                        offset = max(text.find(needle), 0)
                        self.add(node, f"body field {key!r} holds a credential", REPLACE_HINT, needle=needle, offset=offset)
                    else:
                        stack.append(item)
            elif isinstance(value, list):
                stack.extend(value)

    @staticmethod
    def _credential_value(key: str, value: str) -> bool:
        if key_is_credential(key) and len(value) >= 8:
            return True
        lowered = key.lower().replace("-", "").replace("_", "")
        return any(word.replace("_", "") in lowered for word in _CREDENTIAL_WORDS) and bool(_TOKEN_LIKE.match(value))

    # -- patterns anywhere -------------------------------------------------------------------------

    def _patterns(self, node: yaml.Node, text: str) -> None:
        for match in _AUTH_VALUE.finditer(text):
            scheme, value = match.group(1), match.group(2)
            if _is_credential(scheme, value):
                self.add(node, f"a {scheme} credential", REPLACE_HINT, needle=value, offset=match.start())
        for match in _SIGNED.finditer(text):
            if match.group(2) != PLACEHOLDER and not match.group(2).startswith(PLACEHOLDER):
                message = f"query parameter {match.group(1)} holds a credential"
                self.add(node, message, REPLACE_HINT, needle=match.group(0), offset=match.start())

    def _secrets(self, root: yaml.Node) -> None:
        if not self.known:
            return
        stack: list[yaml.Node] = [root]
        while stack:
            node = stack.pop()
            if isinstance(node, yaml.MappingNode):
                for key, value in node.value:
                    stack.extend((key, value))
            elif isinstance(node, yaml.SequenceNode):
                stack.extend(node.value)
            elif isinstance(node, yaml.ScalarNode):
                for name, forms in self.known.items():
                    for form in sorted(forms, key=len, reverse=True):
                        index = node.value.find(form)
                        if index >= 0:
                            hint = "remove it, and rotate the credential if the cassette was shared"
                            self.add(node, f"the value of ${name} appears here", hint, needle=form, offset=index)
                            break
