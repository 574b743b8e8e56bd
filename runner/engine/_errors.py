"""Errors of flows and of running them.

Each names what the user can look at: the flow file position for a malformed flow,
the step path, request and an excerpt of the answer for a failed run. Errors are built
with their context (step, location, hint); the runner never changes an error in flight.
When a run fails it raises a new instance of the same error that also holds the
partial ``FlowResult`` (``with_result``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from orderspec.errors import Location, OrderspecError, SourceError

if TYPE_CHECKING:
    from orderspec.engine._results import FlowResult


class FlowSourceError(SourceError):
    """A flow file is malformed; raised before any request is sent."""


class FlowError(OrderspecError):
    """A flow failed while running; ``step`` is the path of the failing step (``lines[1]/upload``).

    ``result`` is the partial ``FlowResult`` up to the failure on the error a failed
    run raises (None on an error that has not left ``run_flow``).
    """

    def __init__(
        self,
        message: str,
        *,
        step: str | None = None,
        location: Location | None = None,
        hint: str | None = None,
        result: FlowResult | None = None,
    ) -> None:
        super().__init__(message, location=location, hint=hint)
        self.step = step
        self.result = result

    def _copy(self, changes: dict[str, Any]) -> Self:
        """A new instance of this very class with the same attributes, some replaced.

        Built without calling ``__init__``, so subclasses with their own constructor
        arguments (``status``, a caller's own error class) keep everything they hold.
        """
        clone = type(self).__new__(type(self), *self.args)
        clone.__dict__.update(self.__dict__)
        clone.__dict__.update(changes)
        clone.__cause__ = self.__cause__
        clone.__suppress_context__ = self.__suppress_context__
        return clone

    def with_result(self, result: FlowResult) -> Self:
        """The same error holding the partial result of the run it ended."""
        return self._copy({"result": result})

    def at_step(self, step: str) -> Self:
        """The same error naming the step it stopped (for errors raised by a caller's hook)."""
        return self._copy({"step": step})


class FlowFailed(FlowError):
    """A caller's hook (``gate``, a journal) stopped the run with an ``OrderspecError`` of its own.

    ``cause`` is that error; the message, location, hint and exit code are its own, so a
    user sees the same text, and ``result`` holds what ran before.
    """

    def __init__(self, cause: OrderspecError, *, step: str | None = None, result: FlowResult | None = None) -> None:
        super().__init__(cause.message, step=step, location=cause.location, hint=cause.hint, result=result)
        self.cause = cause
        self.exit_code = cause.exit_code


class TemplateError(FlowError):
    """A template or expression could not be evaluated (undefined variable, bad filter input)."""


class CaptureError(FlowError):
    """A capture found nothing in the response."""


class RequestFailed(FlowError):
    """The target answered with a status the step does not expect."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        step: str | None = None,
        location: Location | None = None,
        hint: str | None = None,
        result: FlowResult | None = None,
    ) -> None:
        super().__init__(message, step=step, location=location, hint=hint, result=result)
        self.status = status


class ConnectionFailed(FlowError):
    """The request could not be carried out (connection refused, timed out, dropped)."""


class OutcomeUnknown(FlowError):
    """A ``create``/``place`` request may or may not have been carried out; never repeated blindly."""


class PollTimeout(FlowError):
    """A polled condition did not hold before the step's timeout."""


class PollFailed(FlowError):
    """A polled resource reached a terminal failure state (``poll.fail_if``)."""


class PaginationError(FlowError):
    """A paginated list cannot be followed: more pages than ``max_pages``, or a next link to another origin."""


class PickError(TemplateError):
    """``pick`` found no element with the wanted name; lists the valid names and the closest."""
