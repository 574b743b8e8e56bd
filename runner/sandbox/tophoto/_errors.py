"""to.photo's error answers: Spring-style bodies with a status name and a timestamp.

Every error the API documents has the shape
``{"status": "NOT_FOUND", "timestamp": "yyyy-MM-dd HH:mm:ss.SSS", "message": ..., "debugMessage": ...}``;
the sandbox answers every refusal, including malformed input, in that shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from starlette.responses import JSONResponse

from orderspec.sandbox.tophoto._clock import Clock

# Spring's HttpStatus names where they differ from Python's
_SPRING_NAMES = {413: "PAYLOAD_TOO_LARGE", 414: "URI_TOO_LONG", 416: "REQUESTED_RANGE_NOT_SATISFIABLE"}


class ApiError(Exception):
    """A refusal the sandbox answers with ``status`` and the error body."""

    def __init__(self, status: int, message: str, debug_message: str | None = None, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.debug_message = debug_message if debug_message is not None else message
        self.headers = headers


def status_name(status: int) -> str:
    """``404`` -> ``"NOT_FOUND"``, as Spring's ``HttpStatus`` names it."""
    if status in _SPRING_NAMES:
        return _SPRING_NAMES[status]
    try:
        return HTTPStatus(status).name
    except ValueError:
        return str(status)


def error_body(status: int, message: str, debug_message: str | None = None, *, clock: Clock) -> dict[str, Any]:
    """The documented error body for ``status``, stamped by the sandbox's clock."""
    return {
        "status": status_name(status),
        "timestamp": clock.timestamp(),
        "message": message,
        "debugMessage": debug_message if debug_message is not None else message,
    }


def error_response(error: ApiError, clock: Clock) -> JSONResponse:
    return JSONResponse(error_body(error.status, error.message, error.debug_message, clock=clock), error.status, headers=error.headers)
