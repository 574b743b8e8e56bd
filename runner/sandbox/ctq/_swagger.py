"""A CTQ Swagger 2.0 file as a checker of requests and responses.

Swagger 2.0 schemas are JSON Schema draft 4 plus a few ``x-`` keys; embedding the file's
``definitions`` next to each schema lets ``$ref: '#/definitions/...'`` resolve as is.
Checking is what makes the sandbox a contract: a flow whose request breaks the Swagger
gets the documented 422, and a sandbox answer that breaks it is reported as a bug of the
sandbox (or of a user's catalogue) instead of being sent.

One reading is not literal: the 2021-04-27 file draws ``GET /info``'s
``shipping_options`` as two pseudo-keys, ``shipping_options (delivery)`` and
``shipping_options (pickup)``, and its description says "Real response has only one
array, shipping_options". The checker reads them as that one array, each entry
either kind (``_one_shipping_array``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import jsonschema_rs
import yaml

SWAGGER = Path(__file__).resolve().parent / "ctq-widget-api.v1.2021-02-19-seed.yaml"
_PSEUDO_SHIPPING = ("shipping_options (delivery)", "shipping_options (pickup)")

# Request errors the later Swagger versions document on every operation (auth, language);
# the seed file omits them on some operations, so a 422 and a 500 are always acceptable.
_ALWAYS = {422: "invalid_body_error", 500: "error"}
_REQUIRED = re.compile(r"^'(.+)' is a required property$")


@dataclass(frozen=True)
class Problem:
    """One place where a document breaks a schema: the field it concerns and why."""

    field: str
    message: str


class _Schema:
    """A compiled schema: a fast yes/no check, and readable problems when the answer is no."""

    def __init__(self, schema: dict[str, Any], definitions: dict[str, Any]) -> None:
        root = {**schema, "definitions": definitions}
        self._fast = jsonschema_rs.Draft4Validator(root)
        self._slow = jsonschema.Draft4Validator(root)

    def problems(self, instance: Any) -> list[Problem]:
        if self._fast.is_valid(instance):
            return []
        found = []
        for error in sorted(self._slow.iter_errors(instance), key=lambda e: list(map(str, e.absolute_path))):
            path = list(error.absolute_path)
            if error.validator == "required":
                match = _REQUIRED.match(error.message)
                path += [match.group(1)] if match else []
            found.append(Problem(_field(path), error.message))
        return found or [Problem("body", "Invalid value")]


def _field(path: list[Any]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "body"


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    body: _Schema | None
    query: dict[str, dict[str, Any]]
    responses: dict[int, _Schema | None]
    documented: dict[int, dict[str, Any] | None]
    """The response schemas as the file writes them (after ``_one_shipping_array``), by status."""

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"


class Contract:
    """Every operation of the Swagger file, keyed by ``(METHOD, "/path/{template}")``."""

    def __init__(self, path: Path = SWAGGER) -> None:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        _one_shipping_array(document)
        self.document = document
        definitions = document.get("definitions", {})
        self.definitions: dict[str, Any] = definitions
        self.operations: dict[tuple[str, str], Operation] = {}
        for route, entry in document["paths"].items():
            shared = entry.get("parameters") or []
            for method, spec in entry.items():
                if method == "parameters":
                    continue
                parameters = [*shared, *(spec.get("parameters") or [])]
                body = next((p["schema"] for p in parameters if p.get("in") == "body"), None)
                responses: dict[int, _Schema | None] = {}
                documented: dict[int, dict[str, Any] | None] = {}
                for status, answer in spec.get("responses", {}).items():
                    schema = answer.get("schema")
                    responses[int(status)] = _Schema(schema, definitions) if schema else None
                    documented[int(status)] = schema
                for status, name in _ALWAYS.items():
                    responses.setdefault(status, _Schema({"$ref": f"#/definitions/{name}"}, definitions))
                self.operations[(method.upper(), route)] = Operation(
                    method=method.upper(),
                    path=route,
                    body=_Schema(body, definitions) if body else None,
                    query={p["name"]: p for p in parameters if p.get("in") == "query"},
                    responses=responses,
                    documented=documented,
                )

    def operation(self, method: str, path: str) -> Operation:
        return self.operations[(method, path)]

    def request_problems(self, operation: Operation, query: dict[str, str], body: Any) -> list[Problem]:
        """What is wrong with a request's query and body; ``[]`` when it conforms."""
        found = [Problem(name, "Invalid value") for name in query if name not in operation.query]
        if operation.body is not None:
            if body is _MISSING:
                found.append(Problem("body", "Invalid value"))
            else:
                found.extend(operation.body.problems(body))
        return found

    def response_problems(self, operation: Operation, status: int, body: Any) -> list[Problem]:
        """What is wrong with an answer the sandbox is about to send; ``[]`` when it conforms."""
        if status not in operation.responses:
            return [Problem("status", f"{status} is not a documented answer of {operation.method} {operation.path}")]
        schema = operation.responses[status]
        return schema.problems(body) if schema is not None else []


def _one_shipping_array(document: dict[str, Any]) -> None:
    """Replace the two ``shipping_options (…)`` pseudo-keys of ``GET /info`` with the one real array."""
    try:
        schema = document["paths"]["/info"]["get"]["responses"]["200"]["schema"]
    except (KeyError, TypeError):
        return
    properties = schema.get("properties", {})
    kinds = [name for name in _PSEUDO_SHIPPING if name in properties]
    if not kinds:
        return
    entries = []
    for name in kinds:
        entry = dict(properties.pop(name)["items"])
        entry["x-source"] = f'paths./info.get.responses.200 "{name}"'
        entries.append(entry)
    properties["shipping_options"] = {"type": "array", "items": {"anyOf": entries}}
    required = schema.get("required", [])
    schema["required"] = [name for name in required if name not in kinds] + (["shipping_options"] if set(kinds) & set(required) else [])


class _Missing:
    def __repr__(self) -> str:
        return "<no body>"


_MISSING: Any = _Missing()
MISSING = _MISSING
"""Stands for a request without a (JSON) body."""
