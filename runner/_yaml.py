"""Safe YAML loading that remembers where every value came from.

PyYAML's loaders forget positions, silently keep the last of two duplicate keys and
expand aliases without bound. Specs, flows and profiles are all read through
``load_yaml`` instead: the C parser produces events, and one pass over them builds
plain Python data, records the line and column of every key and value, and refuses
what a hand-written order file should never contain (duplicate keys, merge keys,
runaway aliases, custom tags, several documents, a top level that is not a mapping).

Working on events rather than composed nodes skips PyYAML's Python-side composer and
resolver, which is most of its cost; plain scalars are resolved here with PyYAML's own
YAML 1.1 rules, so values come out exactly as ``yaml.safe_load`` would give them.
"""

from __future__ import annotations

import copy
import os
import re
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from orderspec.errors import Location, SourceError

try:  # the C parser is ~10x faster; fall back where libyaml is missing
    from yaml import CSafeLoader as _Loader

    _LIBYAML = True
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

    _LIBYAML = False

MAX_BYTES = 1 << 20
"""Largest source file accepted; an order spec is a few kilobytes."""

MAX_NODES = 100_000
"""Most values one document may expand to, aliases included (stops "billion laughs")."""

MAX_DEPTH = 64
"""Deepest nesting of mappings and lists accepted."""

JsonPath = tuple[str | int, ...]

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_SCALAR_TAGS = frozenset(
    [_STR, _INT, _BOOL, _NULL, "tag:yaml.org,2002:float", "tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:binary"]
)
_RESOLVERS: dict[str | None, list[tuple[str, re.Pattern[str]]]] = yaml.SafeLoader.yaml_implicit_resolvers
_ANY_FIRST = _RESOLVERS.get(None, [])
_NONE: list[tuple[str, re.Pattern[str]]] = []
_BOOLS = yaml.constructor.SafeConstructor.bool_values


class Document:
    """Plain data of one YAML document, with the position of each value and key.

    Positions may be recorded while parsing, or (``parse_yaml(..., positions=False)``)
    only when first asked for, by parsing the same text again: a valid spec never needs
    them, and skipping them makes parsing almost twice as fast.
    """

    __slots__ = ("_keys", "_text", "_values", "data", "file")

    def __init__(
        self,
        data: Any,
        file: str,
        values: dict[JsonPath, tuple[int, int]] | None = None,
        keys: dict[JsonPath, tuple[int, int]] | None = None,
        *,
        text: str | None = None,
    ) -> None:
        self.data = data
        self.file = file
        self._values = values
        self._keys = keys
        self._text = text

    def __repr__(self) -> str:
        return f"Document(file={self.file!r}, data={self.data!r})"

    @property
    def values(self) -> dict[JsonPath, tuple[int, int]]:
        """Line and column (from 1) of every value, by path."""
        if self._values is None:
            self._record()
        return self._values  # type: ignore[return-value]

    @property
    def keys(self) -> dict[JsonPath, tuple[int, int]]:
        """Line and column (from 1) of every mapping key, by the path of its value."""
        if self._keys is None:
            self._record()
        return self._keys  # type: ignore[return-value]

    def _record(self) -> None:
        builder = _Builder(self.file, self._text or "")
        builder.run()
        self._values, self._keys = builder.values, builder.keys

    def locate(self, path: JsonPath, *, key: bool = False) -> Location:
        """Where ``path`` is written; for a missing path, its nearest written parent.

        With ``key=True`` a mapping entry is located at its key rather than its value,
        which is where an editor should point for "unknown key" problems.
        """
        path = tuple(path)
        values, keys = self.values, self.keys
        while True:
            if key and path in keys:
                line, column = keys[path]
                return Location(self.file, line, column)
            if path in values:
                line, column = values[path]
                return Location(self.file, line, column)
            if not path:
                return Location(self.file, 1, 1)
            path = path[:-1]


def read_source(path: str | Path, *, display_name: str | None = None, max_bytes: int = MAX_BYTES) -> bytes:
    """The bytes of ``path``, refusing folders, special files, unreadable and oversized files.

    Errors about the file itself (missing, a folder, unreadable) carry no location;
    an oversized file is located at its start.
    """
    name = display_name or str(path)
    try:  # non-blocking, so a FIFO named like a spec cannot hang us
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise SourceError(f"{name} does not exist") from None
    except IsADirectoryError:
        raise SourceError(f"{name} is a folder, not a YAML file") from None
    except OSError as exc:
        raise SourceError(f"cannot read {name}: {exc.strerror or exc}") from None
    try:
        info = os.fstat(descriptor)
        if stat.S_ISDIR(info.st_mode):
            raise SourceError(f"{name} is a folder, not a YAML file")
        if not stat.S_ISREG(info.st_mode):
            raise SourceError(f"{name} is not a regular file")
        raw = b"" if info.st_size > max_bytes else _read_up_to(descriptor, max_bytes + 1)
    except OSError as exc:
        raise SourceError(f"cannot read {name}: {exc.strerror or exc}") from None
    finally:
        os.close(descriptor)
    if info.st_size > max_bytes or len(raw) > max_bytes:
        raise SourceError(
            f"the file is larger than {max_bytes // 1024} KiB",
            location=Location(name, 1, 1),
            hint="an order file holds references to model files, not their content",
        )
    return raw


