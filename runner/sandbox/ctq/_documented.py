"""The response fields CTQ documents, read from the Swagger file of the sandbox's API.

The Swagger is the CTQ document that says what an answer holds, so the table is derived
from it rather than copied: every property of every success schema (following
``$ref``s into ``definitions``), with the section that declares it. Error answers are
documented by their examples (``{"errors": [{"<field>": "<message>"}]}``), which a
property list cannot express, so only successful answers are cut down.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from orderspec.sandbox._documented import DocumentedFields, Endpoint, Field, Source, join
from orderspec.sandbox.ctq._api import APIS, Api
from orderspec.sandbox.ctq._swagger import Contract


@cache
def contract_of(api_name: str) -> Contract:
    """The Swagger of ``api_name``, parsed and compiled once per process (read-only, shared by apps)."""
    return Contract(APIS[api_name].swagger)


@cache
def documented_fields(api_name: str) -> DocumentedFields:
    """Per operation, the fields its 200 answer documents, with the Swagger section of each."""
    api = APIS[api_name]
    contract = contract_of(api_name)
    endpoints: dict[str, Endpoint] = {}
    for operation in contract.operations.values():
        schema = operation.documented.get(200)
        found: dict[str, Field] = {}
        if schema:
            _walk(api, contract.definitions, schema, "", f"paths.{operation.path}.{operation.method.lower()}.responses.200", found)
        note = "" if schema else f"{api.swagger.name} documents no body for this answer (status 200 only)."
        endpoints[operation.key] = Endpoint(operation.key, tuple(found.values()), note)
    return DocumentedFields(f"CTQ {api.name}", endpoints)


def _walk(api: Api, definitions: dict[str, Any], schema: dict[str, Any], prefix: str, section: str, found: dict[str, Field]) -> None:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        _walk(api, definitions, definitions[name], prefix, f"definitions.{name}", found)
        return
    section = schema.get("x-source", section)
    for key in ("anyOf", "oneOf", "allOf"):
        for choice in schema.get(key, []):
            _walk(api, definitions, choice, prefix, section, found)
    properties = schema.get("properties") or {}
    for name, child in properties.items():
        path = join(prefix, name)
        free_form = child.get("type") == "object" and not child.get("properties") and "$ref" not in child
        _add(found, Field(path, Source(api.document, section), whole=free_form))
        _walk(api, definitions, child, path, section, found)
    if schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        _walk(api, definitions, schema["items"], f"{prefix}[]", section, found)


def _add(found: dict[str, Field], field: Field) -> None:
    """A field attested in two places (a delivery and a pickup shipping option) names both."""
    known = found.get(field.path)
    if known is None:
        found[field.path] = field
    elif field.source.section not in known.source.section:
        merged = Source(known.source.document, f"{known.source.section}; {field.source.section}")
        found[field.path] = Field(field.path, merged, known.whole and field.whole)


if __name__ == "__main__":  # the tables of docs/targets/ctq.md
    for name in APIS:
        print(documented_fields(name).markdown())
