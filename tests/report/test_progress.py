"""Progress lines and summaries, rendered from the engine's events and results alone."""

from __future__ import annotations

import io

import pytest

from orderspec.engine import (
    FlowResult,
    Masker,
    StepFailed,
    StepFinished,
    StepPolled,
    StepResult,
    StepRetried,
    StepSkipped,
    StepStarted,
    UploadProgress,
)
from orderspec.report import Progress, format_duration, format_size, summary


def _render(events: list, *, live: bool) -> str:
    stream = io.StringIO()
    progress = Progress(stream, live=live, mask=Masker(["tok-123"]))
    for event in events:
        progress(event)
    return stream.getvalue()


EVENTS = [
    StepStarted(step="basket", effect="create"),
    StepFinished(step="basket", effect="create", method="POST", url="http://x/baskets?key=tok-123", status=201, elapsed=0.0123),
    StepStarted(step="lines[0]/upload", effect="write"),
    UploadProgress(step="lines[0]/upload", sent=1536, total=3 * 1024 * 1024),
    StepPolled(step="lines[0]/wait", attempt=1, status=200, wait=1.0),
    StepRetried(step="quote", attempt=1, reason="503 Service Unavailable", wait=0.5),
    StepFinished(step="resolve", effect="read", method="", url="", status=None, elapsed=0.0),
    StepSkipped(step="express", reason="when 'order.express' is false"),
    StepFailed(step="place", message="boom", elapsed=12.5),
]


def test_plain_lines_when_not_a_terminal() -> None:
    text = _render(EVENTS, live=False)
    assert text.splitlines() == [
        "ok    basket  POST http://x/baskets?key=*** -> 201 (12 ms)",
        "poll  lines[0]/wait: waiting (1, last answer 200)",
        "retry quote: 503 Service Unavailable; again in 0.5 s",
        "skip  express (when 'order.express' is false)",
        "FAIL  place (12.5 s)",
    ]
    assert "\x1b[K" not in text and "tok-123" not in text


def test_a_terminal_gets_one_updating_line() -> None:
    text = _render(EVENTS, live=True)
    assert "\r\x1b[K… basket" in text
    assert "\r\x1b[K↑ lines[0]/upload: 1.5 KiB of 3.0 MiB sent" in text
    assert "\r\x1b[Kok    basket  POST" in text and "tok-123" not in text


def test_summary_of_a_stopped_run_lists_counts_and_outputs() -> None:
    result = FlowResult(
        name="demo",
        ok=True,
        outputs={"basket": 7, "note": "secret tok-123", "lines": [1, 2]},
        vars={},
        steps=(StepResult("a", "a", "read", "ok"), StepResult("b", "b", "read", "skipped")),
        elapsed=0.25,
        stopped_before="place",
    )
    assert summary(result, Masker(["tok-123"])).splitlines() == [
        "flow demo passed: 1 ok, 1 skipped in 250 ms",
        "stopped before 'place'",
        "  basket = 7",
        "  note = secret ***",
        "  lines = [1, 2]",
    ]


@pytest.mark.parametrize(
    ("count", "text"),
    [(0, "0 B"), (1023, "1023 B"), (1024, "1.0 KiB"), (1536, "1.5 KiB"), (5 * 1024**2, "5.0 MiB"), (3 * 1024**4, "3072.0 GiB")],
)
def test_sizes(count: int, text: str) -> None:
    assert format_size(count) == text


def test_durations() -> None:
    assert (format_duration(0.0004), format_duration(9.9994), format_duration(12.34)) == ("0 ms", "9999 ms", "12.3 s")


def test_a_paginated_step_shows_its_pages() -> None:
    from orderspec.engine import StepPaged

    events = [
        StepPaged(step="customers", page=2, items=50, total=100),
        StepFinished(step="customers", effect="read", method="GET", url="http://x/users/?page=3", status=200, elapsed=0.5, attempts=3, pages=3),
    ]
    assert "\r\x1b[K… customers: page 2 (100 items)" in _render(events, live=True)
    assert _render(events, live=False) == "ok    customers  GET http://x/users/?page=3 -> 200 (500 ms, 3 pages)\n"
