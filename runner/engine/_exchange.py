"""One request step on the wire: sending with retries, polling until a condition holds.

Retries follow the step's ``retry`` block (transient failures only where repeating is
safe; ``retry.when`` for answers that say nothing was done). A ``create`` or ``place``
request that may have reached the target without an answer is never sent again. Every
request passes the journal's ``before_send`` first, so nothing leaves unannounced.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

import httpx

from orderspec.engine import _events as ev
from orderspec.engine._answer import AnswerOverdue, AnswerTooLarge, AnswerUnreadable, BoundedSender
from orderspec.engine._clock import Clock
from orderspec.engine._context import response_view
from orderspec.engine._errors import PollFailed, PollTimeout, RequestFailed
from orderspec.engine._evaluate import Evaluator
from orderspec.engine._flow import Expr, Step
from orderspec.engine._http import BodyError
from orderspec.engine._journal import Journal, PendingStep
from orderspec.engine._pages import follow_pages
from orderspec.engine._request import Emit, RequestBuilder
from orderspec.engine._wording import Mask, accepted_hint, answer, connection_failed, excerpt, outcome_unknown, phrase, status_error, transport_reason

RETRY_STATUSES = frozenset({429, 502, 503, 504})
_NOT_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.WriteError,
    httpx.WriteTimeout,
    httpx.UnsupportedProtocol,
    httpx.LocalProtocolError,
)
"""Transport errors after which the target cannot have acted on the request."""

Refresh = Callable[[Step, dict[str, Any], str], None]
"""Runs a step's ``retry.refresh`` siblings again (and the gate of a ``place`` step)."""


class Exchange:
    """Mutable bookkeeping of one step's request(s), for its result and error messages."""

    __slots__ = ("attempts", "items", "method", "pages", "polls", "response", "url")

    def __init__(self) -> None:
        self.method = ""
        self.url = ""
        self.attempts = 0
        self.polls = 0
        self.pages = 0
        self.items: list[Any] | None = None
        """What a paginated step collected over its pages."""
        self.response: httpx.Response | None = None

    @property
    def status(self) -> int | None:
        return self.response.status_code if self.response is not None else None


def retry_after(response: httpx.Response) -> float | None:
    """Seconds a ``Retry-After`` header asks for (a number or an HTTP date); None without one."""
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


