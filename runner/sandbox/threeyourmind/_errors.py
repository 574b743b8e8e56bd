"""Error answers in Django REST Framework's shapes.

3YOURMIND is a DRF application: 401/403/404/405/415 carry ``{"detail": "..."}`` and 400
carries field errors ``{"<field>": ["..."]}`` (``non_field_errors`` for the whole body).
The messages are DRF's own wording, so a client sees what the real API would say.
"""

from __future__ import annotations

from typing import Any

REQUIRED = "This field is required."
NULL = "This field may not be null."
BLANK = "This field may not be blank."
INVALID_INT = "A valid integer is required."
INVALID_NUMBER = "A valid number is required."
INVALID_STRING = "Not a valid string."
ALREADY_ORDERED = "This basket has already been ordered."
NOT_FOUND = "Not found."


class ApiError(Exception):
    """An answer other than success; raised anywhere in a handler, rendered by the endpoint wrapper."""

    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(status, body)
        self.status = status
        self.body = body
        self.headers = headers or {}


def detail(status: int, message: str, headers: dict[str, str] | None = None) -> ApiError:
    return ApiError(status, {"detail": message}, headers)


def not_found() -> ApiError:
    return detail(404, NOT_FOUND)


def fields(errors: dict[str, Any]) -> ApiError:
    """400 with DRF field errors; values are lists of messages (or nested dicts for nested bodies)."""
    return ApiError(400, errors)


def invalid_pk(value: Any) -> str:
    return f'Invalid pk "{value}" - object does not exist.'


def invalid_choice(value: Any) -> str:
    return f'"{value}" is not a valid choice.'


def expected_list(value: Any) -> str:
    return f'Expected a list of items but got type "{_type_name(value)}".'


def expected_dict(value: Any) -> str:
    return f"Invalid data. Expected a dictionary, but got {_type_name(value)}."


def _type_name(value: Any) -> str:
    return {dict: "dict", list: "list", str: "str", int: "int", float: "float", bool: "bool", type(None): "NoneType"}.get(
        type(value), type(value).__name__
    )
