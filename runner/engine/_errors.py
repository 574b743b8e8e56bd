"""Errors of flows and of running them.

Each names what the user can look at: the flow file position for a malformed flow,
the step path, request and an excerpt of the answer for a failed run.
"""

from __future__ import annotations

from typing import Any

from orderspec.errors import Location, OrderspecError, SourceError


class FlowSourceError(SourceError):
    """A flow file is malformed; raised before any request is sent."""


class FlowError(OrderspecError):
    """A flow failed while running; ``step`` is the path of the failing step (``lines[1]/upload``)."""

    def __init__(
        self,
        message: str,
        *,
        step: str | None = None,
        location: Location | None = None,
        hint: str | None = None,
        result: Any = None,
    ) -> None:
        super().__init__(message, location=location, hint=hint)
        self.step = step
        self.result = result
        """The partial ``FlowResult`` up to the failure (filled in by the runner)."""


class TemplateError(FlowError):
    """A template or expression could not be evaluated (undefined variable, bad filter input)."""


class CaptureError(FlowError):
    """A capture found nothing in the response."""


class RequestFailed(FlowError):
    """The target answered with a status the step does not expect."""

    def __init__(self, message: str, *, status: int | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.status = status


class ConnectionFailed(FlowError):
    """The request could not be carried out (connection refused, timed out, dropped)."""


class OutcomeUnknown(FlowError):
    """A ``create``/``place`` request may or may not have been carried out; never repeated blindly."""


class PollTimeout(FlowError):
    """A polled condition did not hold before the step's timeout."""


class PollFailed(FlowError):
    """A polled resource reached a terminal failure state (``poll.fail_if``)."""


class PickError(TemplateError):
    """``pick`` found no element with the wanted name; lists the valid names and the closest."""
