"""What is wrong with a spec, said so that its author can fix it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from orderspec.errors import Location, OrderspecError

JsonPath = tuple[str | int, ...]


def format_path(path: Sequence[str | int]) -> str:
    """``('items', 0, 'unit')`` as ``$.items[0].unit``, the form shown to users."""
    text = "$"
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            text += f"[{part}]"
        elif isinstance(part, str) and part.isidentifier():
            text += f".{part}"
        else:
            text += f"[{str(part)!r}]"
    return text


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem in one spec, at one place.

    ``code`` names the rule that failed (``schema.enum``, ``file.missing``...), so tools
    can filter on it; ``path`` is where in the document, as a tuple.
    """

    location: Location
    path: JsonPath
    message: str
    code: str
    hint: str | None = None

    @property
    def json_path(self) -> str:
        return format_path(self.path)

    def __str__(self) -> str:
        text = f"{self.location}: {self.json_path}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text

    def to_dict(self) -> dict[str, object]:
        return {
            "file": self.location.file,
            "line": self.location.line,
            "column": self.location.column,
            "path": self.json_path,
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
        }


class SpecError(OrderspecError):
    """A spec is invalid; ``problems`` lists every problem found, in document order."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        if not self.problems:
            super().__init__("the spec is invalid")
            return
        first = self.problems[0]
        more = len(self.problems) - 1
        message = f"{first.json_path}: {first.message}"
        if more:
            message += f" (and {more} more problem{'s' if more > 1 else ''})"
        super().__init__(message, location=first.location, hint=first.hint)

    def __str__(self) -> str:
        if not self.problems:
            return self.message
        return "\n".join(str(problem) for problem in self.problems)