def _read_up_to(descriptor: int, limit: int) -> bytes:
    """Up to ``limit`` bytes until the end of the file; one ``read`` may return less (network file systems)."""
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        chunk = os.read(descriptor, limit - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def decode_source(raw: bytes, name: str) -> str:
    """``raw`` as text; UTF-8 (with or without BOM) is the only encoding accepted."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise SourceError(
            f"not UTF-8 text (invalid byte 0x{raw[exc.start]:02x})",
            location=Location(name, line, column),
            hint="save the file as UTF-8",
        ) from None


def load_yaml(path: str | Path, *, display_name: str | None = None, max_bytes: int = MAX_BYTES, mapping: bool = True) -> Document:
    """Read one YAML document from ``path``; raise ``SourceError`` with a location otherwise."""
    name = display_name or str(path)
    raw = read_source(path, display_name=name, max_bytes=max_bytes)
    return parse_yaml(decode_source(raw, name), name, mapping=mapping)


def parse_yaml(text: str, name: str = "<string>", *, mapping: bool = True, positions: bool = True) -> Document:
    """Parse ``text`` as exactly one YAML document with positions.

    With ``mapping`` (the default) the top level must be a mapping, as every file
    orderspec reads is one. With ``positions=False`` positions are recorded only when
    the document is first asked where something is (see ``Document``).
    """
    if not positions:
        try:
            data = _PlainBuilder(name, text).run()
        except SourceError:
            pass  # parse again with positions, for the fully located message
        else:
            if not mapping or isinstance(data, dict):
                return Document(data, name, text=text)
    builder = _Builder(name, text)
    data = builder.run()
    if mapping and not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"a single value ({type(data).__name__})"
        raise SourceError(
            f"the document is {kind}, not a mapping of keys to values",
            location=Location(name, *builder.values[()]),
            hint="start with 'apiVersion: ...' and 'kind: ...' lines",
        )
    return Document(data, name, builder.values, builder.keys)


class _Builder:
    """Turns the parser's event stream into plain data, recording positions as it goes."""

    __slots__ = ("anchors", "count", "keys", "loader", "name", "next_event", "text", "values")

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.text = text
        self.loader = _Loader(text)
        self.next_event: Callable[[], _Event] = self.loader.get_event
        self.values: dict[JsonPath, tuple[int, int]] = {}
        self.keys: dict[JsonPath, tuple[int, int]] = {}
        self.count = 0
        self.anchors: dict[str, tuple[Any, int]] = {}

    def run(self) -> Any:
        try:
            return self._document()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            message = exc.problem or exc.context or "invalid YAML"
            location = Location(self.name, mark.line + 1, mark.column + 1) if mark else Location(self.name, 1, 1)
            raise SourceError(message, location=location, hint=_SYNTAX_HINTS.get(message)) from None
        except yaml.reader.ReaderError as exc:  # its str() spans two lines and names no file
            raise self._character_error(exc) from None
        except yaml.YAMLError as exc:
            raise SourceError(f"invalid YAML: {exc}", location=Location(self.name, 1, 1)) from None
        finally:
            self.loader.dispose()

    def _character_error(self, exc: yaml.reader.ReaderError) -> SourceError:
        """A character YAML refuses (NUL, other control characters), located in the text."""
        # libyaml counts UTF-8 bytes of the text it was given; PyYAML's own reader counts characters
        offset = exc.position
        if _LIBYAML:
            offset = len(self.text.encode("utf-8")[:offset].decode("utf-8", "ignore"))
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        line = self.text.count("\n", 0, offset) + 1
        column = offset - (self.text.rfind("\n", 0, offset) + 1) + 1
        return SourceError(
            f"character U+{code:04X} is not allowed in YAML",
            location=Location(self.name, line, column),
            hint="save the file as UTF-8 text; a NUL character means a binary file or one saved as UTF-16"
            if code == 0
            else "remove it",
        )

    def _document(self) -> Any:
        self.next_event()  # StreamStartEvent
        event = self.next_event()
        if isinstance(event, yaml.StreamEndEvent):
            raise SourceError("the file is empty", location=Location(self.name, 1, 1))
        data = self._value(self.next_event(), (), 0)
        self.next_event()  # DocumentEndEvent
        event = self.next_event()
        if isinstance(event, yaml.DocumentStartEvent):
            raise self._fail("several YAML documents in one file", event, hint="write one order per file")
        return data

    def _fail(self, message: str, event: _Event, hint: str | None = None) -> SourceError:
        mark = event.start_mark
        return SourceError(message, location=Location(self.name, mark.line + 1, mark.column + 1), hint=hint)

    def _count(self, event: _Event, amount: int = 1) -> None:
        self.count += amount
        if self.count > MAX_NODES:
            raise self._fail(
                f"the document expands to more than {MAX_NODES:,} values",
                event,
                hint="aliases (*name) count once per use; an order spec needs far fewer values",
            )

    def _value(self, event: _Event, path: JsonPath, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            self._count(event, 0)
        mark = event.start_mark
        self.values[path] = (mark.line + 1, mark.column + 1)
        kind = type(event)
        if kind is yaml.ScalarEvent:
            value = self._scalar(event)
            if event.anchor is not None:
                self.anchors[event.anchor] = (value, 1)
            return value
        if kind is yaml.AliasEvent:
            return self._alias(event)
        if depth >= MAX_DEPTH:
            raise self._fail(f"values are nested more than {MAX_DEPTH} levels deep", event)
        start = self.count
        if kind is yaml.MappingStartEvent:
            self._check_tag(event, _MAP)
            value = self._mapping(path, depth + 1)
        else:
            self._check_tag(event, _SEQ)
            value = self._sequence(path, depth + 1)
        if self.count > MAX_NODES:  # scalars are counted without checking, in the inlined fast paths
            self._count(event, 0)
        if event.anchor is not None:
            self.anchors[event.anchor] = (value, self.count - start + 1)
        return value

    def _alias(self, event: _Event) -> Any:
        anchored = self.anchors.get(event.anchor)
        if anchored is None:
            raise self._fail(f"unknown alias *{event.anchor}", event)
        value, size = anchored
        self._count(event, size - 1)
        return copy.deepcopy(value) if isinstance(value, (dict, list)) else value

    def _check_tag(self, event: _Event, expected: str) -> None:
        tag = event.tag
        if tag is not None and tag != "!" and tag != expected:
            raise self._fail(f"custom YAML tag {tag} is not supported", event, hint="remove the tag")

    def _sequence(self, path: JsonPath, depth: int) -> list[Any]:
        result: list[Any] = []
        next_event = self.next_event
        index = 0
        while True:
            event = next_event()
            if type(event) is _ScalarEvent and event.anchor is None:  # the common case, inlined
                self.count += 1
                mark: Any = event.start_mark
                self.values[path + (index,)] = (mark.line + 1, mark.column + 1)
                result.append(self._scalar(event))
            elif type(event) is yaml.SequenceEndEvent:
                return result
            else:
                result.append(self._value(event, path + (index,), depth))
            index += 1

    def _mapping(self, path: JsonPath, depth: int) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        next_event = self.next_event
        keys = self.keys
        values = self.values
        scalar = self._scalar
        while True:
            event = next_event()
            if type(event) is not _ScalarEvent:
                if type(event) is yaml.MappingEndEvent:
                    return result
                raise self._fail("a mapping key must be a plain value", event)
            key: Any = _PLAIN.get(event.value, _MISSING) if event.tag is None and event.implicit[0] else _MISSING
            if key is _MISSING:
                key = scalar(event)
            mark: Any = event.start_mark
            child = path + (key,)
            if key in result:
                raise self._fail(
                    f"duplicate key {key!r} (first written on line {keys[child][0]})",
                    event,
                    hint="YAML keeps only one of them; remove or rename one",
                )
            keys[child] = (mark.line + 1, mark.column + 1)
            event = next_event()
            if type(event) is _ScalarEvent and event.anchor is None:  # the common case, inlined
                self.count += 1
                mark = event.start_mark
                values[child] = (mark.line + 1, mark.column + 1)
                if event.tag is None and not event.implicit[0]:  # quoted: a string
                    result[key] = event.value
                else:
                    result[key] = scalar(event)
            else:
                result[key] = self._value(event, child, depth)

    def _scalar(self, event: _Event) -> Any:
        value: str = event.value
        tag = event.tag
        if tag is None:
            if not event.implicit[0]:  # quoted or block scalar: always a string
                return value
            known = _PLAIN.get(value, _MISSING)
            if known is not _MISSING:
                return known
            tag = _resolve(value)
        elif tag == "!":
            return value
        if tag == _STR:
            result: Any = value
        elif tag == _MERGE:
            raise self._fail("merge keys (<<) are not supported", event, hint="write the keys out")
        elif tag == _NULL:
            result = None
        elif tag == _BOOL:
            result = _BOOLS[value.lower()]
        elif tag == _INT and value.isdigit() and (value[0] != "0" or value == "0"):
            result = int(value)
        elif tag not in _SCALAR_TAGS:
            raise self._fail(f"custom YAML tag {tag} is not supported", event, hint="remove the tag")
        else:
            try:
                node = yaml.ScalarNode(tag, value, event.start_mark, event.end_mark, event.style)
                result = _CONSTRUCTOR.construct_object(node, deep=True)
            except (yaml.YAMLError, ValueError) as exc:
                raise self._fail(f"cannot read value {value!r}: {getattr(exc, 'problem', exc)}", event) from None
        if event.tag is None and len(value) <= 64 and len(_PLAIN) < 20_000 and type(result) in _MEMO_TYPES:
            _PLAIN[value] = result
        return result


class _PlainBuilder(_Builder):
    """The same walk without recording positions, for documents that will likely not need them.

    Its errors may lack detail; ``parse_yaml`` then parses again with ``_Builder``.
    """

    __slots__ = ()

    def _value(self, event: _Event, path: JsonPath, depth: int) -> Any:
        self.count += 1
        kind = type(event)
        if kind is yaml.ScalarEvent:
            value = self._scalar(event)
            if event.anchor is not None:
                self.anchors[event.anchor] = (value, 1)
            return value
        if kind is yaml.AliasEvent:
            return self._alias(event)
        if depth >= MAX_DEPTH:
            raise self._fail("nested too deep", event)
        start = self.count
        if kind is yaml.MappingStartEvent:
            self._check_tag(event, _MAP)
            value = self._mapping(path, depth + 1)
        else:
            self._check_tag(event, _SEQ)
            value = self._sequence(path, depth + 1)
        if self.count > MAX_NODES:
            self._count(event, 0)
        if event.anchor is not None:
            self.anchors[event.anchor] = (value, self.count - start + 1)
        return value

    def _sequence(self, path: JsonPath, depth: int) -> list[Any]:
        result: list[Any] = []
        next_event = self.next_event
        while True:
            event = next_event()
            if type(event) is _ScalarEvent and event.anchor is None:
                self.count += 1
                result.append(self._scalar(event))
            elif type(event) is yaml.SequenceEndEvent:
                return result
            else:
                result.append(self._value(event, path, depth))

    def _mapping(self, path: JsonPath, depth: int) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        next_event = self.next_event
        scalar = self._scalar
        while True:
            event = next_event()
            if type(event) is not _ScalarEvent:
                if type(event) is yaml.MappingEndEvent:
                    return result
                raise self._fail("a mapping key must be a plain value", event)
            key: Any = _PLAIN.get(event.value, _MISSING) if event.tag is None and event.implicit[0] else _MISSING
            if key is _MISSING:
                key = scalar(event)
            if key in result:
                raise self._fail("duplicate key", event)
            event = next_event()
            if type(event) is _ScalarEvent and event.anchor is None:
                self.count += 1
                if event.tag is None and not event.implicit[0]:
                    result[key] = event.value
                else:
                    result[key] = scalar(event)
            else:
                result[key] = self._value(event, path, depth)


def _resolve(value: str) -> str:
    """The YAML 1.1 tag PyYAML's safe loader gives a plain scalar."""
    for tag, regexp in _RESOLVERS.get(value[:1], _NONE) + _ANY_FIRST:
        if regexp.match(value):
            return tag
    if not value:
        return _NULL
    return _STR


_SYNTAX_HINTS = {
    "mapping values are not allowed in this context": "put a value that holds ': ' in quotes, or check the indentation of this line and the one above",
    "did not find expected key": "check the indentation: keys of one mapping start in the same column",
    "did not find expected '-' indicator": "check the indentation: entries of one list start in the same column",
    "found character that cannot start any token": "put values starting with @, ` or % in quotes, and indent with spaces",
    "found a tab character that violates indentation": "indent with spaces, not tabs",
    "found unexpected end of stream": "a quote is not closed",
    "did not find expected ',' or ']'": "a [ is not closed",
    "did not find expected ',' or '}'": "a { is not closed",
}
"""libyaml's messages, and what usually causes them in a hand-written file."""

_CONSTRUCTOR = yaml.SafeLoader("")  # only its scalar constructors are used
_ScalarEvent = yaml.ScalarEvent
_Event = Any
"""PyYAML's events: the walk tells them apart by ``type(event) is ...``, faster than narrowing them."""
_MISSING = object()
_MEMO_TYPES = frozenset([str, int, bool, float, type(None)])
_PLAIN: dict[str, Any] = {}
"""Plain scalars seen before and what they resolved to (keys and names repeat a lot)."""
