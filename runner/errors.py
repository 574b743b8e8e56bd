"""Exceptions a user can act on.

Every error orderspec raises on purpose is an ``OrderspecError``; the CLI turns it
into output and an exit code in one place (``orderspec.cli``). Anything else reaching
the CLI is a bug and is reported as one, without a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Location:
    """A place in a source file; ``line`` and ``column`` count from 1."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


class OrderspecError(Exception):
    """Base of all errors meant for the user; ``exit_code`` is what the CLI returns."""

    exit_code: int = 1

    def __init__(self, message: str, *, location: Location | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location
        self.hint = hint

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}" if self.location else self.message
        if self.hint:
            text += f" ({self.hint})"
        return text


class UsageError(OrderspecError):
    """The command line itself is wrong (missing file, bad option value)."""

    exit_code = 2


class SourceError(OrderspecError):
    """A YAML source (spec, flow, profiles) cannot be read or parsed."""
