"""Requests that read an analysis status, which a ``.http`` file can only send once.

The JetBrains HTTP Client has no loops, so an example that waits for a file's analysis
reads the status once and moves on (the 3YOURMIND seed does). The documents say to
read it periodically until the analysis has finished; the converter warns and shows
the ``poll:`` block that does so.
"""

from __future__ import annotations

from orderspec.httpfile._templates import REFERENCE

_FILE_WORDS = frozenset({"file", "files", "upload", "uploads", "model", "models"})
_STATUS_SEGMENTS = frozenset({"file-status", "upload-status", "analysis-status", "analysis"})

POLL_EXAMPLE = (
    "poll: {until: \"response.body.status == 'finished'\", "
    "fail_if: \"response.body.status not in ['analysing', 'finished']\", every: 1, timeout: 300}"
)
"""The block a converted status check needs (3YOURMIND's values: ``analysing`` until ``finished``)."""


def reads_analysis_status(method: str, path: str) -> bool:
    """True for ``GET …/file-status/``, ``GET …/files/status/{id}/`` and the like."""
    if method != "GET":
        return False
    literal = [s.lower() for s in path.split("/") if s and not REFERENCE.search(s)]
    if not literal:
        return False
    last = literal[-1]
    if last in _STATUS_SEGMENTS:
        return True
    return last == "status" and any(segment in _FILE_WORDS for segment in literal[:-1])


def single_check_warning(step_name: str) -> str:
    """What the converter says about a status check sent once: why it matters, and the fix."""
    return (
        f"step '{step_name}' reads the analysis status once; the document says to call it periodically "
        "(3YOURMIND: \"Wait until file upload has finished, periodically call this endpoint (each 1s)\"), "
        "else the order may be placed before the file is analysed and be refused; "
        f"add to this step: {POLL_EXAMPLE}"
    )
