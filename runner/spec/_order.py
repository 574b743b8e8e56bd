"""The validated order: what the flows template against, and its digest for drift checks."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from orderspec._yaml import Document

_ADDED_ITEM_KEYS = frozenset(["path", "paths"])
"""Keys orderspec adds to each item (absolute paths); with ``target.flow_path``, not part of the digest."""


@dataclass(frozen=True)
class Order:
    """A spec that passed validation.

    ``data`` is the plain mapping flows see as ``order``: what the spec says, with
    defaults filled in (``unit: mm``, ``quantity: 1``, ``post_processing: []``, billing
    address = shipping address) and every referenced file resolved to an absolute path
    beside the path as written (``items[i].path`` for ``file``, ``items[i].paths`` for
    ``files``, ``target.flow_path`` for ``flow``).
    """

    path: Path
    """Absolute path of the spec file."""
    name: str
    """``metadata.name``: the order's key in state."""
    system: str | None
    """Built-in target system, or None when the spec names a custom flow."""
    flow: Path | None
    """Absolute path of the custom flow, when the spec names one."""
    profile: str | None
    data: dict[str, Any]
    file_paths: tuple[str, ...] = ()
    """Every file the order uploads, resolved, in the order they appear."""
    document: Document | None = field(default=None, repr=False, compare=False)

    @property
    def files(self) -> tuple[Path, ...]:
        """``file_paths`` as ``Path`` objects."""
        return tuple(Path(file) for file in self.file_paths)

    @cached_property
    def digest(self) -> str:
        """SHA-256 of the canonical content plus each referenced file's own SHA-256.

        Reformatting the YAML or adding comments does not change it; editing a value
        or a model file does, which is what drift detection needs.
        """
        hasher = hashlib.sha256(b"orderspec/v1\n")
        canonical = json.dumps(_without_added_paths(self.data), sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
        hasher.update(canonical.encode("utf-8"))
        folder = self.path.parent
        for file in self.file_paths:
            hasher.update(b"\0" + os.path.relpath(file, folder).replace(os.sep, "/").encode("utf-8") + b"\0")
            hasher.update(file_digest(file).encode("ascii"))
        return hasher.hexdigest()


def _without_added_paths(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` as written: absolute paths differ per checkout, and only where orderspec put them.

    A key of the same name elsewhere (a custom flow's ``options.path``) is the author's
    and stays, so editing it is drift.
    """
    data = dict(data)
    target = data.get("target")
    if isinstance(target, dict) and "flow_path" in target:
        data["target"] = {key: value for key, value in target.items() if key != "flow_path"}
    items = data.get("items")
    if isinstance(items, list):
        data["items"] = [
            {key: value for key, value in item.items() if key not in _ADDED_ITEM_KEYS} if isinstance(item, dict) else item
            for item in items
        ]
    return data


_file_digests: dict[tuple[str, int, int, int], str] = {}


def file_digest(path: str | os.PathLike[str]) -> str:
    """SHA-256 of a file's bytes, cached while its size and modification time stay the same."""
    path = os.fspath(path)
    stat = os.stat(path)
    key = (path, stat.st_size, stat.st_mtime_ns, stat.st_ino)
    digest = _file_digests.get(key)
    if digest is None:
        hasher = hashlib.sha256()
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                hasher.update(block)
        digest = hasher.hexdigest()
        if len(_file_digests) > 4096:
            _file_digests.clear()
        _file_digests[key] = digest
    return digest
