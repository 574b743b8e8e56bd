"""Progress of a running flow for people: one updating line on a terminal, plain lines otherwise."""

from __future__ import annotations

import json
import time
from typing import Any, TextIO

from orderspec.engine import _events as ev
from orderspec.engine._mask import Masker
from orderspec.engine._run import FlowResult

_CLEAR = "\r\x1b[K"


def _size(count: int) -> str:
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{count} B"  # pragma: no cover


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


class Progress:
    """An ``on_event`` callback writing progress to ``stream``."""

    def __init__(self, stream: TextIO, *, live: bool, mask: Masker | None = None) -> None:
        self.stream = stream
        self.live = live
        self.mask = mask or Masker(())
        self._last_update = 0.0

    def _line(self, text: str) -> None:
        text = self.mask(text)
        self.stream.write((_CLEAR if self.live else "") + text + "\n")
        self.stream.flush()

    def _status(self, text: str) -> None:
        if self.live:
            self.stream.write(_CLEAR + self.mask(text))
            self.stream.flush()

    def __call__(self, event: ev.Event) -> None:
        if isinstance(event, ev.StepStarted):
            self._status(f"… {event.step}")
        elif isinstance(event, ev.UploadProgress):
            now = time.monotonic()
            if now - self._last_update >= 0.1:
                self._last_update = now
                total = f" of {_size(event.total)}" if event.total else ""
                self._status(f"↑ {event.step}: {_size(event.sent)}{total} sent")
        elif isinstance(event, ev.StepPolled):
            text = f"{event.step}: waiting ({event.attempt}, last answer {event.status})"
            if self.live:
                self._status("… " + text)
            else:
                self._line("poll  " + text)
        elif isinstance(event, ev.StepRetried):
            self._line(f"retry {event.step}: {event.reason}; again in {event.wait:g} s")
        elif isinstance(event, ev.StepFinished) and not event.method:
            pass  # a set step sent nothing: not worth a line of its own
        elif isinstance(event, ev.StepFinished):
            extra = f", {event.polls} polls" if event.polls else ""
            self._line(f"ok    {event.step}  {event.method} {event.url} -> {event.status} ({_ms(event.elapsed)}{extra})")
        elif isinstance(event, ev.StepSkipped):
            self._line(f"skip  {event.step} ({event.reason})")
        elif isinstance(event, ev.StepFailed):
            self._line(f"FAIL  {event.step} ({_ms(event.elapsed)})")


def summary(result: FlowResult, mask: Masker | None = None) -> str:
    """A few lines saying how the run ended and what it produced."""
    mask = mask or Masker(())
    counts: dict[str, int] = {}
    for step in result.steps:
        counts[step.outcome] = counts.get(step.outcome, 0) + 1
    parts = [f"{counts[k]} {k}" for k in ("ok", "skipped", "failed") if counts.get(k)]
    state = "passed" if result.ok else "failed"
    lines = [f"flow {result.name} {state}: {', '.join(parts) or 'no steps'} in {_ms(result.elapsed)}"]
    if result.stopped_before:
        lines.append(f"stopped before {result.stopped_before!r}")
    for name, value in result.outputs.items():
        lines.append(f"  {name} = {_show(value)}")
    return mask("\n".join(lines))


def _show(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
