"""The hooks every interaction passes through before it is stored or compared.

``request_hook`` and ``response_hook`` are vcrpy's ``before_record_request`` and
``before_record_response``: they normalise (drop headers that vary by client or run,
pretty-print JSON, sort form fields) and scrub (credentials, secrets in any encoding,
signed-URL parameters, loopback ports). vcrpy applies the request hook to requests
being matched too, so a live request and a recorded one are compared in the same
shape. Both hooks are idempotent: a recording passes every interaction through them
once more before saving, with every secret learned during the session.
"""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode

from orderspec.cassettes._body import is_json, media_type, pretty_json
from orderspec.cassettes._scrub import (
    DROPPED_REQUEST_HEADERS,
    DROPPED_RESPONSE_HEADERS,
    PLACEHOLDER,
    Scrubber,
    key_is_credential,
    param_is_credential,
)


def _content_type(headers: Any) -> str | None:
    for name, value in headers.items():
        if name.lower() == "content-type":
            return str(value[0] if isinstance(value, list) else value)
    return None


def _json_text(scrubber: Scrubber, text: str) -> str | None:
    """``text`` as scrubbed, re-indented JSON; None when it is not JSON or nested too deeply to walk (scrubbed as text then)."""
    try:
        return scrubber.text(pretty_json(scrubber.data(json.loads(text))))
    except (ValueError, RecursionError):
        return None


def scrub_body(scrubber: Scrubber, body: Any, content_type: str | None) -> Any:
    """A request body description with credentials scrubbed (JSON re-indented, form fields sorted)."""
    if body is None:
        return None
    if isinstance(body, (bytes, bytearray)):
        body = bytes(body).decode("utf-8", "replace")
    if isinstance(body, str):
        if is_json(content_type):
            text = _json_text(scrubber, body)
            if text is not None:
                return text
        if media_type(content_type) == "application/x-www-form-urlencoded":
            pairs = [
                (name, PLACEHOLDER if value and (key_is_credential(name) or param_is_credential(name) or name.lower() in scrubber.params) else value)
                for name, value in parse_qsl(body, keep_blank_values=True)
            ]
            for name, value in parse_qsl(body, keep_blank_values=True):
                if key_is_credential(name) or param_is_credential(name):
                    scrubber.learn(value)
            return scrubber.text(urlencode(sorted(pairs), safe="<>"))
        return scrubber.text(body)
    if isinstance(body, dict) and isinstance(body.get("multipart"), list):
        parts = []
        for part in body["multipart"]:
            part = dict(part)
            if "value" in part:
                if key_is_credential(str(part.get("name", ""))) and part["value"]:
                    scrubber.learn(part["value"])
                    part["value"] = PLACEHOLDER
                else:
                    part["value"] = scrubber.text(str(part["value"]))
            if part.get("filename"):
                part["filename"] = scrubber.text(str(part["filename"]))
            parts.append(part)
        return {"multipart": parts}
    return body


def _request_headers(scrubber: Scrubber, headers: Any) -> dict[str, str]:
    result: dict[str, str] = {}
    for name, value in headers.items():
        lowered = name.lower()
        if lowered in DROPPED_REQUEST_HEADERS:
            continue
        text = str(value[0] if isinstance(value, list) else value)
        if lowered == "content-type" and media_type(text).startswith("multipart/"):
            text = media_type(text)  # the boundary describes the bytes, which are not stored
        result[lowered] = text
    scrubber.learn_from_headers(result)
    return {name: scrubber.header(name, result[name]) for name in sorted(result)}


def request_hook(scrubber: Scrubber) -> Callable[[Any], Any]:
    """vcrpy ``before_record_request``: a normalised, scrubbed copy of a ``vcr.request.Request``."""

    def hook(request: Any) -> Any:
        request = copy.copy(request)  # the attributes below are replaced, never changed in place
        headers = _request_headers(scrubber, request.headers)
        request.body = scrub_body(scrubber, request.body, headers.get("content-type"))
        request.uri = scrubber.url(request.uri)
        request.headers = headers
        return request

    return hook


def response_hook(scrubber: Scrubber) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """vcrpy ``before_record_response``: normalise and scrub a response record (vcrpy passes a copy)."""

    def hook(response: dict[str, Any]) -> dict[str, Any]:
        headers: dict[str, list[str]] = {}
        for name, value in (response.get("headers") or {}).items():
            lowered = name.lower()
            if lowered not in DROPPED_RESPONSE_HEADERS:
                headers.setdefault(lowered, []).extend(str(item) for item in (value if isinstance(value, list) else [value]))
        scrubber.learn_from_headers(headers)
        content_type = _content_type(headers)
        body = dict(response.get("body") or {})
        text: Any = body.get("string")
        if isinstance(text, (bytes, bytearray)):
            try:
                text = bytes(text).decode("utf-8")
            except UnicodeDecodeError:
                body = {"base64": base64.b64encode(bytes(text)).decode("ascii")}
                text = None
        if isinstance(text, str):
            scrubbed = _json_text(scrubber, text) if is_json(content_type) else None
            body = {"string": scrubbed if scrubbed is not None else scrubber.text(text)}
        response["headers"] = {name: [scrubber.header(name, item) for item in headers[name]] for name in sorted(headers)}
        response["body"] = body
        return response

    return hook
