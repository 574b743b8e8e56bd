"""What a JetBrains HTTP Client file says, as plain values with line numbers.

The parser fills these; the converter reads them. Nothing here knows about HTTP
execution or about flows.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Line:
    """One source line; ``number`` counts from 1."""

    text: str
    number: int


@dataclass(frozen=True, slots=True)
class Variable:
    """An in-file variable, ``@name = value``."""

    name: str
    value: str
    line: int


@dataclass(frozen=True, slots=True)
class Header:
    name: str
    value: str
    line: int


@dataclass(frozen=True, slots=True)
class Script:
    """A pre-request (``< {% %}``) or response-handler (``> {% %}``) script.

    ``source`` is the JavaScript between the braces and ``line`` the line where it
    starts; a script kept in its own file has ``path`` instead of ``source``.
    """

    source: str
    line: int
    path: str | None = None


@dataclass(frozen=True, slots=True)
class Tag:
    """A ``# @tag value`` comment before a request, other than ``@name``."""

    name: str
    value: str
    line: int


@dataclass(frozen=True, slots=True)
class Request:
    """One request between ``###`` separators."""

    method: str
    url: str
    line: int
    title: str | None = None
    name: str | None = None
    http_version: str | None = None
    headers: tuple[Header, ...] = ()
    body: tuple[Line, ...] = ()
    pre_scripts: tuple[Script, ...] = ()
    handlers: tuple[Script, ...] = ()
    tags: tuple[Tag, ...] = ()
    # Lines after the body that the converter cannot use (``>> file``, ``<> file``).
    extras: tuple[Line, ...] = ()

    def header(self, name: str) -> Header | None:
        """The first header called ``name`` (case-insensitive)."""
        lowered = name.lower()
        return next((h for h in self.headers if h.name.lower() == lowered), None)


@dataclass(frozen=True, slots=True)
class Problem:
    """Something in the file that is not JetBrains HTTP syntax, or not understood."""

    line: int
    message: str


@dataclass(frozen=True, slots=True)
class HttpFile:
    path: str
    variables: tuple[Variable, ...] = ()
    requests: tuple[Request, ...] = ()
    problems: tuple[Problem, ...] = field(default=())
