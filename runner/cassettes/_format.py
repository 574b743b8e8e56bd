"""The cassette file: vcrpy's cassette format, written to be read in a pull request.

vcrpy's own YAML serializer sorts keys, writes each header value as a list and
folds long strings; a diff of such a file is hard to review. The serializer here
writes the same structure (vcrpy reads it back) with one interaction after another,
request before response, ``method``/``uri``/``headers``/``body`` in that order, single
header values as plain strings and multi-line bodies (pretty JSON) as block scalars.
It is registered on a ``vcr.VCR`` like any serializer, next to a persister that writes
atomically in UTF-8, so a file is either the old one or the whole new one.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from vcr.persisters.filesystem import CassetteNotFoundError, FilesystemPersister
from vcr.serialize import deserialize, serialize

from orderspec.cassettes._errors import CassetteUnreadable

try:  # libyaml is ~10x faster; fall back where it is missing
    from yaml import CSafeDumper as _BaseDumper
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeDumper as _BaseDumper  # type: ignore[assignment]
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

NAME = "orderspec-yaml"
"""The name the serializer is registered under."""

HEADER = "# HTTP session recorded by orderspec: replayed offline; credentials scrubbed, uploads stored as size and SHA-256.\n"


class _Dumper(_BaseDumper):
    """Safe YAML with multi-line strings as literal blocks."""


def _represent_text(dumper: _Dumper, value: str) -> yaml.Node:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _represent_text)


def _headers_out(headers: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name in sorted(headers, key=str.lower):
        value = headers[name]
        result[name] = value[0] if isinstance(value, list) and len(value) == 1 else value
    return result


def _request_out(request: dict[str, Any]) -> dict[str, Any]:
    # ``body: null`` stays: vcrpy's own loader needs the key
    return {"method": request["method"], "uri": request["uri"], "headers": _headers_out(request.get("headers") or {}), "body": request.get("body")}


def _response_out(response: dict[str, Any]) -> dict[str, Any]:
    result = {"status": response["status"], "headers": _headers_out(response.get("headers") or {})}
    body = response.get("body") or {}
    if body.get("string") is not None or body.get("base64") is not None:
        result["body"] = body
    return result


def _response_in(response: dict[str, Any]) -> dict[str, Any]:
    headers = {name: value if isinstance(value, list) else [value] for name, value in (response.get("headers") or {}).items()}
    return {**response, "headers": headers, "body": response.get("body") or {"string": ""}}


class _Unusual(Exception):
    """The text uses YAML that ``fast_load`` leaves to PyYAML."""


_PLAIN = {
    "": None,
    "~": None,
    "null": None,
    "Null": None,
    "NULL": None,
    "true": True,
    "True": True,
    "TRUE": True,
    "false": False,
    "False": False,
    "FALSE": False,
}
_INTEGER = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$")
_RESOLVER = yaml.resolver.Resolver()
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_SCALARS = frozenset(f"tag:yaml.org,2002:{name}" for name in ("int", "float", "bool", "null", "timestamp"))


def _plain(value: str) -> Any:
    """A plain scalar as PyYAML's safe loader reads it (YAML 1.1: ``12:30`` is a number, ``yes`` is true)."""
    if value in _PLAIN:
        return _PLAIN[value]
    if _INTEGER.match(value):
        return int(value)
    tag = _RESOLVER.resolve(yaml.ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
    if tag == "tag:yaml.org,2002:str":
        return value
    if tag not in _SCALARS:
        raise _Unusual()
    return _CONSTRUCTOR.yaml_constructors[tag](_CONSTRUCTOR, yaml.ScalarNode(tag, value))


def fast_load(text: str) -> Any:
    """What ``yaml.load`` with the safe loader gives, built from the C parser's events.

    PyYAML's Python composer and constructor cost three times the parsing itself. A
    cassette holds mappings with text keys, lists and scalars; anything else (an
    anchor, an explicit tag, a duplicate or merge key) raises ``_Unusual`` and is left
    to ``yaml.load``.
    """
    events = yaml.parse(text, Loader=_Loader)
    next(events)  # the stream's start
    first = next(events)
    if isinstance(first, yaml.StreamEndEvent):
        return None
    data = _node(next(events), events)
    if not isinstance(next(events), yaml.DocumentEndEvent) or not isinstance(next(events), yaml.StreamEndEvent):
        raise _Unusual()
    return data


def _node(event: yaml.Event, events: Iterator[yaml.Event]) -> Any:
    if isinstance(event, yaml.ScalarEvent):
        if event.anchor is not None or event.tag is not None:
            raise _Unusual()
        value: str = event.value
        if event.style:  # quoted or a block: text (a plain scalar has no style, None or "" by parser)
            return value
        return _plain(value)
    if isinstance(event, yaml.MappingStartEvent) and event.anchor is None and event.tag is None:
        mapping: dict[str, Any] = {}
        while not isinstance(item := next(events), yaml.MappingEndEvent):
            key = _node(item, events)
            if not isinstance(key, str) or key in mapping or key == "<<":
                raise _Unusual()
            mapping[key] = _node(next(events), events)
        return mapping
    if isinstance(event, yaml.SequenceStartEvent) and event.anchor is None and event.tag is None:
        sequence: list[Any] = []
        while not isinstance(item := next(events), yaml.SequenceEndEvent):
            sequence.append(_node(item, events))
        return sequence
    raise _Unusual()


class Serializer:
    """vcrpy serializer interface: ``serialize(dict) -> str`` and ``deserialize(str) -> dict``."""

    @staticmethod
    def serialize(cassette_dict: dict[str, Any]) -> str:
        interactions = [
            {"request": _request_out(interaction["request"]), "response": _response_out(interaction["response"])}
            for interaction in cassette_dict["interactions"]
        ]
        data: dict[str, Any] = {"version": cassette_dict["version"], "interactions": interactions}
        if cassette_dict.get("metadata"):
            data["metadata"] = cassette_dict["metadata"]
        text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False, width=1 << 20)
        return HEADER + text

    @staticmethod
    def deserialize_yaml(text: str) -> Any:
        """The YAML data of ``text``, as the safe loader reads it (through ``fast_load`` where it can)."""
        try:
            return fast_load(text)
        except _Unusual:
            return yaml.load(text, Loader=_Loader)

    @staticmethod
    def deserialize(cassette_string: str) -> dict[str, Any]:
        data = Serializer.deserialize_yaml(cassette_string)
        if not isinstance(data, dict) or not isinstance(data.get("interactions"), list):
            raise ValueError("a cassette is a mapping with an 'interactions' list")
        for index, interaction in enumerate(data["interactions"]):
            if not isinstance(interaction, dict) or not isinstance(interaction.get("request"), dict) or not isinstance(interaction.get("response"), dict):
                raise ValueError(f"interaction {index + 1} needs a request and a response")
            request = interaction["request"]
            missing = {"method", "uri"} - set(request)
            if missing:
                raise ValueError(f"the request of interaction {index + 1} has no {' or '.join(sorted(missing))}")
            interaction["request"] = {"method": request["method"], "uri": request["uri"], "body": request.get("body"), "headers": request.get("headers") or {}}
            interaction["response"] = _response_in(interaction["response"])
        return data


class Persister(FilesystemPersister):  # type: ignore[misc]
    """Reads cassettes as UTF-8; writes them atomically (a temporary file renamed into place)."""

    @classmethod
    def load_cassette(cls, cassette_path: str | os.PathLike[str], serializer: Any) -> Any:
        path = Path(cassette_path)
        if not path.is_file():
            raise CassetteNotFoundError()
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CassetteUnreadable(f"{path}: cannot read the cassette: {exc}") from None
        try:
            return deserialize(text, serializer)
        except (yaml.YAMLError, ValueError, KeyError, TypeError) as exc:
            raise CassetteUnreadable(
                f"{path}: not a cassette orderspec can replay: {' '.join(str(exc).split())}",
                hint="record it again, or check `orderspec cassette check` on it",
            ) from None

    @staticmethod
    def save_cassette(cassette_path: str | os.PathLike[str], cassette_dict: dict[str, Any], serializer: Any) -> None:
        path = Path(cassette_path)
        text = serialize(cassette_dict, serializer)
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
                stream.write(text)
            os.chmod(temporary, mode)  # mkstemp makes the file private; a cassette is meant to be committed
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
