"""Matching a request against recorded ones, and saying how the nearest one differs.

Requests match on method, path, query and normalised body; never on host or port
(a sandbox listens on a random port) and never on headers. A recorded value that was
scrubbed (``<scrubbed>``) matches whatever stands in its place, so replay needs no
credentials. Each matcher is a vcrpy matcher: it raises ``AssertionError`` with a
line a user can read (``body field items[0].quantity: recorded 2, this request 3``).
vcrpy calls matchers with the request being made first and the recorded one second.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, unquote

from orderspec.cassettes._body import is_json
from orderspec.cassettes._scrub import PLACEHOLDER, SIGNING_PARAMS, param_is_credential

MAX_DIFFERENCES = 5
_SHOWN = 60
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@lru_cache(maxsize=1024)
def _wildcard(recorded: str) -> re.Pattern[str]:
    return re.compile(".*?".join(map(re.escape, recorded.split(PLACEHOLDER))), re.DOTALL)


def text_matches(recorded: str, actual: str) -> bool:
    """Whether ``actual`` equals ``recorded``, a scrubbed part of ``recorded`` standing for any text."""
    if recorded == actual:
        return True
    if PLACEHOLDER not in recorded:
        return False
    return _wildcard(recorded).fullmatch(actual) is not None


def shown(value: Any) -> str:
    """A value in a message: JSON, shortened."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True) if not isinstance(value, bytes) else repr(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def request_line(request: Any) -> str:
    """``POST /orders?x=1``: method, path and query of a vcrpy request, without the origin."""
    parsed = request.parsed_uri
    return f"{request.method} {parsed.path or '/'}" + (f"?{parsed.query}" if parsed.query else "")


# -- matchers (vcrpy interface) -----------------------------------------------------------------


def method(r1: Any, r2: Any) -> None:
    if r1.method.upper() != r2.method.upper():
        raise AssertionError(f"method: recorded {r2.method}, this request {r1.method}")


def path(r1: Any, r2: Any) -> None:
    actual, recorded = unquote(r1.parsed_uri.path or "/"), unquote(r2.parsed_uri.path or "/")
    if not text_matches(recorded, actual):
        raise AssertionError(f"path: recorded {recorded}, this request {actual}")


def query(r1: Any, r2: Any) -> None:
    differences = query_differences(r2.parsed_uri.query, r1.parsed_uri.query)
    if differences:
        raise AssertionError("\n".join(differences))


def body(r1: Any, r2: Any) -> None:
    differences = body_differences(r2.body, r1.body, r2.headers.get("content-type") or r1.headers.get("content-type"))
    if differences:
        raise AssertionError("\n".join(differences))


MATCHERS = {"method": method, "path": path, "query": query, "body": body}
"""Registered on the cassettes' ``vcr.VCR`` under these names."""

WEIGHTS = {"method": 2, "path": 4, "query": 1, "body": 2}
"""How much agreeing on each counts when looking for the nearest recorded request."""


# -- query --------------------------------------------------------------------------------------


@lru_cache(maxsize=1024)
def _params(query_text: str) -> dict[str, list[str]]:
    """The parameters of a query string by name (cached: read, never changed)."""
    params: dict[str, list[str]] = {}
    for name, value in parse_qsl(query_text, keep_blank_values=True):
        params.setdefault(name, []).append(value)
    return params


def _ignored(name: str, values: list[str], signed: bool) -> bool:
    lowered = name.lower()
    return param_is_credential(lowered) or (signed and lowered == "expires") or all(value == PLACEHOLDER for value in values)


def query_differences(recorded_query: str, actual_query: str) -> list[str]:
    """How two query strings differ, credential parameters (and scrubbed ones) left out."""
    recorded, actual = _params(recorded_query), _params(actual_query)
    signed = any(name.lower() in SIGNING_PARAMS for name in (*recorded, *actual))
    differences = []
    for name in sorted(set(recorded) | set(actual)):
        old, new = recorded.get(name, []), actual.get(name, [])
        if _ignored(name, old or new, signed):
            continue
        if len(old) == len(new) and all(text_matches(a, b) for a, b in zip(old, new)):
            continue
        before = "absent" if not old else ", ".join(map(shown, old))
        after = "absent" if not new else ", ".join(map(shown, new))
        differences.append(f"query parameter {name}: recorded {before}, this request {after}")
    return differences[:MAX_DIFFERENCES]


# -- bodies -------------------------------------------------------------------------------------


