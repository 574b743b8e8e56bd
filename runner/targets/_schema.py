"""The order-spec schema's rules per system, taken from the descriptors.

Each built-in system keeps its part of the schema (what a spec for it must hold beyond the
common shape) beside its descriptor, as ``runner/targets/<system>.schema.json``. The
schema shipped for editors and used by ``validate`` is composed from them:
``python -m orderspec.targets`` writes it, and a test keeps the two in step.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent


def system_rule(name: str) -> dict[str, Any]:
    """``if target.system == name then <the system's fragment>``."""
    fragment = json.loads((_HERE / f"{name}.schema.json").read_text(encoding="utf-8"))
    return {"if": _targets({"const": name}), "then": fragment}


def compose_order_schema(base: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with its system list and per-system rules replaced by the registered descriptors'."""
    from orderspec.targets import names

    schema = copy.deepcopy(dict(base))
    known = list(names())
    schema["$defs"]["target"]["properties"]["system"]["enum"] = known
    other_items = {"properties": {"items": {"items": {"$ref": "#/$defs/item"}}}}
    schema["allOf"] = [{"if": _targets({"enum": known}), "else": other_items}, *(system_rule(name) for name in known)]
    return schema


def _targets(system: dict[str, Any]) -> dict[str, Any]:
    return {"properties": {"target": {"properties": {"system": system}, "required": ["system"]}}, "required": ["target"]}
