"""What a vendor's documents attest about its answers, field by field, and a sandbox answer cut down to it.

Each vendor sandbox keeps one table: per endpoint, the response fields a document
shows, each with the document and the section it comes from. In ``documented_only``
mode (``SandboxConfig.documented_only``) a sandbox sends every successful answer
through ``DocumentedFields.prune``, so a field no document attests is simply absent,
and a flow that passes there does not depend on the sandbox's own inventions. The
same table renders the reference in ``docs/targets/`` (``DocumentedFields.markdown``).

Paths are dotted; ``[]`` stands for every element of a list (``items[].model.url``,
``[].orderId`` for a list answered at the top). A field marked ``whole`` is documented
as a free-form value (``metadata``): everything below it stays.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Source:
    """Where a field is attested: a document (a file, or a named vendor page) and its section."""

    document: str
    section: str


@dataclass(frozen=True)
class Field:
    path: str
    source: Source
    whole: bool = False
    """Free-form in the document: the value is kept as it is, with whatever it holds."""


def join(prefix: str, key: str) -> str:
    """The path of ``key`` inside the value at ``prefix``."""
    return f"{prefix}.{key}" if prefix else key


@dataclass(frozen=True)
class Endpoint:
    """The documented fields of one endpoint's successful answer."""

    operation: str
    """``METHOD /path/{template}`` as the vendor writes it."""
    fields: tuple[Field, ...]
    note: str = ""
    """Said beside the table in the docs (e.g. "no body is documented")."""
    _paths: frozenset[str] = field(init=False, repr=False, compare=False)
    _whole: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_paths", frozenset(f.path for f in self.fields))
        object.__setattr__(self, "_whole", frozenset(f.path for f in self.fields if f.whole))

    def prune(self, body: Any) -> Any:
        """``body`` with only the documented fields."""
        return self._prune(body, "")

    def _prune(self, value: Any, prefix: str) -> Any:
        if prefix in self._whole:
            return value
        if isinstance(value, Mapping):
            kept = {}
            for key, child in value.items():
                path = join(prefix, str(key))
                if path in self._paths:
                    kept[key] = self._prune(child, path)
            return kept
        if isinstance(value, list):
            return [self._prune(element, f"{prefix}[]") for element in value]
        return value


@dataclass(frozen=True)
class DocumentedFields:
    """Every endpoint's documented answer fields, keyed by ``METHOD /path/{template}``."""

    vendor: str
    endpoints: Mapping[str, Endpoint]

    def prune(self, operation: str, body: Any) -> Any:
        """The answer of ``operation`` as the documents show it; an endpoint not in the table is answered unchanged."""
        endpoint = self.endpoints.get(operation)
        return body if endpoint is None else endpoint.prune(body)

    def markdown(self) -> str:
        """One table per endpoint: field, document, section. ``docs/targets/`` holds this text."""
        lines = [f"<!-- generated from the {self.vendor} sandbox's table of documented fields; do not edit by hand -->", ""]
        for endpoint in self.endpoints.values():
            lines.append(f"#### `{endpoint.operation}`")
            lines.append("")
            if endpoint.note:
                lines += [endpoint.note, ""]
            if not endpoint.fields:
                continue
            lines += ["| field | document | section |", "| --- | --- | --- |"]
            for item in endpoint.fields:
                suffix = " (free-form)" if item.whole else ""
                lines.append(f"| `{item.path}`{suffix} | {item.source.document} | {item.source.section} |")
            lines.append("")
        return "\n".join(lines).rstrip() + "\n"


def without(value: Any, paths: Collection[str], prefix: str = "") -> Any:
    """``value`` without the fields at ``paths`` (``options["withhold_fields"]``)."""
    if isinstance(value, Mapping):
        return {key: without(child, paths, join(prefix, str(key))) for key, child in value.items() if join(prefix, str(key)) not in paths}
    if isinstance(value, list):
        return [without(element, paths, f"{prefix}[]") for element in value]
    return value


def withheld_fields(options: Mapping[str, object], vendor: str) -> dict[str, frozenset[str]]:
    """``options["withhold_fields"]``: per operation, documented fields the sandbox leaves out anyway.

    This lets a test play a server whose answer lacks a field its document shows
    (``{"POST /orders/{order_id}/place-order": ["order_number"]}``).
    """
    raw = options.get("withhold_fields") or {}
    if not isinstance(raw, Mapping) or not all(
        isinstance(key, str) and isinstance(paths, list | tuple) and all(isinstance(p, str) for p in paths) for key, paths in raw.items()
    ):
        raise ValueError(f"options.withhold_fields of the {vendor} sandbox maps 'METHOD /path' to a list of field paths, not {raw!r}")
    return {key: frozenset(paths) for key, paths in raw.items()}