def _as_text(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    return value


@lru_cache(maxsize=512)
def _parsed_json(text: str) -> tuple[bool, Any]:
    try:
        return True, json.loads(text)
    except ValueError:
        return False, None


def _kind(value: Any) -> str:
    if value is None:
        return "no body"
    if isinstance(value, dict) and "multipart" in value:
        return "a multipart body"
    if isinstance(value, dict) and "file" in value:
        return "an uploaded body"
    return "a text body"


def body_differences(recorded: Any, actual: Any, content_type: str | None = None) -> list[str]:
    """How two stored body descriptions differ; empty when they match."""
    recorded, actual = _as_text(recorded), _as_text(actual)
    if recorded is None and actual is None:
        return []
    if _kind(recorded) != _kind(actual):
        return [f"body: recorded {_kind(recorded)}, this request {_kind(actual)}"]
    if isinstance(recorded, dict) and "multipart" in recorded:
        return _multipart_differences(recorded["multipart"], actual["multipart"])
    if isinstance(recorded, dict):
        return _file_differences("uploaded body", recorded.get("file") or {}, actual.get("file") or {})
    if recorded == actual:
        return []
    if is_json(content_type) or content_type is None:
        ok_recorded, data_recorded = _parsed_json(recorded)
        ok_actual, data_actual = _parsed_json(actual)
        if ok_recorded and ok_actual:
            differences: list[str] = []
            _json_differences(data_recorded, data_actual, "", differences)
            return differences[:MAX_DIFFERENCES]
    if (content_type or "").lower().startswith("application/x-www-form-urlencoded"):
        return [f"form field {line[len('query parameter ') :]}" for line in query_differences(recorded, actual)]
    if text_matches(recorded, actual):
        return []
    return [f"body: recorded {shown(recorded)}, this request {shown(actual)}"]


def _field(parent: str, key: Any) -> str:
    if isinstance(key, int):
        return f"{parent}[{key}]"
    text = str(key)
    if _IDENTIFIER.match(text):
        return f"{parent}.{text}" if parent else text
    return f"{parent}[{json.dumps(text, ensure_ascii=False)}]"


def _same_scalar(recorded: Any, actual: Any) -> bool:
    if isinstance(recorded, str) and isinstance(actual, str):
        return text_matches(recorded, actual)
    return bool(recorded == actual) and isinstance(recorded, bool) == isinstance(actual, bool)


def _json_differences(recorded: Any, actual: Any, where: str, out: list[str]) -> None:
    if len(out) >= MAX_DIFFERENCES:
        return
    name = f"body field {where}" if where else "body"
    if isinstance(recorded, dict) and isinstance(actual, dict):
        for key in sorted(set(recorded) | set(actual), key=str):
            if key not in actual:
                out.append(f"body field {_field(where, key)}: recorded {shown(recorded[key])}, absent in this request")
            elif key not in recorded:
                out.append(f"body field {_field(where, key)}: not recorded, this request {shown(actual[key])}")
            else:
                _json_differences(recorded[key], actual[key], _field(where, key), out)
        return
    if isinstance(recorded, list) and isinstance(actual, list):
        if len(recorded) != len(actual):
            out.append(f"{name}: recorded {len(recorded)} elements, this request {len(actual)}")
        for index, (old, new) in enumerate(zip(recorded, actual)):
            _json_differences(old, new, _field(where, index), out)
        return
    if not _same_scalar(recorded, actual):
        out.append(f"{name}: recorded {shown(recorded)}, this request {shown(actual)}")


def _file_differences(label: str, recorded: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    if recorded.get("size") == actual.get("size") and recorded.get("sha256") == actual.get("sha256"):
        return []
    return [f"{label}: recorded {_digest(recorded)}; this request {_digest(actual)}"]


def _digest(entry: dict[str, Any]) -> str:
    return f"{entry.get('size')} bytes, SHA-256 {entry.get('sha256')}"


def _numbered(parts: Iterable[dict[str, Any]]) -> dict[tuple[str, int], dict[str, Any]]:
    seen: dict[str, int] = {}
    result = {}
    for part in parts:
        name = str(part.get("name", ""))
        seen[name] = seen.get(name, -1) + 1
        result[(name, seen[name])] = part
    return result


def _multipart_differences(recorded_parts: list[dict[str, Any]], actual_parts: list[dict[str, Any]]) -> list[str]:
    recorded, actual = _numbered(recorded_parts), _numbered(actual_parts)
    differences = []
    for key in list(recorded) + [key for key in actual if key not in recorded]:
        name = key[0]
        old, new = recorded.get(key), actual.get(key)
        if new is None:
            differences.append(f"part {name}: recorded, absent in this request")
        elif old is None:
            differences.append(f"part {name}: not recorded, in this request")
        elif "value" in old or "value" in new:
            if "value" not in old or "value" not in new or not text_matches(str(old["value"]), str(new["value"])):
                differences.append(f"form field {name}: recorded {shown(old.get('value', '(a file)'))}, this request {shown(new.get('value', '(a file)'))}")
        else:
            label = f"upload {name}" + (f" ({old['filename']})" if old.get("filename") else "")
            if old.get("filename") != new.get("filename"):
                differences.append(f"upload {name}: recorded file name {shown(old.get('filename'))}, this request {shown(new.get('filename'))}")
            if old.get("content_type") != new.get("content_type"):
                differences.append(f"{label}: recorded content type {shown(old.get('content_type'))}, this request {shown(new.get('content_type'))}")
            differences.extend(_file_differences(label, old, new))
    return differences[:MAX_DIFFERENCES]