class Sender:
    """Sends the requests of one run through ``client``, waiting on ``clock``."""

    def __init__(
        self,
        client: httpx.Client,
        clock: Clock,
        builder: RequestBuilder,
        evaluator: Evaluator,
        *,
        mask: Mask,
        emit: Emit | None,
        journal: Journal | None,
        variables: Mapping[str, Any],
        refresh: Refresh,
    ) -> None:
        self.client = client
        self.clock = clock
        self.builder = builder
        self.evaluator = evaluator
        self.mask = mask
        self.emit = emit
        self.journal = journal
        self.vars = MappingProxyType(variables) if not isinstance(variables, MappingProxyType) else variables
        self.refresh = refresh
        limits = builder.flow.limits
        self.bounded = BoundedSender(limits.response_bytes, limits.request_seconds)

    def exchange(self, step: Step, ctx: dict[str, Any], path: str, state: Exchange) -> None:
        """Send the step until its answer is final: expected status, and ``poll.until`` holding.

        Leaves the last answer in ``state.response`` (and, when polling or paging, in ``ctx['response']``);
        a paginated step follows its pages and leaves their items in ``state.items``.
        """
        if step.paginate is not None:
            state.items = follow_pages(self, step, ctx, path, state)
            return
        poll = step.poll
        deadline = self.clock.monotonic() + poll.timeout if poll is not None else 0.0
        while True:
            response = self.send(step, ctx, path, state)
            self.check_status(step, path, state, response)
            if poll is None:
                return
            ctx["response"] = response_view(response)
            status = response.status_code
            if poll.fail_if is not None and self.evaluator.eval(poll.fail_if, ctx, path):
                raise PollFailed(
                    self.mask(f"step {path!r}: stopped polling, `{poll.fail_if.source}` holds; the answer was {status}: {excerpt(response, self.mask)}"),
                    step=path,
                    location=poll.fail_if.location,
                )
            if self.evaluator.eval(poll.until, ctx, path):
                return
            if self.clock.monotonic() + poll.every > deadline:
                raise PollTimeout(
                    self.mask(
                        f"step {path!r}: `{poll.until.source}` did not hold within {poll.timeout:g} s "
                        f"({state.polls + 1} requests); the last answer was {status}: {excerpt(response, self.mask)}"
                    ),
                    step=path,
                    location=poll.until.location,
                )
            state.polls += 1
            if self.emit:
                self.emit(ev.StepPolled(step=path, attempt=state.polls, status=status, wait=poll.every))
            self.clock.sleep(poll.every)

    def check_status(self, step: Step, path: str, state: Exchange, response: httpx.Response) -> None:
        """Raise ``RequestFailed`` unless the answer's status is one the step expects."""
        status = response.status_code
        if not (200 <= status < 300 if step.expect is None else status in step.expect):
            raise status_error(step, path, state.method, state.url, response, self.mask)

    def send(
        self, step: Step, ctx: dict[str, Any], path: str, state: Exchange, *, url: str | None = None, params: Mapping[str, Any] | None = None
    ) -> httpx.Response:
        """One request of the step, tried again as its ``retry`` allows; the last answer is returned."""
        retry = step.retry
        attempt = 0
        while True:
            attempt += 1
            state.attempts += 1
            built = self.builder.build(step, ctx, path, url=url, params=params)
            if self.journal is not None:
                self.journal.before_send(PendingStep(path, step.name, step.effect, built.method, built.url, self.vars, state.attempts))
            # set only now: a result with a method means the request was (about to be) sent
            state.method, state.url = built.method, built.url
            try:
                response = self.bounded.send(self.client, built.request, max(self.bounded.seconds, step.timeout or 0.0))
            except (AnswerTooLarge, AnswerUnreadable) as exc:
                raise self._unread(step, path, state, exc) from None
            except AnswerOverdue as exc:
                why = f"no complete answer within {exc.seconds:g} s (limits.request_seconds)"
                where = f"{state.method} {state.url}"
                if step.effect in ("create", "place") and not step.safe_to_repeat:
                    raise outcome_unknown(step, path, where, why, self.mask) from None
                if retry is not None and retry.transient and attempt < retry.attempts:
                    self._wait(path, attempt, why, min(retry.backoff * 2 ** (attempt - 1), retry.max_wait))
                    continue
                raise connection_failed(step, path, where, why, self.mask) from None
            except BodyError as exc:  # a file went away, changed size or became unreadable while sending
                hint = exc.hint
                if step.effect in ("create", "place"):
                    hint = f"part of the request was sent; check on the target before running again (a {step.effect} step is never repeated blindly)"
                raise BodyError(self.mask(f"step {path!r}: {exc.message}"), step=path, location=step.location, hint=hint) from None
            except httpx.TransportError as exc:
                why = transport_reason(exc, self.builder.seconds(step))
                where = f"{state.method} {state.url}"
                ambiguous = not isinstance(exc, _NOT_SENT)
                if ambiguous and step.effect in ("create", "place") and not step.safe_to_repeat:
                    raise outcome_unknown(step, path, where, why, self.mask) from None
                if retry is not None and retry.transient and attempt < retry.attempts:
                    self._wait(path, attempt, why, min(retry.backoff * 2 ** (attempt - 1), retry.max_wait))
                    continue
                raise connection_failed(step, path, where, why, self.mask) from None
            state.response = response
            status = response.status_code
            if retry is None or attempt >= retry.attempts:
                return response
            if retry.transient and status in RETRY_STATUSES:
                wait = retry_after(response) if status in (429, 503) else None
                if wait is None:
                    wait = retry.backoff * 2 ** (attempt - 1)
                self._wait(path, attempt, f"{status} {phrase(status)}", min(wait, retry.max_wait))
                continue
            if retry.when is not None and self._not_done(retry.when, ctx, path, response):
                wait = min(retry.backoff * 2 ** (attempt - 1), retry.max_wait)
                self._wait(path, attempt, answer(response, self.mask), wait)
                self.refresh(step, ctx, path)
                continue
            return response

    def _unread(self, step: Step, path: str, state: Exchange, exc: AnswerTooLarge | AnswerUnreadable) -> RequestFailed:
        """The target answered, but its answer cannot be read: too large, or not decodable."""
        status = exc.response.status_code
        if isinstance(exc, AnswerTooLarge):
            what = f"more than {exc.cap} bytes (limits.response_bytes); reading stopped there"
            hint = "if the answer is meant to be this large, raise limits.response_bytes in the flow"
        else:
            what = f"an answer that cannot be read: {exc.reason}"
            hint = None
        if 200 <= status < 300:
            hint = accepted_hint(step, status) or hint
        message = f"step {path!r}: {state.method} {state.url} answered {status} {phrase(status)} with {what}"
        return RequestFailed(self.mask(message), status=status, step=path, location=step.location, hint=hint)

    def _not_done(self, when: Expr, ctx: dict[str, Any], path: str, response: httpx.Response) -> bool:
        """Whether ``retry.when`` holds for ``response``: the target did nothing and asks for another try."""
        ctx["response"] = response_view(response)
        try:
            return bool(self.evaluator.eval(when, ctx, path))
        finally:
            ctx.pop("response", None)

    def _wait(self, path: str, attempt: int, why: str, wait: float) -> None:
        if self.emit:
            self.emit(ev.StepRetried(step=path, attempt=attempt, reason=why, wait=wait))
        self.clock.sleep(wait)
