"""Loading a sandbox's catalogue: the YAML file beside the vendor's module, or the user's replacement.

Every sandbox reads its catalogue the same way: orderspec's YAML loader (so a syntax
error names its line), a mapping at the top, then the vendor's own ``build`` turning
the data into frozen values. Whatever ``build`` trips over becomes one
``CatalogueError`` naming the file, raised when the sandbox starts, never on a request.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from orderspec._yaml import load_yaml
from orderspec.errors import SourceError
from orderspec.sandbox._config import SandboxConfigError

T = TypeVar("T")

# what reading a wrong layout raises: a missing key, a list where a mapping belongs, a bad number
_MALFORMED = (KeyError, IndexError, TypeError, ValueError, AttributeError, ArithmeticError)


class CatalogueError(SandboxConfigError):
    """A sandbox catalogue file cannot be used: unreadable, not YAML, or not in its vendor's layout."""


def load_catalogue_file(vendor: str, path: Path | None, built_in: Path, build: Callable[[dict[str, Any]], T]) -> T:
    """``build(data)`` of the YAML mapping in ``path`` (``None``: the built-in file).

    ``build`` signals a wrong layout with ``ValueError`` (or lets a ``KeyError`` or
    ``TypeError`` escape); the message says what is wrong and where.
    """
    source = Path(path) if path is not None else built_in
    hint = f"compare it with the built-in one at {built_in}"
    try:
        data = load_yaml(source, mapping=False).data
    except SourceError as exc:
        raise CatalogueError(f"the {vendor} catalogue cannot be read: {exc}") from None
    if not isinstance(data, dict):
        raise CatalogueError(f"the {vendor} catalogue {source} is not a mapping of keys to values", hint=hint)
    try:
        return build(data)
    except _MALFORMED as exc:
        reason = f"missing key {exc}" if isinstance(exc, KeyError) else str(exc) or type(exc).__name__
        raise CatalogueError(f"the {vendor} catalogue {source} is incomplete or malformed ({reason})", hint=hint) from None
