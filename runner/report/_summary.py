"""The few lines a person reads when a run has ended."""

from __future__ import annotations

import json
from typing import Any

from orderspec.engine import FlowResult, Masker
from orderspec.report._units import format_duration


def summary(result: FlowResult, mask: Masker | None = None) -> str:
    """How the run ended (steps ok, skipped, failed; time), where it stopped, and its outputs."""
    mask = mask or Masker(())
    counts: dict[str, int] = {}
    for step in result.steps:
        counts[step.outcome] = counts.get(step.outcome, 0) + 1
    parts = [f"{counts[k]} {k}" for k in ("ok", "skipped", "failed") if counts.get(k)]
    state = "passed" if result.ok else "failed"
    lines = [f"flow {result.name} {state}: {', '.join(parts) or 'no steps'} in {format_duration(result.elapsed)}"]
    if result.stopped_before:
        lines.append(f"stopped before {result.stopped_before!r}")
    for name, value in result.outputs.items():
        lines.append(f"  {name} = {_show(value)}")
    return mask("\n".join(lines))


def _show(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
