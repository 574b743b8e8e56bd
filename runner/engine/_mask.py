"""Hiding secret values in any text that leaves the engine."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote, quote_plus

MASK = "***"


class Masker:
    """Replaces every secret value (and its URL-encoded forms) with ``***``."""

    __slots__ = ("_values",)

    def __init__(self, secrets: Iterable[object]) -> None:
        values: set[str] = set()
        for secret in secrets:
            text = str(secret) if secret is not None else ""
            if not text:
                continue
            values.update({text, quote(text, safe=""), quote_plus(text)})
        self._values = tuple(sorted(values, key=len, reverse=True))

    def __call__(self, text: str) -> str:
        for value in self._values:
            if value in text:
                text = text.replace(value, MASK)
        return text

    def __bool__(self) -> bool:
        return bool(self._values)
