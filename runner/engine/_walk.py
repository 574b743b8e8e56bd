"""Walking a flow's steps: ``done`` and ``when`` skips, ``for_each`` loops, ``set`` steps, request steps.

Every step that ends becomes a ``StepResult`` and an event; a step that succeeded (or
was skipped) is then reported to the journal with the variables as they stand, so a run
stopped anywhere can resume from that checkpoint.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from types import MappingProxyType
from typing import Any, NoReturn

import httpx

from orderspec.engine import _events as ev
from orderspec.engine._clock import Clock
from orderspec.engine._context import Loop, response_view
from orderspec.engine._errors import CaptureError, FlowError, FlowFailed, TemplateError
from orderspec.engine._evaluate import Evaluator, Explain
from orderspec.engine._exchange import Exchange, Sender
from orderspec.engine._flow import Capture, Step
from orderspec.engine._http import as_text, join_url
from orderspec.engine._journal import Journal, PendingStep
from orderspec.engine._recover import READ_BACK, read_back
from orderspec.engine._request import Emit, RequestBuilder
from orderspec.engine._results import StepResult
from orderspec.engine._template import EvalFailure
from orderspec.engine._wording import Mask, accepted_hint, excerpt
from orderspec.errors import Location, OrderspecError

Gate = Callable[[PendingStep], None]


class StopBefore(Exception):
    """The walk reached the first step at ``stop_before``'s effect or a stronger one."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


def at_step(exc: OrderspecError, path: str, location: Location | None = None) -> FlowError:
    """``exc`` as a ``FlowError`` naming the step it stopped: a caller's hook may raise any ``OrderspecError``.

    An error raised without a place in the flow (reading an answer) gets the step's ``location``.
    """
    if not isinstance(exc, FlowError):
        return FlowFailed(exc, step=path)
    if exc.step is not None:
        return exc
    located = exc.at_step(path)
    if located.location is None and location is not None:
        located.location = location
        located.message = f"step {path!r}: {located.message}"
    return located


def _reraise(exc: OrderspecError, path: str, location: Location | None = None) -> NoReturn:
    error = at_step(exc, path, location)
    if error is exc:
        raise exc
    raise error.with_traceback(exc.__traceback__) from None


def _set_failure(item: Capture) -> Explain:
    def explain(failure: EvalFailure) -> str:
        return f"set {item.name}: `{item.expr.source}`: {failure.reason}"

    return explain


def _capture_failure(capture: Capture, response: httpx.Response, mask: Mask) -> Explain:
    def explain(failure: EvalFailure) -> str:
        return (
            f"capture {capture.name}: `{capture.expr.source}` found nothing ({failure.reason}); "
            f"the answer was {response.status_code}: {excerpt(response, mask)}"
        )

    return explain


