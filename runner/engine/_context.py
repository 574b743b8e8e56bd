"""What a flow's expressions see: the caller's context, ``loop`` inside ``for_each``, ``response``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from orderspec.engine._errors import FlowError


@dataclass(frozen=True)
class FlowContext:
    """What a flow runs with. ``folder`` anchors relative file paths (default: the flow's folder)."""

    order: Any = None
    target: Mapping[str, Any] = field(default_factory=dict)
    secrets: Mapping[str, str] = field(default_factory=dict)
    vars: Mapping[str, Any] = field(default_factory=dict)
    folder: Path | None = None

    @classmethod
    def coerce(cls, value: FlowContext | Mapping[str, Any] | None) -> FlowContext:
        if value is None:
            return cls()
        if isinstance(value, FlowContext):
            return value
        unknown = set(value) - {"order", "target", "secrets", "vars", "folder"}
        if unknown:
            raise TypeError(f"unknown context keys: {', '.join(sorted(unknown))}")
        folder = value.get("folder")
        return cls(
            order=value.get("order"),
            target=value.get("target") or {},
            secrets=value.get("secrets") or {},
            vars=value.get("vars") or {},
            folder=Path(folder) if folder is not None else None,
        )

    def expressions(self) -> dict[str, Any]:
        """The top-level names of expressions, with ``vars`` as a fresh copy."""
        return {"order": self.order, "target": self.target, "secrets": self.secrets, "vars": dict(self.vars)}


@dataclass(frozen=True, slots=True)
class Loop:
    """``loop`` inside ``for_each``."""

    index0: int
    length: int

    @property
    def index(self) -> int:
        return self.index0 + 1

    @property
    def first(self) -> bool:
        return self.index0 == 0

    @property
    def last(self) -> bool:
        return self.index0 == self.length - 1

    @property
    def revindex(self) -> int:
        return self.length - self.index0


@dataclass(frozen=True, slots=True)
class ResponseView:
    """``response`` in expressions: status, headers (lower-case names), body (JSON or text)."""

    status: int
    headers: dict[str, str]
    body: Any


class AnswerTooDeep(FlowError):
    """The answer is JSON nested too deeply to be read."""


def response_view(response: httpx.Response) -> ResponseView:
    """The answer as expressions read it: a JSON body parsed, anything else as text.

    JSON nested deeper than Python can parse (thousands of levels, which no API sends
    on purpose) raises ``AnswerTooDeep`` instead of crashing the run.
    """
    content_type = response.headers.get("content-type", "")
    body: Any
    if "json" in content_type:
        try:
            body = json.loads(response.content) if response.content else None
        except ValueError:
            body = response.text
        except RecursionError:
            status = response.status_code
            raise AnswerTooDeep(
                f"{response.request.method} {response.request.url} answered {status} with JSON nested too deeply to be read",
                hint="the target's answer is malformed; if the step created or placed something, check there before running again",
            ) from None
    else:
        body = response.text
    return ResponseView(response.status_code, dict(response.headers.items()), body)
