"""Sizes and durations as people read them."""

from __future__ import annotations


def format_size(count: int) -> str:
    """``532 B``, ``1.5 KiB``, ``12.0 MiB``: binary units, one decimal above bytes."""
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{count} B"  # pragma: no cover


def format_duration(seconds: float) -> str:
    """Milliseconds below ten seconds (``840 ms``), seconds above (``12.3 s``)."""
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"
