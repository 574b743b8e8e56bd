"""Safe YAML loading that remembers where every value came from.

PyYAML's loaders forget positions, silently keep the last of two duplicate keys and
expand aliases without bound. Specs, flows and profiles are all read through
``load_yaml`` instead: the C parser composes the node graph, and one walk over it
builds plain Python data, records the line and column of every key and value, and
refuses what a hand-written order file should never contain.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from runner.errors import Location, SourceError

try:  # the C parser is ~10x faster; fall back where libyaml is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_BYTES = 1 << 20
"""Largest source file accepted; an order spec is a few kilobytes."""

MAX_NODES = 100_000
"""Most values one document may expand to, aliases included (stops "billion laughs")."""

JsonPath = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Document:
    """Plain data of one YAML document, with the position of each value and key."""

    data: Any
    file: str
    values: dict[JsonPath, tuple[int, int]] = field(repr=False)
    keys: dict[JsonPath, tuple[int, int]] = field(repr=False)

    def locate(self, path: JsonPath, *, key: bool = False) -> Location:
        """Where ``path`` is written; for a missing path, its nearest written parent.

        With ``key=True`` a mapping entry is located at its key rather than its value,
        which is where an editor should point for "unknown key" problems.
        """
        path = tuple(path)
        while True:
            if key and path in self.keys:
                line, column = self.keys[path]
                return Location(self.file, line, column)
            if path in self.values:
                line, column = self.values[path]
                return Location(self.file, line, column)
            if not path:
                return Location(self.file, 1, 1)
            path = path[:-1]


def load_yaml(path: str | Path, *, display_name: str | None = None, max_bytes: int = MAX_BYTES) -> Document:
    """Read one YAML document from ``path``; raise ``SourceError`` with a location otherwise."""
    name = display_name or str(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(max_bytes + 1)
    except IsADirectoryError:
        raise SourceError(f"{name} is a folder, not a YAML file") from None
    except OSError as exc:
        raise SourceError(f"cannot read {name}: {exc.strerror or exc}") from None
    if len(raw) > max_bytes:
        raise SourceError(
            f"{name} is larger than {max_bytes // 1024} KiB",
            location=Location(name, 1, 1),
            hint="an order file holds references to model files, not their content",
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SourceError(f"not UTF-8 text (byte {exc.start})", location=Location(name, line, 1)) from None
    return parse_yaml(text, name)


def parse_yaml(text: str, name: str = "<string>") -> Document:
    """Parse ``text`` as exactly one YAML document with positions."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = exc.problem or exc.context or "invalid YAML"
        if "expected a single document" in str(exc):
            message = "several YAML documents in one file; write one order per file"
        location = Location(name, mark.line + 1, mark.column + 1) if mark else Location(name, 1, 1)
        raise SourceError(message, location=location) from None
    except yaml.YAMLError as exc:
        raise SourceError(f"invalid YAML: {exc}", location=Location(name, 1, 1)) from None
    finally:
        loader.dispose()
    if node is None:
        raise SourceError("the file is empty", location=Location(name, 1, 1))
    builder = _Builder(name)
    data = builder.build(node, ())
    return Document(data=data, file=name, values=builder.values, keys=builder.keys)


class _Builder:
    """Turns a composed node graph into plain data, recording positions as it goes."""

    _constructor = yaml.SafeLoader("")  # only its scalar constructors are used

    def __init__(self, name: str) -> None:
        self.name = name
        self.values: dict[JsonPath, tuple[int, int]] = {}
        self.keys: dict[JsonPath, tuple[int, int]] = {}
        self.count = 0

    def _fail(self, message: str, node: yaml.Node, hint: str | None = None) -> SourceError:
        mark = node.start_mark
        return SourceError(message, location=Location(self.name, mark.line + 1, mark.column + 1), hint=hint)

    def build(self, node: yaml.Node, path: JsonPath) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise self._fail(
                f"the document expands to more than {MAX_NODES} values",
                node,
                hint="YAML aliases (*name) are expanded; use fewer of them",
            )
        self.values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(child, path + (index,)) for index, child in enumerate(node.value)]
        try:
            return self._constructor.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            raise self._fail(f"cannot read value: {getattr(exc, 'problem', exc)}", node) from None

    def _mapping(self, node: yaml.MappingNode, path: JsonPath) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise self._fail("merge keys (<<) are not supported", key_node, hint="write the keys out")
            if not isinstance(key_node, yaml.ScalarNode):
                raise self._fail("a mapping key must be a plain value", key_node)
            key = self._constructor.construct_object(key_node)
            if not isinstance(key, Hashable):  # pragma: no cover - scalars always are
                raise self._fail("a mapping key must be a plain value", key_node)
            if key in result:
                first_line = self.keys[path + (key,)][0]
                raise self._fail(
                    f"duplicate key {key!r} (first written on line {first_line})",
                    key_node,
                    hint="YAML keeps only one of them; remove or rename one",
                )
            self.keys[path + (key,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            result[key] = self.build(value_node, path + (key,))
        return result
