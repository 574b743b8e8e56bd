"""Running a flow: conditions, loops, requests, expectations, polling, retries, captures.

The runner is a plain function of a flow, a context and an ``httpx`` client, so the
CLI, ``apply``, sandboxes and cassette replay all drive it the same way. Time goes
through a ``Clock``, so replay and tests skip the waiting.
"""

from __future__ import annotations

import email.utils
import http
import json
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

import httpx

from orderspec.engine import _events as ev
from orderspec.engine._clock import Clock, SystemClock
from orderspec.engine._errors import (
    CaptureError,
    ConnectionFailed,
    FlowError,
    OutcomeUnknown,
    PickError,
    PollFailed,
    PollTimeout,
    RequestFailed,
    TemplateError,
)
from orderspec.engine._flow import EFFECT_RANK, Capture, Effect, Expr, Flow, Step
from orderspec.engine._http import BodyError, as_text, build_body, join_url
from orderspec.engine._mask import Masker
from orderspec.engine._template import Const, EvalFailure, Renderer
from orderspec.errors import Location, OrderspecError

RETRY_STATUSES = frozenset({429, 502, 503, 504})
_AMBIGUOUS_STATUSES = frozenset({502, 504})  # a gateway gave up: the target may have acted
_NOT_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.WriteError,
    httpx.WriteTimeout,
    httpx.UnsupportedProtocol,
    httpx.LocalProtocolError,
)
_EXCERPT = 300


@dataclass(frozen=True)
class FlowContext:
    """What a flow runs with. ``folder`` anchors relative file paths (default: the flow's folder)."""

    order: Any = None
    target: Mapping[str, Any] = field(default_factory=dict)
    secrets: Mapping[str, str] = field(default_factory=dict)
    vars: Mapping[str, Any] = field(default_factory=dict)
    folder: Path | None = None

    @classmethod
    def coerce(cls, value: FlowContext | Mapping[str, Any] | None) -> FlowContext:
        if value is None:
            return cls()
        if isinstance(value, FlowContext):
            return value
        unknown = set(value) - {"order", "target", "secrets", "vars", "folder"}
        if unknown:
            raise TypeError(f"unknown context keys: {', '.join(sorted(unknown))}")
        folder = value.get("folder")
        return cls(
            order=value.get("order"),
            target=value.get("target") or {},
            secrets=value.get("secrets") or {},
            vars=value.get("vars") or {},
            folder=Path(folder) if folder is not None else None,
        )


@dataclass(frozen=True, slots=True)
class Loop:
    """``loop`` inside ``for_each``."""

    index0: int
    length: int

    @property
    def index(self) -> int:
        return self.index0 + 1

    @property
    def first(self) -> bool:
        return self.index0 == 0

    @property
    def last(self) -> bool:
        return self.index0 == self.length - 1

    @property
    def revindex(self) -> int:
        return self.length - self.index0


@dataclass(frozen=True, slots=True)
class ResponseView:
    """``response`` in expressions: status, headers (lower-case names), body (JSON or text)."""

    status: int
    headers: dict[str, str]
    body: Any


@dataclass(frozen=True, slots=True)
class PendingStep:
    """What ``gate`` sees just before a ``place`` step is sent."""

    path: str
    name: str
    effect: str
    method: str
    url: str
    vars: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class StepResult:
    path: str
    name: str
    effect: str
    outcome: str
    """``ok``, ``skipped`` or ``failed``."""
    status: int | None = None
    method: str = ""
    url: str = ""
    elapsed: float = 0.0
    attempts: int = 0
    polls: int = 0
    captures: Mapping[str, Any] = field(default_factory=dict)
    message: str = ""


@dataclass(frozen=True)
class FlowResult:
    name: str
    ok: bool
    outputs: dict[str, Any]
    vars: dict[str, Any]
    steps: tuple[StepResult, ...]
    elapsed: float
    stopped_before: str | None = None
    error: str | None = None


