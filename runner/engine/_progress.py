"""Moved to ``orderspec.report``; this name stays only until every caller imports from there."""

from __future__ import annotations

from orderspec.report import Progress

__all__ = ["Progress"]
