"""The request pipeline every 3YOURMIND endpoint shares, in DRF's order.

Authentication (``Authorization: Token``), then permission, then the method lookup
(405), then the handler. Handlers raise ``ApiError`` for any non-success answer; an
unexpected exception becomes DRF's plain 500 and is counted so tests can prove no
input reaches it.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from orderspec.sandbox._body import BodyTooLarge, read_limited
from orderspec.sandbox.threeyourmind import _documented, _errors
from orderspec.sandbox.threeyourmind._errors import ApiError
from orderspec.sandbox.threeyourmind._state import State

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
MAX_JSON_BYTES = 1 << 20
DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 100

_log = logging.getLogger(__name__)

FULL = "full"
READ_ONLY = "read-only"
ANONYMOUS = "anonymous"

DEFAULT_TOKEN = "sandbox-token"
DEFAULT_READONLY_TOKEN = "sandbox-readonly-token"
"""Tokens accepted unless ``config.credentials`` names others (``token``, ``readonly_token``)."""


@dataclass(frozen=True)
class Call:
    """One request as a handler sees it: the request, the app state, the caller's access."""

    request: Request
    state: State
    access: str

    def path_int(self, name: str) -> int:
        return int(self.request.path_params[name])

    def query(self, name: str) -> str | None:
        return self.request.query_params.get(name)

    async def json_body(self) -> dict[str, Any]:
        """The JSON object sent; an empty body is ``{}`` (POST baskets/ and lines/ send nothing)."""
        body = await read_body(self.request, MAX_JSON_BYTES)
        if not body.strip():
            return {}
        media = self.request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media != "application/json" and not media.endswith("+json"):
            raise _errors.detail(415, f'Unsupported media type "{media}" in request.')
        try:
            data = json.loads(body)
        except (ValueError, RecursionError) as exc:
            raise _errors.detail(400, f"JSON parse error - {exc}") from None
        if not isinstance(data, dict):
            raise _errors.fields({"non_field_errors": [_errors.expected_dict(data)]})
        return data


Handler = Callable[[Call], Awaitable[Response]]


async def read_body(request: Request, limit: int) -> bytes:
    try:
        return await read_limited(request, limit)
    except BodyTooLarge:
        raise too_large(limit) from None


def too_large(limit: int) -> ApiError:
    return _errors.detail(413, f"Request body is larger than {limit} bytes.")


def answer(body: Any, status: int = 200) -> Response:
    return JSONResponse(body, status_code=status)


def no_content() -> Response:
    return Response(status_code=204)


def _positive(text: str | None) -> int | None:
    """A positive integer written in ASCII digits (``"²".isdigit()`` is true, but not a number)."""
    if text and len(text) < 10 and text.isascii() and text.isdigit() and int(text) > 0:
        return int(text)
    return None


def paginate(call: Call, items: list[Any]) -> Response:
    """DRF page-number pagination as 3YOURMIND configures it: ``?page=&pageSize=``."""
    size = _positive(call.query("pageSize")) or DEFAULT_PAGE_SIZE
    size = min(size, MAX_PAGE_SIZE)
    page = _positive(call.query("page") or "1")
    total_pages = max(1, math.ceil(len(items) / size))
    if page is None or page > total_pages:
        raise _errors.detail(404, "Invalid page.")
    return answer(
        {
            "count": len(items),
            "currentPage": page,
            "totalPages": total_pages,
            "pageSize": size,
            "results": items[(page - 1) * size : page * size],
        }
    )


def _access(request: Request, state: State, required: bool) -> str:
    """DRF TokenAuthentication: which token was sent, or the 401 it earns."""
    header = request.headers.get("authorization", "")
    parts = header.split()
    challenge = {"WWW-Authenticate": "Token"}
    if not parts or parts[0].lower() != "token":
        if required:
            raise _errors.detail(401, "Authentication credentials were not provided.", challenge)
        return ANONYMOUS
    if len(parts) == 1:
        raise _errors.detail(401, "Invalid token header. No credentials provided.", challenge)
    if len(parts) > 2:
        raise _errors.detail(401, "Invalid token header. Token string should not contain spaces.", challenge)
    credentials = state.config.credentials
    if parts[1] == credentials.get("token", DEFAULT_TOKEN):
        return FULL
    if parts[1] == credentials.get("readonly_token", DEFAULT_READONLY_TOKEN):
        return READ_ONLY
    raise _errors.detail(401, "Invalid token.", challenge)


def route(path: str, *, auth: bool = True, ordering: bool = False, counted: bool = True, **handlers: Handler) -> Route:
    """A Route answering every method: unknown ones get DRF's 405 after authentication.

    ``ordering`` marks endpoints whose writes need ordering permission (the read-only
    token gets 403 there); ``auth=False`` lets anonymous callers in (a token, if sent,
    is still checked). ``counted`` requests show in ``/_sandbox/requests`` under
    "METHOD /path/{param}/". With ``config.documented_only`` a successful JSON answer keeps
    only the fields a vendor document attests (``_documented``).
    """
    allowed = {method.upper(): handler for method, handler in handlers.items()}
    if "GET" in allowed:
        allowed.setdefault("HEAD", allowed["GET"])
    allow_header = ", ".join(sorted([*allowed, "OPTIONS"]))
    template = re.sub(r":\w+}", "}", path)

    async def endpoint(request: Request) -> Response:
        state: State = request.app.state.sandbox
        method = request.method
        if counted:
            state.requests[f"{method} {template}"] += 1
        try:
            access = _access(request, state, auth)
            if ordering and access == READ_ONLY and method not in SAFE_METHODS:
                raise _errors.detail(403, "You do not have permission to perform this action.")
            if method == "OPTIONS":
                return Response(status_code=200, headers={"Allow": allow_header})
            handler = allowed.get(method)
            if handler is None:
                raise _errors.detail(405, f'Method "{method}" not allowed.', {"Allow": allow_header})
            response = await handler(Call(request, state, access))
            if counted and state.config.documented_only and response.status_code < 400 and isinstance(response, JSONResponse):
                response = JSONResponse(_documented.prune(f"{method} {template}", json.loads(bytes(response.body))), status_code=response.status_code)
            return response
        except ApiError as exc:
            return JSONResponse(exc.body, status_code=exc.status, headers=exc.headers)
        except ClientDisconnect:  # the client hung up mid-body (killed): nobody reads an answer, and no sandbox bug
            return Response(status_code=499)
        except Exception:  # noqa: BLE001 - last resort: the vendor's 500, counted so tests can insist it stays at 0
            state.unexpected_errors += 1
            _log.exception("3YOURMIND sandbox failed on %s %s", method, request.url.path)
            return JSONResponse({"detail": "A server error occurred."}, status_code=500)

    return Route(path, endpoint, methods=ALL_METHODS)