class _Stop(Exception):
    def __init__(self, path: str) -> None:
        self.path = path


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


def _view(response: httpx.Response) -> ResponseView:
    content_type = response.headers.get("content-type", "")
    body: Any
    if "json" in content_type:
        try:
            body = json.loads(response.content) if response.content else None
        except ValueError:
            body = response.text
    else:
        body = response.text
    return ResponseView(response.status_code, dict(response.headers.items()), body)


def _reason(failure: EvalFailure) -> str:
    """The failure's reason, with the template text when the reason does not already show it."""
    if failure.source in failure.reason:
        return failure.reason
    return f"{failure.reason} (in {failure.source!r})"


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - time.time(), 0.0)


def _describe_transport(exc: Exception, timeout: float) -> str:
    if isinstance(exc, httpx.ConnectTimeout):
        return f"could not connect within {timeout:g} s"
    if isinstance(exc, httpx.ConnectError):
        return f"could not connect ({exc})"
    if isinstance(exc, httpx.TimeoutException):
        return f"no answer within {timeout:g} s"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "the connection was closed before an answer arrived"
    if isinstance(exc, httpx.UnsupportedProtocol):
        return f"not an http(s) URL ({exc}); is base_url set?"
    return f"{type(exc).__name__}: {exc}"


class _Runner:
    def __init__(
        self,
        flow: Flow,
        context: FlowContext,
        client: httpx.Client,
        clock: Clock,
        on_event: Callable[[ev.Event], None] | None,
        gate: Callable[[PendingStep], None] | None,
        stop_before: str | None,
        done: Collection[str],
    ) -> None:
        self.flow = flow
        self.client = client
        self.clock = clock
        self.emit = on_event
        self.gate = gate
        self.stop_rank = None if stop_before is None else EFFECT_RANK[stop_before]
        self.done = frozenset(done)
        self.folder = context.folder or flow.folder
        self.mask = Masker(context.secrets.values())
        self.vars: dict[str, Any] = dict(context.vars)
        self.ctx: dict[str, Any] = {
            "order": context.order,
            "target": context.target,
            "secrets": context.secrets,
            "vars": self.vars,
        }
        self.base_url: str | None = None
        self.results: list[StepResult] = []
        self._headers: dict[int, tuple[tuple[str, Renderer], ...]] = {}
        self._timeouts: dict[int, httpx.Timeout] = {}
        self._given = frozenset(context.vars)

    # -- the whole flow ---------------------------------------------------------------

    def run(self) -> FlowResult:
        start = time.perf_counter()
        stopped: str | None = None
        try:
            try:
                self._prepare()
                self._steps(self.flow.steps, self.ctx, "")
            except _Stop as stop:
                stopped = stop.path
            outputs = self._outputs(lenient=stopped is not None)
        except OrderspecError as exc:
            message = self.mask(str(exc))
            result = self._result(False, {}, time.perf_counter() - start, None, message)
            if self.emit:
                self.emit(ev.FlowFinished(step="", ok=False, elapsed=result.elapsed, error=message))
            try:
                exc.result = result  # type: ignore[attr-defined]
            except AttributeError:  # pragma: no cover - an error class with __slots__
                pass
            raise
        result = self._result(True, outputs, time.perf_counter() - start, stopped, None)
        if self.emit:
            self.emit(ev.FlowFinished(step="", ok=True, elapsed=result.elapsed, outputs=outputs, stopped_before=stopped))
        return result

    def _result(self, ok: bool, outputs: dict[str, Any], elapsed: float, stopped: str | None, error: str | None) -> FlowResult:
        return FlowResult(self.flow.name, ok, outputs, dict(self.vars), tuple(self.results), elapsed, stopped, error)

    def _prepare(self) -> None:
        for name, renderer in self.flow.vars:
            if name in self._given:
                continue
            self.vars[name] = self._render(renderer, self.ctx, f"vars.{name}", self.flow.position(f"vars.{name}"))
        if self.flow.base_url is not None:
            self.base_url = as_text(self._render(self.flow.base_url, self.ctx, "base_url", self.flow.position("base_url")))

    def _outputs(self, *, lenient: bool) -> dict[str, Any]:
        outputs: dict[str, Any] = {}
        for name, expr in self.flow.outputs:
            try:
                outputs[name] = self._eval(expr, self.ctx, "outputs")
            except FlowError:
                if not lenient:
                    raise
        return outputs

    # -- evaluation with step-aware errors ----------------------------------------------------

    def _render(self, renderer: Renderer, ctx: dict[str, Any], path: str, location: Location) -> Any:
        try:
            return renderer(ctx)
        except EvalFailure as exc:
            hint = None
            if exc.source.startswith("target."):
                hint = "target settings come from the spec's profile; `orderspec run` takes --base-url"
            raise TemplateError(self.mask(f"{path}: {_reason(exc)}"), step=path, location=location, hint=hint) from None
        except PickError as exc:
            raise PickError(self.mask(f"{path}: {exc.message}"), step=path, location=location) from None

    def _eval(self, expr: Expr, ctx: dict[str, Any], path: str) -> Any:
        try:
            return expr.fn(ctx)
        except EvalFailure as exc:
            raise TemplateError(self.mask(f"step {path!r}: `{expr.source}`: {exc.reason}"), step=path, location=expr.location) from None
        except PickError as exc:
            raise PickError(self.mask(f"step {path!r}: {exc.message}"), step=path, location=expr.location) from None

    # -- steps ------------------------------------------------------------------------------

    def _steps(self, steps: tuple[Step, ...], ctx: dict[str, Any], prefix: str) -> None:
        for step in steps:
            path = prefix + step.name
            if path in self.done:
                self._skip(step, path, "already done")
                continue
            if step.when is not None and not self._eval(step.when, ctx, path):
                self._skip(step, path, f"when {step.when.source!r} is false")
                continue
            if step.for_each is not None:
                self._group(step, ctx, path)
                continue
            if step.request is None:
                self._set(step, ctx, path)
                continue
            if self.stop_rank is not None and step.rank >= self.stop_rank:
                raise _Stop(path)
            self._request(step, ctx, path)

    def _skip(self, step: Step, path: str, reason: str) -> None:
        self.results.append(StepResult(path, step.name, step.effect, "skipped", message=reason))
        if self.emit:
            self.emit(ev.StepSkipped(step=path, reason=reason))

    def _group(self, step: Step, ctx: dict[str, Any], path: str) -> None:
        assert step.for_each is not None
        items = self._eval(step.for_each, ctx, path)
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
            self._steps(step.steps, child, f"{path}[{index}]/")

    def _set(self, step: Step, ctx: dict[str, Any], path: str) -> None:
        """A step without a request: its ``set`` expressions, in order, into ``vars``."""
        if self.emit:
            self.emit(ev.StepStarted(step=path, effect=step.effect))
        start = time.perf_counter()
        values: dict[str, Any] = {}
        try:
            for item in step.sets:
                self._assign(item, ctx, path, values, TemplateError, lambda exc, item=item: f"set {item.name}: `{item.expr.source}`: {exc.reason}")
        except OrderspecError as exc:
            self._failed(step, path, start, exc, _Exchange())
            raise
        elapsed = time.perf_counter() - start
        self.results.append(StepResult(path, step.name, step.effect, "ok", elapsed=elapsed, captures=values))
        if self.emit:
            self.emit(ev.StepFinished(step=path, effect=step.effect, method="", url="", status=None, elapsed=elapsed, attempts=0, captures=values))

    def _store(self, assignment: Capture, value: Any, into: dict[str, Any]) -> None:
        """Set a variable, or append to a list one (a new list: a list read elsewhere stays as it was)."""
        if assignment.append:
            existing = self.vars.get(assignment.name)
            value = [*existing, value] if isinstance(existing, list) else [value]
        self.vars[assignment.name] = value
        into[assignment.name] = value

    def _failed(self, step: Step, path: str, start: float, exc: OrderspecError, state: _Exchange) -> None:
        elapsed = time.perf_counter() - start
        message = self.mask(str(exc))
        status = state.response.status_code if state.response is not None else None
        self.results.append(
            StepResult(path, step.name, step.effect, "failed", status, state.method, state.url, elapsed, state.attempts, state.polls, message=message)
        )
        if self.emit:
            self.emit(ev.StepFailed(step=path, message=message, elapsed=elapsed, status=status))
        if isinstance(exc, FlowError) and exc.step is None:
            exc.step = path

    def _request(self, step: Step, ctx: dict[str, Any], path: str) -> None:
        emit = self.emit
        if emit:
            emit(ev.StepStarted(step=path, effect=step.effect))
        start = time.perf_counter()
        state = _Exchange()
        try:
            if self.gate is not None and step.effect == "place":
                self._gate(step, ctx, path)
            self._exchange(step, ctx, path, state)
            captures = self._capture(step, ctx, path, state)
        except OrderspecError as exc:
            self._failed(step, path, start, exc, state)
            raise
        finally:
            ctx.pop("response", None)
        elapsed = time.perf_counter() - start
        status = state.response.status_code  # type: ignore[union-attr]
        self.results.append(StepResult(path, step.name, step.effect, "ok", status, state.method, state.url, elapsed, state.attempts, state.polls, captures))
        if emit:
            emit(
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
                )
            )

    def _gate(self, step: Step, ctx: dict[str, Any], path: str) -> None:
        assert step.request is not None and self.gate is not None
        url = join_url(self.base_url, as_text(self._render(step.request.url, ctx, f"step {path!r}: url", step.location)))
        self.gate(PendingStep(path, step.name, step.effect, step.request.method, self.mask(url), MappingProxyType(self.vars)))

    # -- one request, with polling and retries ----------------------------------------------------

    def _exchange(self, step: Step, ctx: dict[str, Any], path: str, state: _Exchange) -> None:
        poll = step.poll
        deadline = self.clock.monotonic() + poll.timeout if poll is not None else 0.0
        while True:
            response = self._send(step, ctx, path, state)
            status = response.status_code
            if not (200 <= status < 300 if step.expect is None else status in step.expect):
                raise self._status_error(step, path, state, response)
            if poll is None:
                return
            view = _view(response)
            ctx["response"] = view
            if poll.fail_if is not None and self._eval(poll.fail_if, ctx, path):
                raise PollFailed(
                    self.mask(f"step {path!r}: stopped polling, `{poll.fail_if.source}` holds; the answer was {status}: {self._excerpt(response)}"),
                    step=path,
                    location=poll.fail_if.location,
                )
            if self._eval(poll.until, ctx, path):
                return
            now = self.clock.monotonic()
            if now + poll.every > deadline:
                raise PollTimeout(
                    self.mask(
                        f"step {path!r}: `{poll.until.source}` did not hold within {poll.timeout:g} s "
                        f"({state.polls + 1} requests); the last answer was {status}: {self._excerpt(response)}"
                    ),
                    step=path,
                    location=poll.until.location,
                )
            state.polls += 1
            if self.emit:
                self.emit(ev.StepPolled(step=path, attempt=state.polls, status=status, wait=poll.every))
            self.clock.sleep(poll.every)

    def _send(self, step: Step, ctx: dict[str, Any], path: str, state: _Exchange) -> httpx.Response:
        retry = step.retry
        attempt = 0
        timeout = self._timeout(step)
        while True:
            attempt += 1
            state.attempts += 1
            request = self._build(step, ctx, path, state, timeout)
            try:
                response = self.client.send(request)
            except BodyError as exc:  # a file went away or became unreadable while sending
                raise BodyError(self.mask(f"step {path!r}: {exc.message}"), step=path, location=step.location) from None
            except httpx.TransportError as exc:
                reason = _describe_transport(exc, step.timeout or self.flow.timeout)
                where = f"{state.method} {state.url}"
                ambiguous = not isinstance(exc, _NOT_SENT)
                if ambiguous and step.effect in ("create", "place") and not step.safe_to_repeat:
                    raise OutcomeUnknown(
                        self.mask(
                            f"step {path!r} ({step.effect}): {where}: {reason}; the outcome is unknown, "
                            "the target may or may not have carried it out"
                        ),
                        step=path,
                        location=step.location,
                        hint=f"check on the target before running again; a {step.effect} step is never repeated blindly",
                    ) from None
                if retry is not None and retry.transient and attempt < retry.attempts:
                    self._wait(path, attempt, reason, min(retry.backoff * 2 ** (attempt - 1), retry.max_wait))
                    continue
                raise ConnectionFailed(self.mask(f"step {path!r}: {where}: {reason}"), step=path, location=step.location) from None
            state.response = response
            status = response.status_code
            if retry is None or attempt >= retry.attempts:
                return response
            if retry.transient and status in RETRY_STATUSES:
                wait = _retry_after(response) if status in (429, 503) else None
                if wait is None:
                    wait = retry.backoff * 2 ** (attempt - 1)
                self._wait(path, attempt, f"{status} {_phrase(status)}", min(wait, retry.max_wait))
                continue
            if retry.when is not None and self._not_done(retry.when, ctx, path, response):
                wait = min(retry.backoff * 2 ** (attempt - 1), retry.max_wait)
                self._wait(path, attempt, f"{status} {_phrase(status)}: {self._excerpt(response)}", wait)
                self._refresh(step, ctx, path)
                continue
            return response

    def _not_done(self, when: Expr, ctx: dict[str, Any], path: str, response: httpx.Response) -> bool:
        """Whether ``retry.when`` holds for ``response``: the target did nothing and asks for another try."""
        ctx["response"] = _view(response)
        try:
            return bool(self._eval(when, ctx, path))
        finally:
            ctx.pop("response", None)

    def _refresh(self, step: Step, ctx: dict[str, Any], path: str) -> None:
        """Run ``retry.refresh`` again before the next try; a ``place`` step then passes the gate again."""
        assert step.retry is not None
        prefix = path[: len(path) - len(step.name)]
        for sibling in step.retry.refresh:
            where = prefix + sibling.name
            if sibling.when is not None and not self._eval(sibling.when, ctx, where):
                self._skip(sibling, where, f"when {sibling.when.source!r} is false")
            elif sibling.request is None:
                self._set(sibling, ctx, where)
            else:
                self._request(sibling, ctx, where)
        if self.gate is not None and step.effect == "place":
            self._gate(step, ctx, path)

    def _wait(self, path: str, attempt: int, reason: str, wait: float) -> None:
        if self.emit:
            self.emit(ev.StepRetried(step=path, attempt=attempt, reason=reason, wait=wait))
        self.clock.sleep(wait)

    def _timeout(self, step: Step) -> httpx.Timeout:
        timeout = self._timeouts.get(id(step))
        if timeout is None:
            timeout = self._timeouts[id(step)] = httpx.Timeout(step.timeout or self.flow.timeout)
        return timeout

    def _merged_headers(self, step: Step) -> tuple[tuple[str, Renderer], ...]:
        merged = self._headers.get(id(step))
        if merged is None:
            table: dict[str, tuple[str, Renderer]] = {}
            assert step.request is not None
            for name, renderer in self.flow.headers + step.request.headers:
                table[name.lower()] = (name, renderer)
            merged = tuple(item for item in table.values() if not (isinstance(item[1], Const) and item[1].value is None))
            self._headers[id(step)] = merged
        return merged

    def _build(self, step: Step, ctx: dict[str, Any], path: str, state: _Exchange, timeout: httpx.Timeout) -> httpx.Request:
        request = step.request
        assert request is not None
        label = f"step {path!r}"
        try:
            url = join_url(self.base_url, as_text(request.url(ctx)))
            headers: dict[str, str] = {}
            for name, renderer in self._merged_headers(step):
                value = renderer(ctx)
                if value is not None:
                    headers[name] = as_text(value)
            params = None
            if request.params is not None:
                raw = request.params(ctx)
                params = {key: value for key, value in raw.items() if value is not None}
            progress = _Progress(self.emit, path) if self.emit and request.streams else None
            body = build_body(request, ctx, self.folder, progress)
            if progress is not None and body is not None:
                progress.total = body.length
        except EvalFailure as exc:
            raise TemplateError(self.mask(f"{label}: {_reason(exc)}"), step=path, location=step.location) from None
        except PickError as exc:
            raise PickError(self.mask(f"{label}: {exc.message}"), step=path, location=step.location) from None
        except FlowError as exc:
            raise type(exc)(self.mask(f"{label}: {exc.message}"), step=path, location=step.location) from None
        content = None
        if body is not None:
            content = body.content
            if request.multipart_files is not None:  # only our boundary can describe our body
                headers = {name: value for name, value in headers.items() if name.lower() != "content-type"}
                headers["Content-Type"] = body.content_type or ""
            elif body.content_type and not any(name.lower() == "content-type" for name in headers):
                headers["Content-Type"] = body.content_type
            if body.streamed and body.length is not None:
                headers["Content-Length"] = str(body.length)
        try:
            built = self.client.build_request(request.method, url, params=params, headers=headers, content=content, timeout=timeout)
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            raise ConnectionFailed(self.mask(f"{label}: invalid URL {url!r}: {exc}"), step=path, location=step.location) from None
        except UnicodeEncodeError as exc:
            raise TemplateError(self.mask(f"{label}: a header value is not ASCII text ({exc.object!r})"), step=path, location=step.location) from None
        except TypeError as exc:  # e.g. a query parameter rendered to a mapping
            raise TemplateError(self.mask(f"{label}: cannot send the request: {exc}"), step=path, location=step.location) from None
        # set only now: a result with a method means the request was (about to be) sent
        state.method = request.method
        state.url = self.mask(str(built.url))
        return built

    # -- answers ------------------------------------------------------------------------------

    def _excerpt(self, response: httpx.Response) -> str:
        try:
            text = response.text
        except Exception:  # noqa: BLE001 - undecodable bytes: show what we can
            text = response.content[:_EXCERPT].decode("latin-1")
        text = " ".join(text.split())
        if not text:
            return "(empty body)"
        return self.mask(text if len(text) <= _EXCERPT else text[:_EXCERPT] + " ...")

    def _status_error(self, step: Step, path: str, state: _Exchange, response: httpx.Response) -> RequestFailed:
        status = response.status_code
        custom = dict(step.errors).get(status)
        detail = custom if custom is not None else self._excerpt(response)
        expected = "2xx" if step.expect is None else ", ".join(map(str, sorted(step.expect)))
        hint = None
        if step.effect in ("create", "place") and status in _AMBIGUOUS_STATUSES:
            hint = "a gateway answered: the target may still have carried it out; check before running again"
        message = f"step {path!r} failed: {state.method} {state.url} answered {status} {_phrase(status)} (expected {expected}): {detail}"
        return RequestFailed(self.mask(message), status=status, step=path, location=step.location, hint=hint)

    def _capture(self, step: Step, ctx: dict[str, Any], path: str, state: _Exchange) -> dict[str, Any]:
        if not step.captures:
            return {}
        response = state.response
        assert response is not None
        if "response" not in ctx:
            ctx["response"] = _view(response)
        captured: dict[str, Any] = {}
        try:
            for capture in step.captures:
                self._assign(
                    capture,
                    ctx,
                    path,
                    captured,
                    CaptureError,
                    lambda exc, capture=capture: (
                        f"capture {capture.name}: `{capture.expr.source}` found nothing ({exc.reason}); "
                        f"the answer was {response.status_code}: {self._excerpt(response)}"
                    ),
                )
        except FlowError as exc:
            # The target accepted the step; only reading its answer failed. Running again blindly would repeat it.
            if step.effect in ("create", "place") and exc.hint is None:
                exc.hint = f"the target accepted the {step.effect} step ({response.status_code}); check there before running again"
            raise
        return captured

    def _assign(
        self, item: Capture, ctx: dict[str, Any], path: str, into: dict[str, Any], error: type[FlowError], explain: Callable[[EvalFailure], str]
    ) -> None:
        """One ``capture`` or ``set`` entry into ``vars``; ``explain`` says why a value could not be computed."""
        try:
            value = item.expr.fn(ctx)
        except EvalFailure as exc:
            raise error(self.mask(f"step {path!r}: {explain(exc)}"), step=path, location=item.expr.location) from None
        except PickError as exc:
            raise PickError(self.mask(f"step {path!r}: {exc.message}"), step=path, location=item.expr.location) from None
        self._store(item, value, into)


