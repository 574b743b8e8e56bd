"""Finding and validating the specs a ``plan`` or ``apply`` works on."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from orderspec.errors import UsageError


def load_orders(paths: Iterable[str | os.PathLike[str]]) -> list[tuple[str, Any]]:
    """``(label, Order)`` for every spec under ``paths``; every invalid one is reported at once."""
    from orderspec.spec import SpecError, validate_paths

    given = list(paths)
    report = validate_paths(given)
    if not report.ok:
        raise SpecError(report.problems)
    found = [(result.file, result.order) for result in report.results if result.order is not None]
    if not found:
        raise UsageError(f"no order specs found in {', '.join(map(str, given))}", hint="a spec is a YAML file with kind: Order")
    return found
