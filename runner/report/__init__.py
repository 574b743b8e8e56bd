"""Presenting runs to people and machines, fed by what the engine reports.

``Progress`` renders the engine's event stream as it happens; ``summary``,
``json_report`` and ``junit_xml`` describe a finished (or failed) run's ``FlowResult``.
Every text passes a ``Masker``, so no secret reaches a terminal or a report, and
``terminal_safe`` shows control characters as escapes before they reach a terminal.
"""

from __future__ import annotations

from orderspec.report._progress import Progress
from orderspec.report._reports import json_report, junit_xml
from orderspec.report._summary import summary
from orderspec.report._units import format_duration, format_size
from orderspec.terminal import terminal_safe

__all__ = ["Progress", "format_duration", "format_size", "json_report", "junit_xml", "summary", "terminal_safe"]