class _Progress:
    """Counts bytes of one streamed body and reports them as ``UploadProgress`` events."""

    __slots__ = ("emit", "path", "sent", "total")

    def __init__(self, emit: Callable[[ev.Event], None], path: str) -> None:
        self.emit = emit
        self.path = path
        self.sent = 0
        self.total: int | None = None

    def __call__(self, count: int) -> None:
        self.sent += count
        self.emit(ev.UploadProgress(step=self.path, sent=self.sent, total=self.total))


class _Exchange:
    """Mutable bookkeeping of one step's request(s), for results and error messages."""

    __slots__ = ("attempts", "method", "polls", "response", "url")

    def __init__(self) -> None:
        self.method = ""
        self.url = ""
        self.attempts = 0
        self.polls = 0
        self.response: httpx.Response | None = None


def run_flow(
    flow: Flow,
    context: FlowContext | Mapping[str, Any] | None = None,
    *,
    client: httpx.Client | None = None,
    transport: httpx.BaseTransport | None = None,
    clock: Clock | None = None,
    on_event: Callable[[ev.Event], None] | None = None,
    gate: Callable[[PendingStep], None] | None = None,
    stop_before: Effect | None = None,
    done: Collection[str] = (),
) -> FlowResult:
    """Run ``flow`` and return its outputs, variables and per-step results.

    ``client`` (or a ``transport`` for a client made here) is where requests go, so
    sandboxes and replay plug in without patching. ``gate`` is called just before
    each ``place`` step and may raise to stop. ``stop_before`` (an effect) runs only
    the steps before the first one with that effect or a stronger one. ``done`` holds
    step paths already completed (resuming), which are skipped. Failures raise a
    ``FlowError`` whose ``result`` holds what ran.
    """
    if stop_before is not None and stop_before not in EFFECT_RANK:
        raise ValueError(f"stop_before must be one of {', '.join(EFFECT_RANK)}")
    coerced = FlowContext.coerce(context)

    def run_with(sender: httpx.Client) -> FlowResult:
        return _Runner(flow, coerced, sender, clock or SystemClock(), on_event, gate, stop_before, done).run()

    if client is not None:
        return run_with(client)
    with httpx.Client(transport=transport, timeout=flow.timeout) as own:
        return run_with(own)


def draft_of(flow: Flow, context: FlowContext | Mapping[str, Any]) -> Any:
    """The id of the draft ``flow.discard`` names in the context's ``vars``; None when there is none."""
    if flow.discard is None:
        return None
    ctx = FlowContext.coerce(context)
    try:
        return flow.discard.id.fn({"order": ctx.order, "target": ctx.target, "secrets": ctx.secrets, "vars": dict(ctx.vars)})
    except (EvalFailure, PickError):
        return None


def discard_flow(flow: Flow) -> Flow:
    """``flow`` reduced to its ``discard`` request, to run with the variables a stopped run left."""
    if flow.discard is None:
        raise ValueError(f"flow {flow.name!r} has no discard request")
    return replace(flow, steps=(flow.discard.step,), outputs=())
