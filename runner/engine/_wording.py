"""How failures are worded: status errors, transport failures, excerpts of answers.

One place for the text a user reads when a request fails, so every step says it the
same way: the step, method and (masked) URL, the status with its phrase, and what
the target answered or the flow's own ``errors:`` message for that status.
"""

from __future__ import annotations

import http
from collections.abc import Callable

import httpx

from orderspec.engine._errors import ConnectionFailed, OutcomeUnknown, RequestFailed
from orderspec.engine._flow import Step
from orderspec.engine._template import EvalFailure

Mask = Callable[[str], str]
EXCERPT = 300
"""Characters of an answer shown in a message."""
_AMBIGUOUS_STATUSES = frozenset({502, 504})  # a gateway gave up: the target may have acted


def phrase(status: int) -> str:
    """``Not Found`` for 404; empty for a code without a standard phrase."""
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


def reason(failure: EvalFailure) -> str:
    """The failure's reason, with the template text when the reason does not already show it."""
    if failure.source in failure.reason:
        return failure.reason
    return f"{failure.reason} (in {failure.source!r})"


def excerpt(response: httpx.Response, mask: Mask) -> str:
    """The answer's body on one line, cut to ``EXCERPT`` characters, secrets masked.

    Masked first, on the whole text: a secret cut in half by the excerpt's end, or
    with its runs of blanks collapsed, would no longer be recognised.
    """
    try:
        text = response.text
    except Exception:  # noqa: BLE001 - undecodable bytes: show what we can
        text = response.content.decode("latin-1")
    text = " ".join(mask(text).split())
    if not text:
        return "(empty body)"
    return text if len(text) <= EXCERPT else text[:EXCERPT] + " ..."


def answer(response: httpx.Response, mask: Mask) -> str:
    """``503 Service Unavailable: {excerpt}``: a status and what came with it."""
    return f"{response.status_code} {phrase(response.status_code)}: {excerpt(response, mask)}"


def transport_reason(exc: Exception, timeout: float) -> str:
    """Why a request got no answer, in words (``could not connect``, ``no answer within 30 s``)."""
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


def status_error(step: Step, path: str, method: str, url: str, response: httpx.Response, mask: Mask) -> RequestFailed:
    """The step's answer had a status it does not expect."""
    status = response.status_code
    custom = dict(step.errors).get(status)
    detail = custom if custom is not None else excerpt(response, mask)
    expected = "2xx" if step.expect is None else ", ".join(map(str, sorted(step.expect)))
    hint = None
    if step.effect in ("create", "place") and status in _AMBIGUOUS_STATUSES:
        hint = "a gateway answered: the target may still have carried it out; check before running again"
    message = f"step {path!r} failed: {method} {url} answered {status} {phrase(status)} (expected {expected}): {detail}"
    return RequestFailed(mask(message), status=status, step=path, location=step.location, hint=hint)


def outcome_unknown(step: Step, path: str, where: str, why: str, mask: Mask) -> OutcomeUnknown:
    """A create or place request may have reached the target, but no answer came back."""
    return OutcomeUnknown(
        mask(f"step {path!r} ({step.effect}): {where}: {why}; the outcome is unknown, the target may or may not have carried it out"),
        step=path,
        location=step.location,
        hint=f"check on the target before running again; a {step.effect} step is never repeated blindly",
    )


def connection_failed(step: Step, path: str, where: str, why: str, mask: Mask) -> ConnectionFailed:
    """A request that could not be carried out, and is not worth (or allowed) another try."""
    return ConnectionFailed(mask(f"step {path!r}: {where}: {why}"), step=path, location=step.location)


def accepted_hint(step: Step, status: int) -> str | None:
    """What to do when reading the answer of an accepted create or place step failed."""
    if step.effect in ("create", "place"):
        return f"the target accepted the {step.effect} step ({status}); check there before running again"
    return None
