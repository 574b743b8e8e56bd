"""Errors of the ``.http`` import."""

from __future__ import annotations

from orderspec.errors import OrderspecError


class HttpFileError(OrderspecError):
    """The ``.http`` file cannot be read or converted at all."""
