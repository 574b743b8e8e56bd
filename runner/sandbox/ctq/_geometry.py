"""Volume and bounding box of an STL model, for prices and ``model.size``.

Binary STL is read with ``struct`` (50 bytes per triangle); ASCII STL by its ``vertex``
lines. A file that is neither gives ``None``: the sandbox then cannot slice it.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

_TRIANGLE = struct.Struct("<12fH")
_MAX_TRIANGLES = 2_000_000


@dataclass(frozen=True)
class Geometry:
    volume: float
    """Enclosed volume in cubic model units (absolute value of the signed volume)."""
    size: tuple[float, float, float]
    """Bounding box: length, width, height in model units."""


def measure(data: bytes) -> Geometry | None:
    """Geometry of an STL file, or ``None`` when ``data`` is no STL with at least one triangle."""
    triangles = _binary(data)
    if triangles is None:
        triangles = _ascii(data)
    if not triangles:
        return None
    volume = 0.0
    low = [float("inf")] * 3
    high = [float("-inf")] * 3
    for a, b, c in triangles:
        volume += (
            a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0]) + a[2] * (b[0] * c[1] - b[1] * c[0])
        ) / 6.0
        for point in (a, b, c):
            for axis in range(3):
                low[axis] = min(low[axis], point[axis])
                high[axis] = max(high[axis], point[axis])
    size = tuple(round(high[axis] - low[axis], 3) for axis in range(3))
    return Geometry(volume=abs(volume), size=size)  # type: ignore[arg-type]


Triangle = tuple[tuple[float, float, float], tuple[float, float, float], tuple[float, float, float]]


def _binary(data: bytes) -> list[Triangle] | None:
    if len(data) < 84:
        return None
    (count,) = struct.unpack_from("<I", data, 80)
    if count == 0 or count > _MAX_TRIANGLES or len(data) != 84 + count * 50:
        return None
    triangles = []
    for values in _TRIANGLE.iter_unpack(data[84:]):
        triangles.append((values[3:6], values[6:9], values[9:12]))
    return triangles


def _ascii(data: bytes) -> list[Triangle] | None:
    if data.lstrip()[:5].lower() != b"solid":
        return None
    points: list[tuple[float, float, float]] = []
    try:
        for line in data.decode("ascii").splitlines():
            words = line.split()
            if words and words[0] == "vertex" and len(words) == 4:
                points.append((float(words[1]), float(words[2]), float(words[3])))
    except (UnicodeDecodeError, ValueError):
        return None
    if len(points) < 3 or len(points) % 3:
        return None
    return [(points[i], points[i + 1], points[i + 2]) for i in range(0, len(points), 3)]
