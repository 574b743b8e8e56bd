"""Turning request bodies into the flow's body forms: ``json``, ``form``, ``multipart``, ``content``.

The HTTP Client substitutes ``{{name}}`` as text before sending, so a JSON body may
hold a bare ``{{customer_id}}`` where a value belongs. Such a reference becomes a
single-template string, which the engine sends with the variable's own type.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from orderspec.httpfile._model import Line, Problem
from orderspec.httpfile._templates import REFERENCE, Resolve, rewrite, rewrite_single

FileSource = Callable[[str, int, "str | None", "str | None"], dict[str, Any]]

_FILE_LINE = re.compile(r"^<(@?)\s+(\S.*)$")  # on a stripped line: no blanks at its end
# Written into the JSON text as escapes, so json.loads turns it into NUL-wrapped text.
_PLACEHOLDER = "\\u0000{}\\u0000"
_PLACEHOLDER_RE = re.compile(r"^\u0000(\d+)\u0000$")
_PARAM = re.compile(r'(\w+)\*?=(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))')


@dataclass(frozen=True, slots=True)
class Body:
    """The converted body: ``kind`` is the request key (json, form, multipart, content)."""

    kind: str
    value: Any
    problems: tuple[Problem, ...] = ()


def file_reference(lines: tuple[Line, ...]) -> tuple[str, int, bool] | None:
    """``(path, line, substituted)`` when the body is one ``< ./file`` (or ``<@ ./file``) line."""
    if len(lines) == 1:
        match = _FILE_LINE.match(lines[0].text.strip())
        if match:
            return match.group(2), lines[0].number, bool(match.group(1))
    return None


def json_body(lines: tuple[Line, ...], resolve: Resolve) -> Body:
    """Parse a JSON body in which bare ``{{name}}`` may stand for values."""
    text = "\n".join(line.text for line in lines)
    first = lines[0].number
    marked, templates = _mark_bare_references(text, first)
    try:
        data = json.loads(marked)
    except json.JSONDecodeError as exc:
        line = first + exc.lineno - 1
        return Body("json", None, (Problem(line, f"the JSON body is not valid JSON ({exc.msg}, column {exc.colno}); body not converted"),))
    problems: list[Problem] = []

    def convert(value: Any) -> Any:
        if isinstance(value, dict):
            out: dict[str, Any] = {}
            for key, item in value.items():
                placeholder = _PLACEHOLDER_RE.match(key)
                if placeholder:
                    name, line = templates[int(placeholder.group(1))]
                    key = "{{" + name + "}}"
                else:
                    line = _line_of(lines, key)
                if REFERENCE.search(key):
                    problems.append(Problem(line, f"a reference in the JSON key {key!r} is not converted; the key is sent as written"))
                out[key] = convert(item)
            return out
        if isinstance(value, list):
            return [convert(item) for item in value]
        if isinstance(value, str):
            placeholder = _PLACEHOLDER_RE.match(value)
            if placeholder:
                name, line = templates[int(placeholder.group(1))]
                return "{{ " + resolve(name, line).expression + " }}"
            return rewrite_single(value, _line_of(lines, value), resolve, keep_text=True)
        return value

    return Body("json", convert(data), tuple(problems))


def _line_of(lines: tuple[Line, ...], value: str) -> int:
    for line in lines:
        if value in line.text:
            return line.number
    return lines[0].number


def _mark_bare_references(text: str, first_line: int) -> tuple[str, list[tuple[str, int]]]:
    """Replace each ``{{name}}`` outside a JSON string by a quoted placeholder."""
    out: list[str] = []
    templates: list[tuple[str, int]] = []
    in_string = False
    i = 0
    line = first_line
    while i < len(text):
        char = text[i]
        if in_string:
            if char == "\\":
                out.append(text[i : i + 2])
                i += 2
                continue
            if char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif text.startswith("{{", i):
            end = text.find("}}", i + 2)
            if end >= 0:
                templates.append((text[i + 2 : end].strip(), line))
                out.append('"' + _PLACEHOLDER.format(len(templates) - 1) + '"')
                line += text[i:end].count("\n")
                i = end + 2
                continue
        if char == "\n":
            line += 1
        out.append(char)
        i += 1
    return "".join(out), templates


def form_body(lines: tuple[Line, ...], resolve: Resolve) -> Body:
    """An ``application/x-www-form-urlencoded`` body; lines are joined as the HTTP Client does."""
    text = "".join(line.text.strip() for line in lines)
    first = lines[0].number
    form: dict[str, Any] = {}
    problems: list[Problem] = []
    for key, value in parse_qsl(text, keep_blank_values=True):
        if key in form:
            problems.append(Problem(first, f"form field {key!r} is repeated; only its last value is sent"))
        form[key] = rewrite(value, first, resolve)
    return Body("form", form, tuple(problems))


def boundary_of(content_type: str) -> str | None:
    for match in _PARAM.finditer(content_type):
        if match.group(1).lower() == "boundary":
            return match.group(2) if match.group(2) is not None else match.group(3)
    return None


def multipart_body(lines: tuple[Line, ...], boundary: str, resolve: Resolve, file_source: FileSource) -> Body:
    """Split a multipart body at its boundary into text fields and files."""
    problems: list[Problem] = []
    delimiter = "--" + boundary
    parts: list[list[Line]] = []
    current: list[Line] | None = None
    for line in lines:
        text = line.text.strip()
        if text.startswith(delimiter):
            rest = text[len(delimiter) :]
            if rest == "--":
                current = None
                continue
            if rest:
                problems.append(
                    Problem(
                        line.number,
                        f"{text!r} does not match the boundary {delimiter!r} of the Content-Type; read as that boundary",
                    )
                )
            current = []
            parts.append(current)
        elif current is not None:
            current.append(line)
        elif text:
            problems.append(Problem(line.number, "text before the first multipart boundary is not sent"))
    if not parts:
        problems.append(Problem(lines[0].number, f"no part starts with {delimiter!r}; body not converted"))
        return Body("multipart", None, tuple(problems))
    fields: dict[str, Any] = {}
    files: dict[str, Any] = {}
    for part in parts:
        _part(part, fields, files, problems, resolve, file_source)
    value: dict[str, Any] = {}
    if fields:
        value["fields"] = fields
    if files:
        value["files"] = files
    return Body("multipart", value, tuple(problems))


def _part(
    part: list[Line],
    fields: dict[str, Any],
    files: dict[str, Any],
    problems: list[Problem],
    resolve: Resolve,
    file_source: FileSource,
) -> None:
    if not part:
        return
    start = part[0].number
    headers: dict[str, str] = {}
    index = 0
    while index < len(part) and part[index].text.strip():
        name, _, value = part[index].text.partition(":")
        headers[name.strip().lower()] = value.strip()
        index += 1
    content = part[index + 1 :]
    while content and not content[-1].text.strip():
        content.pop()
    disposition = headers.get("content-disposition", "")
    params = {m.group(1).lower(): (m.group(2) if m.group(2) is not None else m.group(3)) for m in _PARAM.finditer(disposition)}
    part_name = params.get("name")
    if not part_name:
        problems.append(Problem(start, "a multipart part without Content-Disposition name is not converted"))
        return
    if part_name in fields or part_name in files:
        problems.append(Problem(start, f"multipart part {part_name!r} is repeated; only the first one is converted"))
        return
    reference = file_reference(tuple(content))
    filename = params.get("filename")
    content_type = headers.get("content-type")
    for other in sorted(set(headers) - {"content-disposition", "content-type"}):
        problems.append(Problem(start, f"part header {other!r} of multipart part {part_name!r} is not converted"))
    if reference is not None:
        path, line, substituted = reference
        if substituted:
            problems.append(Problem(line, f"<@ {path}: variables inside the file are not substituted; the file is sent as it is"))
        source = file_source(path, line, filename and rewrite(filename, start, resolve), content_type)
        files[part_name] = source
        return
    if filename is not None:
        problems.append(
            Problem(start, f"multipart part {part_name!r} has inline file content; save it to a file and write '< ./file' to convert it")
        )
        return
    if content_type is not None:
        problems.append(Problem(start, f"Content-Type {content_type!r} of the text part {part_name!r} is not converted"))
    text = "\n".join(line.text for line in content)
    fields[part_name] = rewrite(text, content[0].number if content else start, resolve)
