"""Headers most requests send alike become the flow's ``headers``.

A request that lacks such a header inherits it; that is reported, with the way to
send none (``Name: null``), since the flow then sends more than the file did.
Content-Type is never shared: the body form of each step decides it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from orderspec.httpfile._model import Problem

_NOT_SHARED = frozenset({"content-type", "content-length", "host"})


def hoist(requests: Sequence[tuple[int, dict[str, Any]]], warnings: list[Problem]) -> dict[str, Any]:
    """Move shared headers out of each ``(line, headers)`` pair (changed in place); return them."""
    if len(requests) < 2:
        return {}
    counts: Counter[tuple[str, Any]] = Counter()
    spelled: dict[str, str] = {}
    for _, headers in requests:
        for name, value in headers.items():
            if name.lower() not in _NOT_SHARED:
                counts[(name.lower(), value)] += 1
                spelled.setdefault(name.lower(), name)
    shared: dict[str, Any] = {}
    for (lowered, value), count in counts.most_common():
        if count >= 2 and count * 2 > len(requests) and spelled[lowered] not in shared:
            shared[spelled[lowered]] = value
    for line, headers in requests:
        missing = []
        for name, value in shared.items():
            own = next((n for n in headers if n.lower() == name.lower()), None)
            if own is None:
                missing.append(name)
            elif headers[own] == value:
                del headers[own]
        if missing:
            nulls = ", ".join(f"'{name}: null'" for name in missing)
            warnings.append(
                Problem(
                    line,
                    f"this request sends no {', '.join(missing)}; the converted step sends the flow's "
                    f"(add {nulls} under its headers to send none)",
                )
            )
    return shared
