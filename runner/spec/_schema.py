"""The order-spec JSON Schema: a fast yes/no check, and an explanation when it says no.

jsonschema-rs answers "is this valid?" in microseconds, which is all a valid spec
needs. Only an invalid spec pays for importing python-jsonschema, whose errors carry
what a helpful message needs (the failing keyword, its schema, the instance path).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from typing import Any

from orderspec._resources import schema_path
from orderspec._yaml import Document
from orderspec.spec._problems import JsonPath, Problem

SCHEMA_NAME = "order-spec.schema.json"


@cache
def order_schema() -> dict[str, Any]:
    """The order-spec schema as shipped with the package."""
    with open(schema_path(SCHEMA_NAME), encoding="utf-8") as handle:
        schema: dict[str, Any] = json.load(handle)
    return schema


@cache
def _fast_validator() -> Any:
    import jsonschema_rs

    return jsonschema_rs.validator_for(order_schema())


@cache
def _explaining_validator() -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(order_schema())


def is_valid(data: Any) -> bool | None:
    """True or False; None when the data holds values JSON has no type for (dates, binary)."""
    try:
        return bool(_fast_validator().is_valid(data))
    except (ValueError, TypeError, OverflowError):
        return None


def schema_problems(document: Document) -> list[Problem]:
    """Every schema violation in ``document``, each located and phrased for its author."""
    if is_valid(document.data):
        return []
    problems: dict[tuple[Any, ...], Problem] = {}
    for error in _explaining_validator().iter_errors(document.data):
        for problem in _explain(error, document):
            problems.setdefault((problem.path, problem.code, problem.message), problem)
    return sorted(problems.values(), key=lambda p: (p.location.line, p.location.column, p.message))


def _explain(error: Any, document: Document) -> Iterator[Problem]:
    keyword: str = error.validator
    schema = error.schema if isinstance(error.schema, dict) else {}
    custom = schema.get("x-messages", {}).get(keyword)
    if keyword in ("anyOf", "oneOf") and not custom and error.context:
        from jsonschema.exceptions import best_match

        yield from _explain(best_match(error.context), document)
        return
    path: JsonPath = tuple(error.absolute_path)
    instance = error.instance
    handler = _HANDLERS.get(keyword)
    if custom:
        yield _at(document, path, custom, f"schema.{keyword}", key=keyword in _AT_KEY)
    elif handler is not None:
        yield from handler(document, path, instance, error.validator_value, schema)
    else:
        yield _at(document, path, error.message, f"schema.{keyword}")


_AT_KEY = {"required", "anyOf", "not", "minProperties"}


def _at(document: Document, path: JsonPath, message: str, code: str, hint: str | None = None, *, key: bool = False) -> Problem:
    return Problem(document.locate(path, key=key), path, message, code, hint)


def _required(
    document: Document, path: JsonPath, instance: Any, required: list[str], schema: dict[str, Any]
) -> Iterator[Problem]:
    if not isinstance(instance, dict):
        return
    hints = schema.get("x-hints", {})
    for name in required:
        if name not in instance:
            yield _at(document, path, f"missing required key {name!r}", "schema.required", hints.get(name), key=True)


def _additional(document: Document, path: JsonPath, instance: Any, allowed: Any, schema: dict[str, Any]) -> Iterator[Problem]:
    import difflib

    if not isinstance(instance, dict):
        return
    known = list(schema.get("properties", {}))
    explained = schema.get("x-unknown", {})
    for name in instance:
        if name in known:
            continue
        close = difflib.get_close_matches(str(name), known, n=1, cutoff=0.6)
        if name in explained:
            hint = explained[name]
        elif close:
            hint = f"did you mean {close[0]!r}?"
        else:
            hint = "allowed keys: " + ", ".join(known) if known else None
        yield Problem(
            document.locate(path + (name,), key=True),
            path + (name,),
            f"unknown key {name!r}",
            "schema.additionalProperties",
            hint,
        )


def _enum(document: Document, path: JsonPath, instance: Any, allowed: list[Any], schema: dict[str, Any]) -> Iterator[Problem]:
    import difflib

    choices = ", ".join(repr(value) for value in allowed)
    hint = f"allowed values: {choices}"
    by_lower = {str(value).lower(): value for value in allowed}
    close = difflib.get_close_matches(str(instance).lower(), list(by_lower), n=1, cutoff=0.5)
    if close:
        hint = f"did you mean {by_lower[close[0]]!r}? {hint}"
    yield _at(document, path, f"{instance!r} is not an allowed value", "schema.enum", hint)


def _const(document: Document, path: JsonPath, instance: Any, expected: Any, schema: dict[str, Any]) -> Iterator[Problem]:
    yield _at(document, path, f"must be {expected!r}, not {instance!r}", "schema.const")


_TYPE_NAMES = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping of keys to values",
    "null": "empty",
}


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (the value is empty)"
    if isinstance(value, bool):
        return f"true/false ({value!r})"
    if isinstance(value, int):
        return f"a number ({value})"
    if isinstance(value, float):
        return f"a number ({value!r})"
    if isinstance(value, str):
        return f"text ({value!r})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, bytes):
        return "binary data"
    return f"a {type(value).__name__} ({value})"


def _type(document: Document, path: JsonPath, instance: Any, expected: Any, schema: dict[str, Any]) -> Iterator[Problem]:
    names = [expected] if isinstance(expected, str) else list(expected)
    wanted = " or ".join(_TYPE_NAMES.get(name, name) for name in names)
    hint = None
    if "string" in names and instance is not None and not isinstance(instance, (dict, list)):
        hint = "put the value in quotes to keep it as text"
    yield _at(document, path, f"expected {wanted}, got {_describe(instance)}", "schema.type", hint)


def _pattern(document: Document, path: JsonPath, instance: Any, pattern: str, schema: dict[str, Any]) -> Iterator[Problem]:
    yield _at(document, path, f"{instance!r} does not match the pattern {pattern}", "schema.pattern")


def _length(document: Document, path: JsonPath, instance: Any, limit: int, schema: dict[str, Any]) -> Iterator[Problem]:
    if isinstance(instance, str) and len(instance) < limit:
        yield _at(document, path, "must not be empty", "schema.minLength")
    else:
        yield _at(document, path, f"is longer than {limit} characters", "schema.maxLength")


def _bound(message: str, code: str) -> Any:
    def handler(document: Document, path: JsonPath, instance: Any, limit: Any, schema: dict[str, Any]) -> Iterator[Problem]:
        yield _at(document, path, message.format(limit=limit, value=instance), code)

    return handler


def _items_count(document: Document, path: JsonPath, instance: Any, limit: int, schema: dict[str, Any]) -> Iterator[Problem]:
    if isinstance(instance, list) and len(instance) < limit:
        yield _at(document, path, f"needs at least {limit} entr{'y' if limit == 1 else 'ies'}", "schema.minItems")
    else:
        yield _at(document, path, f"has {len(instance)} entries; at most {limit} are allowed", "schema.maxItems")


def _unique(document: Document, path: JsonPath, instance: Any, flag: Any, schema: dict[str, Any]) -> Iterator[Problem]:
    seen: list[Any] = []
    for index, value in enumerate(instance):
        if value in seen:
            yield _at(document, path + (index,), f"{value!r} is listed twice", "schema.uniqueItems")
            return
        seen.append(value)


def _min_properties(document: Document, path: JsonPath, instance: Any, limit: int, schema: dict[str, Any]) -> Iterator[Problem]:
    yield _at(document, path, "must not be empty", "schema.minProperties", key=True)


def _not(document: Document, path: JsonPath, instance: Any, subschema: Any, schema: dict[str, Any]) -> Iterator[Problem]:
    yield _at(document, path, "this combination of keys is not allowed", "schema.not", key=True)


_HANDLERS: dict[str, Any] = {
    "required": _required,
    "additionalProperties": _additional,
    "enum": _enum,
    "const": _const,
    "type": _type,
    "pattern": _pattern,
    "minLength": _length,
    "maxLength": _length,
    "minimum": _bound("must be at least {limit}, not {value!r}", "schema.minimum"),
    "maximum": _bound("must be at most {limit}, not {value!r}", "schema.maximum"),
    "exclusiveMinimum": _bound("must be more than {limit}, not {value!r}", "schema.exclusiveMinimum"),
    "minItems": _items_count,
    "maxItems": _items_count,
    "uniqueItems": _unique,
    "minProperties": _min_properties,
    "not": _not,
}
