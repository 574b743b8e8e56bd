"""Running a flow: the runner's top, from initial variables to outputs, and ``run_flow``.

The runner is a plain function of a flow, a context and an ``httpx`` client, so the
CLI, ``apply``, sandboxes and cassette replay all drive it the same way. Time goes
through a ``Clock``, so replay and tests skip the waiting. The walk over the steps
(``_walk``), one request with its retries and polls (``_exchange``), building requests
(``_request``) and the wording of failures (``_wording``) live in their own modules.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import replace
from typing import Any

import httpx

from orderspec.engine import _events as ev
from orderspec.engine._clock import Clock, SystemClock
from orderspec.engine._context import FlowContext
from orderspec.engine._errors import FlowError, FlowFailed, PickError
from orderspec.engine._evaluate import Evaluator
from orderspec.engine._flow import EFFECT_RANK, Effect, Flow
from orderspec.engine._http import as_text
from orderspec.engine._journal import Journal, PendingStep
from orderspec.engine._mask import Masker, url_credentials
from orderspec.engine._request import RequestBuilder
from orderspec.engine._results import FlowResult
from orderspec.engine._template import EvalFailure
from orderspec.engine._walk import StopBefore, Walker
from orderspec.errors import OrderspecError


class _Runner:
    def __init__(
        self,
        flow: Flow,
        context: FlowContext,
        client: httpx.Client,
        clock: Clock,
        on_event: Callable[[ev.Event], None] | None,
        gate: Callable[[PendingStep], None] | None,
        journal: Journal | None,
        stop_before: str | None,
        done: Collection[str],
        unknown: Collection[str] = (),
        redact: Iterable[str] = (),
        read_methods: Collection[str] | None = None,
    ) -> None:
        self.flow = flow
        self.read_methods = read_methods
        self.context = context
        self.client = client
        self.clock = clock
        self.emit = on_event
        self.gate = gate
        self.journal = journal
        self.stop_rank = None if stop_before is None else EFFECT_RANK[stop_before]
        self.done = done
        self.unknown = unknown
        self.redact = [*context.secrets.values(), *redact, *url_credentials((context.target or {}).get("base_url"))]
        self.mask = Masker(self.redact)
        self.evaluator = Evaluator(self.mask)
        self.vars: dict[str, Any] = dict(context.vars)
        self.ctx: dict[str, Any] = {"order": context.order, "target": context.target, "secrets": context.secrets, "vars": self.vars}
        self.walker: Walker | None = None

    def run(self) -> FlowResult:
        start = time.perf_counter()
        stopped: str | None = None
        try:
            try:
                walker = self._prepare()
                walker.steps(self.flow.steps, self.ctx, "")
            except StopBefore as stop:
                stopped = stop.path
            outputs = self._outputs(lenient=stopped is not None)
        except OrderspecError as exc:
            message = self.mask(str(exc))
            result = self._result(False, {}, time.perf_counter() - start, None, message)
            if self.emit:
                self.emit(ev.FlowFinished(step="", ok=False, elapsed=result.elapsed, error=message))
            error = exc if isinstance(exc, FlowError) else FlowFailed(exc)
            raise error.with_result(result).with_traceback(exc.__traceback__) from None
        result = self._result(True, outputs, time.perf_counter() - start, stopped, None)
        if self.emit:
            self.emit(ev.FlowFinished(step="", ok=True, elapsed=result.elapsed, outputs=outputs, stopped_before=stopped))
        return result

    def _result(self, ok: bool, outputs: dict[str, Any], elapsed: float, stopped: str | None, error: str | None) -> FlowResult:
        steps = tuple(self.walker.results) if self.walker is not None else ()
        return FlowResult(self.flow.name, ok, outputs, dict(self.vars), steps, elapsed, stopped, error)

    def _prepare(self) -> Walker:
        """Initial variables (a caller's win), then ``base_url``; then the walker that runs the steps."""
        given = frozenset(self.context.vars)
        for name, renderer in self.flow.vars:
            if name in given:
                continue
            self.vars[name] = self.evaluator.render(renderer, self.ctx, f"vars.{name}", self.flow.position(f"vars.{name}"))
        base_url = None
        if self.flow.base_url is not None:
            base_url = as_text(self.evaluator.render(self.flow.base_url, self.ctx, "base_url", self.flow.position("base_url")))
            found = [value for value in url_credentials(base_url) if value not in self.redact]
            if found:  # user:password in the flow's own base_url: sent as HTTP Basic, masked as secrets
                self.redact.extend(found)
                self.mask = self.evaluator.mask = Masker(self.redact)
        builder = RequestBuilder(self.flow, self.client, base_url, self.context.folder or self.flow.folder, self.mask, self.emit)
        self.walker = Walker(
            client=self.client,
            clock=self.clock,
            builder=builder,
            evaluator=self.evaluator,
            variables=self.vars,
            mask=self.mask,
            emit=self.emit,
            gate=self.gate,
            journal=self.journal,
            done=self.done,
            stop_rank=self.stop_rank,
            unknown=self.unknown,
            read_methods=self.read_methods,
        )
        return self.walker

    def _outputs(self, *, lenient: bool) -> dict[str, Any]:
        outputs: dict[str, Any] = {}
        for name, expr in self.flow.outputs:
            try:
                outputs[name] = self.evaluator.eval(expr, self.ctx, "outputs")
            except FlowError:
                if not lenient:
                    raise
        return outputs


def run_flow(
    flow: Flow,
    context: FlowContext | Mapping[str, Any] | None = None,
    *,
    client: httpx.Client | None = None,
    transport: httpx.BaseTransport | None = None,
    clock: Clock | None = None,
    on_event: Callable[[ev.Event], None] | None = None,
    gate: Callable[[PendingStep], None] | None = None,
    journal: Journal | None = None,
    stop_before: Effect | None = None,
    done: Collection[str] = (),
    unknown: Collection[str] = (),
    redact: Iterable[str] = (),
    read_methods: Collection[str] | None = None,
) -> FlowResult:
    """Run ``flow`` and return its outputs, variables and per-step results.

    ``client`` (or a ``transport`` for a client made here) is where requests go, so
    sandboxes and replay plug in without patching. ``gate`` is called just before
    each ``place`` step and may raise to stop. ``journal`` hears of every request
    before it is sent and of every step that succeeded, with the variables then.
    ``stop_before`` (an effect) runs only the steps before the first one with that
    effect or a stronger one; with ``read_methods`` also before the first read step whose
    method is not among them (``plan`` of a flow whose ``effect: read`` on a POST nobody
    vouched for). ``done`` holds step paths already completed (resuming
    from a checkpoint whose variables come as ``context.vars``), which are skipped.
    ``unknown`` holds paths of create or place steps an earlier run sent without learning
    the outcome: each is read back with its ``recover`` block instead of being sent, and
    sent only if the answer says it was not carried out (no block: ``OutcomeUnknown``).
    ``redact`` holds values to hide in every message, event and result besides
    ``context.secrets``: credentials the HTTP layer applies, which templates never see
    but a server may echo back.
    Failures raise a ``FlowError`` whose ``result`` holds what ran; an
    ``OrderspecError`` of the caller's hooks comes back as ``FlowFailed`` (``cause``).
    """
    if stop_before is not None and stop_before not in EFFECT_RANK:
        raise ValueError(f"stop_before must be one of {', '.join(EFFECT_RANK)}")
    coerced = FlowContext.coerce(context)

    def run_with(sender: httpx.Client) -> FlowResult:
        return _Runner(flow, coerced, sender, clock or SystemClock(), on_event, gate, journal, stop_before, done, unknown, redact, read_methods).run()

    if client is not None:
        return run_with(client)
    with httpx.Client(transport=transport, timeout=flow.timeout) as own:
        return run_with(own)


def draft_of(flow: Flow, context: FlowContext | Mapping[str, Any]) -> Any:
    """The id of the draft ``flow.discard`` names in the context's ``vars``; None when there is none."""
    if flow.discard is None:
        return None
    try:
        return flow.discard.id.fn(FlowContext.coerce(context).expressions())
    except (EvalFailure, PickError):
        return None


def discard_flow(flow: Flow) -> Flow:
    """``flow`` reduced to its ``discard`` request, to run with the variables a stopped run left."""
    if flow.discard is None:
        raise ValueError(f"flow {flow.name!r} has no discard request")
    return replace(flow, steps=(flow.discard.step,), outputs=())
