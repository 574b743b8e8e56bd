"""What a file really is, judged from its bytes, never from its name.

A spec that says ``file: bracket.stl`` must point at a model, not at a renamed
photo or an empty placeholder; catching that here saves a failed upload half-way
through an order. Results are cached per (path, size, modification time).
"""

from __future__ import annotations

import os
import re
import struct
from enum import StrEnum


class Kind(StrEnum):
    """File kinds orderspec recognises."""

    STL_BINARY = "binary STL"
    STL_ASCII = "ASCII STL"
    OBJ = "OBJ"
    THREE_MF = "3MF"
    JPEG = "JPEG"
    PNG = "PNG"
    EMPTY = "an empty file"
    UNKNOWN = "an unrecognised file"

    @property
    def is_model(self) -> bool:
        return self in _MODELS

    @property
    def is_stl(self) -> bool:
        return self in (Kind.STL_BINARY, Kind.STL_ASCII)

    @property
    def is_image(self) -> bool:
        return self in (Kind.JPEG, Kind.PNG)

    @property
    def model_format(self) -> str:
        """The model format as a target names it (``stl``, ``obj``, ``3mf``), or the kind's text."""
        return _FORMATS.get(self, self.value)


_MODELS = frozenset([Kind.STL_BINARY, Kind.STL_ASCII, Kind.OBJ, Kind.THREE_MF])
_FORMATS = {Kind.STL_BINARY: "stl", Kind.STL_ASCII: "stl", Kind.OBJ: "obj", Kind.THREE_MF: "3mf"}
_HEAD = 4096
_ASCII_STL = re.compile(rb"\A\s*solid\b[^\n]*\n\s*(facet\s+normal|endsolid)", re.IGNORECASE)
_OBJ_LINE = re.compile(rb"^\s*(v|vt|vn|f|o|g|mtllib|usemtl|s)\s", re.MULTILINE)
_OBJ_VERTEX = re.compile(rb"^\s*v\s+[-+0-9.eE]+\s+[-+0-9.eE]+\s+[-+0-9.eE]+", re.MULTILINE)

_cache: dict[tuple[str, int, int, int], Kind] = {}


def sniff(path: str, stat: os.stat_result | None = None) -> Kind:
    """The kind of the regular file at ``path`` (``stat`` saves a system call)."""
    stat = stat or os.stat(path)
    key = (path, stat.st_size, stat.st_mtime_ns, stat.st_ino)
    kind = _cache.get(key)
    if kind is None:
        kind = _sniff(path, stat.st_size)
        if len(_cache) > 4096:
            _cache.clear()
        _cache[key] = kind
    return kind


def _sniff(path: str, size: int) -> Kind:
    if size == 0:
        return Kind.EMPTY
    with open(path, "rb") as handle:
        head = handle.read(_HEAD)
    if head.startswith(b"\xff\xd8\xff"):
        return Kind.JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Kind.PNG
    if size >= 84 and 84 + 50 * struct.unpack_from("<I", head, 80)[0] == size:
        return Kind.STL_BINARY  # checked before ASCII: binary headers may start with "solid"
    if _ASCII_STL.match(head):
        return Kind.STL_ASCII
    if head.startswith(b"PK\x03\x04") and _is_3mf(path):
        return Kind.THREE_MF
    if b"\x00" not in head and _OBJ_VERTEX.search(head) and _OBJ_LINE.search(head):
        return Kind.OBJ
    return Kind.UNKNOWN


def _is_3mf(path: str) -> bool:
    """A 3MF file is a ZIP package whose model part is ``3D/3dmodel.model`` (case varies)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            names = {name.lower() for name in archive.namelist()}
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    return "3d/3dmodel.model" in names or any(name.endswith(".model") and name.startswith("3d/") for name in names)