class Walker:
    """Runs steps in order against one variable store; ``results`` grows as they end."""

    def __init__(
        self,
        *,
        client: httpx.Client,
        clock: Clock,
        builder: RequestBuilder,
        evaluator: Evaluator,
        variables: dict[str, Any],
        mask: Mask,
        emit: Emit | None,
        gate: Gate | None,
        journal: Journal | None,
        done: Collection[str],
        stop_rank: int | None,
        unknown: Collection[str] = (),
        read_methods: Collection[str] | None = None,
    ) -> None:
        self.builder = builder
        self.evaluator = evaluator
        self.vars = variables
        self.mask = mask
        self.emit = emit
        self.gate = gate
        self.journal = journal
        self.done = frozenset(done)
        self.unknown = frozenset(unknown)
        """Paths of create or place steps whose outcome an earlier run lost: read back before sending."""
        self.stop_rank = stop_rank
        self.read_methods = None if read_methods is None else frozenset(read_methods)
        """With ``stop_rank``: a read step sending another method stops the walk as well."""
        self.results: list[StepResult] = []
        self.sender = Sender(
            client, clock, builder, evaluator, mask=mask, emit=emit, journal=journal, variables=variables, refresh=self._refresh
        )

    # -- the walk -----------------------------------------------------------------------------

    def steps(self, steps: tuple[Step, ...], ctx: dict[str, Any], prefix: str) -> None:
        for step in steps:
            path = prefix + step.name
            if path in self.done:
                self._skip(step, path, "already done")
                continue
            if step.when is not None and not self.evaluator.eval(step.when, ctx, path):
                self._skip(step, path, f"when {step.when.source!r} is false")
                continue
            if step.for_each is not None:
                self._group(step, ctx, path)
                continue
            if step.request is None:
                self._set(step, ctx, path)
                continue
            if self.stop_rank is not None and (
                step.rank >= self.stop_rank or (self.read_methods is not None and step.request.method not in self.read_methods)
            ):
                raise StopBefore(path)
            self._request(step, ctx, path)

    def _ended(self, result: StepResult) -> None:
        """Record a step that succeeded or was skipped, and tell the journal."""
        self.results.append(result)
        if self.journal is not None:
            try:
                self.journal.after_step(result, MappingProxyType(dict(self.vars)))
            except OrderspecError as exc:
                _reraise(exc, result.path)

    def _skip(self, step: Step, path: str, reason: str) -> None:
        if self.emit:
            self.emit(ev.StepSkipped(step=path, reason=reason))
        self._ended(StepResult(path, step.name, step.effect, "skipped", message=reason))

    def _group(self, step: Step, ctx: dict[str, Any], path: str) -> None:
        assert step.for_each is not None
        items = self.evaluator.eval(step.for_each, ctx, path)
        if isinstance(items, tuple):
            items = list(items)
        if not isinstance(items, list):
            kind = "null" if items is None else type(items).__name__
            raise TemplateError(
                f"step {path!r}: for_each `{step.for_each.source}` is {kind}, expected a list",
                step=path,
                location=step.for_each.location,
            )
        if not items:
            self._skip(step, path, "for_each list is empty")
            return
        length = len(items)
        for index, item in enumerate(items):
            child = dict(ctx)
            child[step.as_] = item
            child["loop"] = Loop(index, length)
            self.steps(step.steps, child, f"{path}[{index}]/")

    def _failed(self, step: Step, path: str, start: float, exc: OrderspecError, state: Exchange) -> NoReturn:
        """Record the failure of a step and raise it, naming the step."""
        elapsed = time.perf_counter() - start
        message = self.mask(str(exc))
        status = state.status
        self.results.append(
            StepResult(
                path, step.name, step.effect, "failed", status, state.method, state.url, elapsed, state.attempts, state.polls,
                message=message, pages=state.pages,
            )
        )
        if self.emit:
            self.emit(ev.StepFailed(step=path, message=message, elapsed=elapsed, status=status))
        _reraise(exc, path, step.location)

    # -- set steps ----------------------------------------------------------------------------

    def _set(self, step: Step, ctx: dict[str, Any], path: str) -> None:
        """A step without a request: its ``set`` expressions, in order, into ``vars``."""
        if self.emit:
            self.emit(ev.StepStarted(step=path, effect=step.effect))
        start = time.perf_counter()
        values: dict[str, Any] = {}
        try:
            for item in step.sets:
                value = self.evaluator.assignment(item, ctx, path, error=TemplateError, explain=_set_failure(item))
                self._store(item, value, values)
        except OrderspecError as exc:
            self._failed(step, path, start, exc, Exchange())
        elapsed = time.perf_counter() - start
        if self.emit:
            self.emit(ev.StepFinished(step=path, effect=step.effect, method="", url="", status=None, elapsed=elapsed, attempts=0, captures=values))
        self._ended(StepResult(path, step.name, step.effect, "ok", elapsed=elapsed, captures=values))

    def _store(self, assignment: Capture, value: Any, into: dict[str, Any]) -> None:
        """Set a variable, or append to a list one (a new list: a list read elsewhere stays as it was)."""
        if assignment.append:
            existing = self.vars.get(assignment.name)
            value = [*existing, value] if isinstance(existing, list) else [value]
        self.vars[assignment.name] = value
        into[assignment.name] = value

    # -- request steps ----------------------------------------------------------------------

    def _request(self, step: Step, ctx: dict[str, Any], path: str) -> None:
        if self.emit:
            self.emit(ev.StepStarted(step=path, effect=step.effect))
        start = time.perf_counter()
        state = Exchange()
        try:
            found = read_back(self, step, ctx, path, state) if path in self.unknown else None
            note = READ_BACK if found is not None else ""
            if found is not None:
                captures: dict[str, Any] = found
            else:
                state = Exchange()
                if self.gate is not None and step.effect == "place":
                    self._gate(step, ctx, path)
                self.sender.exchange(step, ctx, path, state)
                captures = {}
                if step.paginate is not None and state.items is not None:
                    self.vars[step.paginate.into] = captures[step.paginate.into] = state.items
                captures.update(self._capture(step, ctx, path, state))
        except OrderspecError as exc:
            self._failed(step, path, start, exc, state)
        finally:
            ctx.pop("response", None)
        elapsed = time.perf_counter() - start
        status = state.status
        if self.emit:
            self.emit(
                ev.StepFinished(
                    step=path,
                    effect=step.effect,
                    method=state.method,
                    url=state.url,
                    status=status,
                    elapsed=elapsed,
                    attempts=state.attempts,
                    polls=state.polls,
                    captures=captures,
                    pages=state.pages,
                )
            )
        self._ended(
            StepResult(
                path, step.name, step.effect, "ok", status, state.method, state.url, elapsed, state.attempts, state.polls, captures, note, state.pages
            )
        )

    def _gate(self, step: Step, ctx: dict[str, Any], path: str) -> None:
        assert step.request is not None and self.gate is not None
        rendered = self.evaluator.render(step.request.url, ctx, f"step {path!r}: url", step.location, step=path)
        url = join_url(self.builder.base_url, as_text(rendered))
        self.gate(PendingStep(path, step.name, step.effect, step.request.method, self.mask(url), MappingProxyType(self.vars)))

    def _refresh(self, step: Step, ctx: dict[str, Any], path: str) -> None:
        """Run ``retry.refresh`` again before the next try; a ``place`` step then passes the gate again."""
        assert step.retry is not None
        prefix = path[: len(path) - len(step.name)]
        for sibling in step.retry.refresh:
            where = prefix + sibling.name
            if sibling.when is not None and not self.evaluator.eval(sibling.when, ctx, where):
                self._skip(sibling, where, f"when {sibling.when.source!r} is false")
            elif sibling.request is None:
                self._set(sibling, ctx, where)
            else:
                self._request(sibling, ctx, where)
        if self.gate is not None and step.effect == "place":
            self._gate(step, ctx, path)

    def _capture(self, step: Step, ctx: dict[str, Any], path: str, state: Exchange) -> dict[str, Any]:
        if not step.captures:
            return {}
        response = state.response
        assert response is not None
        if "response" not in ctx:
            ctx["response"] = response_view(response)
        # The target accepted the step; only reading its answer can fail. Running again blindly would repeat it.
        hint = accepted_hint(step, response.status_code)
        captured: dict[str, Any] = {}
        for capture in step.captures:
            value = self.evaluator.assignment(
                capture,
                ctx,
                path,
                error=CaptureError,
                explain=_capture_failure(capture, response, self.mask),
                hint=hint,
            )
            self._store(capture, value, captured)
        return captured
