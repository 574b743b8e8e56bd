"""orderspec: declarative orders for 3D-print and photo-product APIs.

The public API is re-exported here lazily, so importing ``orderspec`` for one stage
does not load the others (the CLI's start-up stays small).
"""

from __future__ import annotations

import importlib
from typing import Any

from orderspec._version import __version__
from orderspec.errors import Location, OrderspecError, SourceError, UsageError

# public name -> module that defines it; filled in as stages land
_LAZY: dict[str, str] = {
    **dict.fromkeys(
        ["load_flow", "run_flow", "Flow", "FlowContext", "FlowResult", "FlowError", "PendingStep", "InstantClock"],
        "orderspec.engine",
    ),
    **dict.fromkeys(["load_spec", "check_spec", "validate_paths", "Order", "SpecError", "ValidationReport"], "orderspec.spec"),
}

__all__ = ["__version__", "Location", "OrderspecError", "SourceError", "UsageError", *_LAZY]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'orderspec' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
