"""Progress of a running flow for people: one updating line on a terminal, plain lines otherwise."""

from __future__ import annotations

import time
from typing import TextIO

from orderspec.engine import (
    Event,
    Masker,
    StepFailed,
    StepFinished,
    StepPaged,
    StepPolled,
    StepRetried,
    StepSkipped,
    StepStarted,
    UploadProgress,
)
from orderspec.report._units import format_duration, format_size
from orderspec.terminal import terminal_safe

_CLEAR = "\r\x1b[K"


class Progress:
    """An ``on_event`` callback writing progress to ``stream``; ``live`` for a terminal."""

    def __init__(self, stream: TextIO, *, live: bool, mask: Masker | None = None) -> None:
        self.stream = stream
        self.live = live
        self.mask = mask or Masker(())
        self._last_update = 0.0

    def _line(self, text: str) -> None:
        text = terminal_safe(self.mask(text))
        self.stream.write((_CLEAR if self.live else "") + text + "\n")
        self.stream.flush()

    def _status(self, text: str) -> None:
        if self.live:
            self.stream.write(_CLEAR + terminal_safe(self.mask(text)))
            self.stream.flush()

    def __call__(self, event: Event) -> None:
        if isinstance(event, StepStarted):
            self._status(f"… {event.step}")
        elif isinstance(event, UploadProgress):
            now = time.monotonic()
            if now - self._last_update >= 0.1:
                self._last_update = now
                total = f" of {format_size(event.total)}" if event.total else ""
                self._status(f"↑ {event.step}: {format_size(event.sent)}{total} sent")
        elif isinstance(event, StepPolled):
            text = f"{event.step}: waiting ({event.attempt}, last answer {event.status})"
            if self.live:
                self._status("… " + text)
            else:
                self._line("poll  " + text)
        elif isinstance(event, StepPaged):
            self._status(f"… {event.step}: page {event.page} ({event.total} items)")
        elif isinstance(event, StepRetried):
            self._line(f"retry {event.step}: {event.reason}; again in {event.wait:g} s")
        elif isinstance(event, StepFinished) and not event.method:
            pass  # a set step sent nothing: not worth a line of its own
        elif isinstance(event, StepFinished):
            extra = f", {event.polls} polls" if event.polls else ""
            extra += f", {event.pages} pages" if event.pages > 1 else ""
            self._line(f"ok    {event.step}  {event.method} {event.url} -> {event.status} ({format_duration(event.elapsed)}{extra})")
        elif isinstance(event, StepSkipped):
            self._line(f"skip  {event.step} ({event.reason})")
        elif isinstance(event, StepFailed):
            self._line(f"FAIL  {event.step} ({format_duration(event.elapsed)})")
