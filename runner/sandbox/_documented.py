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
        """The table as ``docs/targets/`` shows it: endpoints with the same answer share one table."""
        groups: list[tuple[list[str], Endpoint]] = []
        for endpoint in self.endpoints.values():
            same = next((group for group in groups if group[1].fields == endpoint.fields and group[1].note == endpoint.note), None)
            if same is not None:
                same[0].append(endpoint.operation)
            else:
                groups.append(([endpoint.operation], endpoint))
        lines = [f"<!-- generated from the {self.vendor} sandbox's table of documented fields; do not edit by hand -->", ""]
        for operations, endpoint in groups:
            lines += [", ".join(f"`{operation}`" for operation in operations), ""]
            if endpoint.note:
                lines += [endpoint.note, ""]
            listed = _as_list_of(endpoint, groups)
            if listed is not None:
                lines += [f"A JSON array; each entry has the fields of {listed}, each under `[].`.", ""]
                continue
            if not endpoint.fields:
                continue
            documents = {item.source.document for item in endpoint.fields}
            if len(documents) == 1:
                lines += [f"Document: {documents.pop()}", "", "| field | section |", "| --- | --- |"]
                lines += [f"| `{item.path}`{_free(item)} | {item.source.section} |" for item in endpoint.fields]
            else:
                lines += ["| field | document | section |", "| --- | --- | --- |"]
                lines += [f"| `{item.path}`{_free(item)} | {item.source.document} | {item.source.section} |" for item in endpoint.fields]
            lines.append("")
        return "\n".join(lines).rstrip() + "\n"


def _free(item: Field) -> str:
    return " (free-form)" if item.whole else ""


def _as_list_of(endpoint: Endpoint, groups: list[tuple[list[str], Endpoint]]) -> str | None:
    """The operations whose answer is one entry of ``endpoint``'s list answer, if there are such."""
    if not endpoint.fields or not all(item.path.startswith("[].") for item in endpoint.fields):
        return None
    entries = tuple(Field(item.path[3:], item.source, item.whole) for item in endpoint.fields)
    for operations, other in groups:
        if other.fields == entries:
            return ", ".join(f"`{operation}`" for operation in operations)
    return None


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
