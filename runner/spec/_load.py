"""Loading specs: one file into an ``Order``, many files and folders into a report."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from orderspec._yaml import Document, decode_source, parse_yaml, read_source
from orderspec.errors import Location, SourceError, UsageError
from orderspec.spec._checks import RunCache, check
from orderspec.spec._order import Order
from orderspec.spec._problems import Problem, SpecError
from orderspec.spec._schema import schema_problems

_ORDER_LINE = re.compile(rb"^(?:\xef\xbb\xbf)?kind:[ \t]*(['\"]?)Order\1[ \t]*(#.*)?\r?$", re.MULTILINE)
_SUFFIXES = (".yaml", ".yml")

_parsed: dict[tuple[str, bytes], tuple[Document | None, tuple[Problem, ...]]] = {}
"""Parse and schema results per (display name, content digest): unchanged text is checked once."""


@dataclass(frozen=True)
class SpecResult:
    """The outcome for one spec file: its problems, or its ``Order``."""

    file: str
    problems: tuple[Problem, ...]
    order: Order | None = None
    name: str | None = None
    document: Document | None = field(default=None, repr=False, compare=False)

    @property
    def valid(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "name": self.name,
            "valid": self.valid,
            "digest": self.order.digest if self.order else None,
            "problems": [problem.to_dict() for problem in self.problems],
        }


@dataclass(frozen=True)
class ValidationReport:
    """Every spec found under the given paths, and the YAML files skipped as not orders."""

    results: tuple[SpecResult, ...]
    skipped: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return all(result.valid for result in self.results)

    @property
    def problems(self) -> tuple[Problem, ...]:
        return tuple(problem for result in self.results for problem in result.problems)

    @property
    def orders(self) -> tuple[Order, ...]:
        return tuple(result.order for result in self.results if result.order is not None)

    @property
    def invalid(self) -> tuple[SpecResult, ...]:
        return tuple(result for result in self.results if not result.valid)

    def to_dict(self) -> dict[str, Any]:
        return {
            "valid": self.ok,
            "summary": {
                "specs": len(self.results),
                "valid": len(self.results) - len(self.invalid),
                "invalid": len(self.invalid),
                "problems": len(self.problems),
                "skipped": len(self.skipped),
            },
            "specs": [result.to_dict() for result in self.results],
            "skipped": list(self.skipped),
        }


def load_spec(path: str | os.PathLike[str]) -> Order:
    """Load and validate one spec; raise ``SpecError`` listing every problem otherwise."""
    result = check_spec(path)
    if result.order is None:
        raise SpecError(result.problems)
    return result.order


def check_spec(path: str | os.PathLike[str], *, display_name: str | None = None) -> SpecResult:
    """Validate one spec file and say what is wrong with it, without raising for bad content."""
    path = os.fspath(path)
    name = display_name or path
    try:
        raw = read_source(path, display_name=name)
    except SourceError as exc:
        if exc.location is None:  # the file itself is missing or unreadable: a usage problem
            raise UsageError(exc.message) from None
        return SpecResult(name, (_source_problem(exc, name),))
    return _check_bytes(raw, os.path.abspath(path), name, RunCache())


def validate_paths(paths: Iterable[str | os.PathLike[str]], *, skip_non_orders: bool = False) -> ValidationReport:
    """Validate every spec in ``paths`` (files, or folders searched recursively).

    In folders, ``*.yaml`` and ``*.yml`` files without a top-level ``kind: Order`` line
    are skipped and counted. Files named explicitly are treated as specs (so a typo in
    ``kind`` is reported), unless ``skip_non_orders`` says to skip them the same way,
    as a pre-commit hook that is handed every changed YAML file needs.
    ``metadata.name`` must be unique across everything validated together.
    """
    results: list[SpecResult] = []
    skipped: list[str] = []
    cache = RunCache()
    for path, display, absolute, explicit, error in _discover(paths):
        if error is not None:
            results.append(SpecResult(display, (Problem(Location(display, 1, 1), (), error, "folder.unreadable"),)))
            continue
        try:
            raw = read_source(path, display_name=display)
        except SourceError as exc:
            if exc.location is None and explicit:
                raise UsageError(exc.message) from None
            results.append(SpecResult(display, (_source_problem(exc, display),)))
            continue
        if (skip_non_orders or not explicit) and not _ORDER_LINE.search(raw):
            skipped.append(display)
            continue
        results.append(_check_bytes(raw, absolute, display, cache))
    return ValidationReport(tuple(_unique_names(results)), tuple(skipped))


def _discover(paths: Iterable[str | os.PathLike[str]]) -> Iterator[tuple[str, str, str, bool, str | None]]:
    """(path, display name, absolute path, named explicitly, why unreadable) of every candidate file, once each."""
    seen: set[str] = set()
    given = list(paths)
    if not given:
        raise UsageError("name at least one spec file or folder")
    for entry in given:
        text = os.fspath(entry)
        if os.path.isdir(text):
            base, real_base = os.path.abspath(text), os.path.realpath(text)
            found = False
            for path, display, suffix, error in _walk(text):
                found = True
                real = real_base + suffix
                if error is not None or real not in seen:
                    seen.add(real)
                    yield path, display, base + suffix, False, error
            if not found:
                raise UsageError(f"{text} holds no YAML files", hint="specs are *.yaml or *.yml files with kind: Order")
        elif os.path.exists(text):
            real = os.path.realpath(text)
            if real not in seen:
                seen.add(real)
                yield text, text, os.path.abspath(text), True, None
        else:
            raise UsageError(f"{text} does not exist")


def _walk(folder: str) -> Iterator[tuple[str, str, str, str | None]]:
    """YAML files under ``folder`` in a stable order, skipping hidden folders (.git, .venv).

    Yields the path, its display form, its suffix after ``folder`` (``/sub/a.yaml``), and
    why it cannot be read when a folder below could not be listed (None otherwise).
    """
    unreadable: list[OSError] = []
    for root, dirs, files in os.walk(folder, onerror=unreadable.append):
        for error in unreadable:  # a folder below it could not be listed: reported where the spec files would be
            name = str(error.filename or root)
            yield name, os.path.normpath(name), "", f"cannot read the folder: {error.strerror or error}"
        unreadable.clear()
        dirs[:] = sorted(name for name in dirs if not name.startswith(".") and name != "__pycache__")
        relative = root[len(folder) :]
        for name in sorted(files):
            if name.endswith(_SUFFIXES) and not name.startswith("."):
                path = os.path.join(root, name)
                suffix = f"{relative}{os.sep}{name}" if not relative.endswith(os.sep) else relative + name
                yield path, os.path.normpath(path), suffix, None


def _check_bytes(raw: bytes, absolute: str, name: str, cache: RunCache) -> SpecResult:
    key = (name, hashlib.sha256(raw).digest())
    cached = _parsed.get(key)
    if cached is None:
        try:
            parsed = parse_yaml(decode_source(raw, name), name, positions=False)
            document: Document | None = parsed
            problems: tuple[Problem, ...] = tuple(schema_problems(parsed))
        except SourceError as exc:
            document, problems = None, (_source_problem(exc, name),)
        if len(_parsed) > 4096:
            _parsed.clear()
        _parsed[key] = cached = (document, problems)
    document, problems = cached
    if document is None:
        return SpecResult(name, problems)
    checked = check(document, os.path.dirname(absolute), cache)
    metadata = document.data.get("metadata")
    spec_name = metadata.get("name") if isinstance(metadata, dict) else None
    spec_name = spec_name if isinstance(spec_name, str) else None
    if problems or checked.problems:
        merged = sorted(problems + tuple(checked.problems), key=lambda p: (p.location.line, p.location.column))
        return SpecResult(name, tuple(merged), None, spec_name, document)
    data = checked.data
    target = data["target"]
    order = Order(
        path=Path(absolute),
        name=data["metadata"]["name"],
        system=target.get("system"),
        flow=Path(checked.flow) if checked.flow else None,
        profile=target.get("profile"),
        data=data,
        file_paths=tuple(checked.files),
        document=document,
    )
    return SpecResult(name, (), order, spec_name, document)


def _source_problem(exc: SourceError, name: str) -> Problem:
    return Problem(exc.location or Location(name, 1, 1), (), exc.message, "yaml", exc.hint)


def _unique_names(results: list[SpecResult]) -> Iterator[SpecResult]:
    first: dict[str, SpecResult] = {}
    for result in results:
        if result.name is None or result.document is None:
            yield result
            continue
        earlier = first.setdefault(result.name, result)
        if earlier is result:
            yield result
            continue
        where = earlier.document.locate(("metadata", "name")) if earlier.document else earlier.file
        problem = Problem(
            result.document.locate(("metadata", "name")),
            ("metadata", "name"),
            f"the name {result.name!r} is already used by {where}",
            "name.duplicate",
            "every order needs its own metadata.name: it is the order's key in state",
        )
        merged = tuple(sorted(result.problems + (problem,), key=lambda p: (p.location.line, p.location.column)))
        yield replace(result, problems=merged, order=None)
