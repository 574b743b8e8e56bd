"""``retry.when``: an answer that says nothing was done is tried again, whatever the step's effect."""

from __future__ import annotations

import uuid

import pytest

from orderspec.engine import FlowSourceError, OutcomeUnknown, RequestFailed, load_flow, run_flow
from orderspec.engine import _events as ev

from .conftest import HEAD, context

PLACED = "outputs:\n  made: vars.made\ncontract:\n  order_number: made\n"
NOT_DONE = "response.status == 500 and (response.body.error | default(none)) == 'try later'"


def _flow(key: str, *, effect: str = "create", fail: int = 1, status: int = 500, attempts: int = 3, refresh: str = "[fresh]") -> str:
    return f"""steps:
  - name: fresh
    request: {{method: GET, url: '/flaky?key={key}-fresh&fail=0'}}
    capture: {{hits: response.body.hits}}
  - name: make
    effect: {effect}
    request: {{method: POST, url: '/flaky?key={key}&fail={fail}&status={status}'}}
    retry:
      when: "{NOT_DONE}"
      attempts: {attempts}
      backoff: 0.25
      refresh: {refresh}
    capture: {{made: response.body.hits}}
""" + (PLACED if effect == "place" else "")


def test_a_create_step_is_sent_again_after_refreshing(server, flow_of) -> None:
    key = uuid.uuid4().hex
    events: list[ev.Event] = []
    slept: list[float] = []

    class Clock:
        def monotonic(self) -> float:
            return 0.0

        def sleep(self, seconds: float) -> None:
            slept.append(seconds)

    result = run_flow(flow_of(_flow(key)), context(server), on_event=events.append, clock=Clock())
    assert server.state.hits[f"flaky:{key}"] == 2
    assert result.vars == {"hits": 2, "made": 2}  # the refreshed step ran again before the second try
    [retried] = [e for e in events if isinstance(e, ev.StepRetried)]
    assert retried.step == "make" and "500" in retried.reason and "try later" in retried.reason
    assert slept == [0.25]
    assert [s.path for s in result.steps] == ["fresh", "fresh", "make"]
    assert result.steps[-1].attempts == 2


def test_an_answer_that_does_not_match_fails_at_once(server, flow_of) -> None:
    key = uuid.uuid4().hex
    flow = flow_of(_flow(key).replace("'try later'", "'something else'"))
    with pytest.raises(RequestFailed) as info:
        run_flow(flow, context(server))
    assert info.value.status == 500 and server.state.hits[f"flaky:{key}"] == 1


def test_the_last_attempt_fails_with_the_answer(server, flow_of) -> None:
    key = uuid.uuid4().hex
    with pytest.raises(RequestFailed) as info:
        run_flow(flow_of(_flow(key, fail=5, attempts=2)), context(server))
    assert server.state.hits[f"flaky:{key}"] == 2
    assert "answered 500" in str(info.value) and "try later" in str(info.value)


def test_a_create_step_is_not_repeated_on_a_transient_failure(server, flow_of) -> None:
    key = uuid.uuid4().hex
    with pytest.raises(RequestFailed) as info:
        run_flow(flow_of(_flow(key, status=503)), context(server))
    assert info.value.status == 503 and server.state.hits[f"flaky:{key}"] == 1


def test_a_lost_answer_is_still_never_repeated(hangup_server, flow_of) -> None:
    flow = flow_of(
        f"steps:\n  - name: make\n    effect: place\n    request: {{method: POST, url: /orders}}\n    retry: {{when: \"{NOT_DONE}\", attempts: 3}}\n    timeout: 1\n"
        + PLACED
    )
    with pytest.raises(OutcomeUnknown):
        run_flow(flow, {"target": {"base_url": hangup_server.url}})
    assert len(hangup_server.seen) == 1


def test_a_read_step_with_when_keeps_its_transient_retries(server, flow_of) -> None:
    key = uuid.uuid4().hex
    flow = flow_of(
        f"steps:\n  - name: r\n    request: {{method: GET, url: '/flaky?key={key}&fail=1&status=503'}}\n    retry: {{when: \"{NOT_DONE}\", attempts: 2, backoff: 0}}\n"
    )
    assert run_flow(flow, context(server)).steps[0].attempts == 2


def test_the_gate_sees_the_refreshed_values_before_each_try_of_a_place_step(server, flow_of) -> None:
    key = uuid.uuid4().hex
    seen: list[int] = []
    flow = flow_of(_flow(key, effect="place"))
    run_flow(flow, context(server), gate=lambda pending: seen.append(pending.vars["hits"]), clock=_Instant())
    assert seen == [1, 2]


class _Instant:
    def monotonic(self) -> float:
        return 0.0

    def sleep(self, seconds: float) -> None:
        pass


@pytest.mark.parametrize(
    ("refresh", "message"),
    [
        ("[nowhere]", "retry.refresh names no sibling step 'nowhere'"),
        ("[make]", "step 'make' cannot be refreshed"),
        ("[other]", "step 'other' cannot be refreshed"),
    ],
)
def test_refresh_names_read_siblings(write_flow, refresh: str, message: str) -> None:
    text = HEAD + _flow("k", refresh=refresh) + "  - name: other\n    effect: write\n    request: {method: PUT, url: /echo}\n"
    with pytest.raises(FlowSourceError) as info:
        load_flow(write_flow(text))
    assert message in info.value.message


def test_retry_without_when_on_a_create_step_is_refused_with_a_hint(write_flow) -> None:
    with pytest.raises(FlowSourceError) as info:
        load_flow(write_flow(HEAD + "steps:\n  - name: make\n    effect: create\n    request: {method: POST, url: /a}\n    retry: {attempts: 3}\n"))
    assert "must not be retried" in info.value.message and "retry.when" in (info.value.hint or "")
