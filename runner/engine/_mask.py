"""Hiding secret values in any text that leaves the engine."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

MASK = "***"

# Query parameters that carry a credential in a URL (signed upload URLs, tokens).
_SIGNED_QUERY = re.compile(
    r"(?i)([?&](?:[\w.-]*(?:signature|credential|token)|sig|api_?key|key)=)[^&#\s\"'<>]+"
)


class Masker:
    """Replaces every secret value (and its URL-encoded forms) with ``***``.

    URL signatures and tokens in query strings are masked too: a signed upload URL
    is as good as a password until it expires.
    """

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
        if "=" in text:
            text = _SIGNED_QUERY.sub(lambda match: match.group(1) + MASK, text)
        return text
