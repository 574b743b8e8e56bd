"""A malformed flow fails at load time, with the file position of the problem."""

from __future__ import annotations

import pytest

from orderspec.engine import FlowSourceError, load_flow

from .conftest import HEAD


def _error(write_flow, body: str) -> FlowSourceError:
    path = write_flow(HEAD + body)
    with pytest.raises(FlowSourceError) as info:
        load_flow(path)
    return info.value


def test_valid_flow_loads_with_paths_and_default_effects(write_flow):
    flow = load_flow(
        write_flow(
            HEAD
            + """
steps:
  - name: read
    request: {method: GET, url: /a}
  - name: lines
    for_each: order.items
    steps:
      - name: upload
        request: {method: POST, url: /b}
      - name: patch
        request: {method: PATCH, url: /b}
      - name: put
        effect: create
        request: {method: PUT, url: /c}
      - name: delete
        request: {method: DELETE, url: /c}
"""
        )
    )
    assert [(path, step.effect) for path, step in flow.walk()] == [
        ("read", "read"),
        ("lines", "create"),
        ("lines[]/upload", "create"),  # a POST may create something: the safe assumption
        ("lines[]/patch", "write"),
        ("lines[]/put", "create"),
        ("lines[]/delete", "write"),
    ]


def test_unknown_key_points_at_the_key(write_flow):
    error = _error(write_flow, "steps:\n  - name: a\n    request: {method: GET, url: /a}\n    captures: {x: response.body}\n")
    assert error.location is not None and (error.location.line, error.location.column) == (8, 5)
    assert "unknown key 'captures'" in error.message
    assert "capture" in error.message  # the allowed keys are listed


def test_missing_url_is_reported_at_the_request(write_flow):
    error = _error(write_flow, "steps:\n  - name: a\n    request:\n      method: GET\n")
    assert "'url' is required" in error.message
    assert str(error).startswith(str(error.location.file) + ":8:")


def test_wrong_method_names_the_path(write_flow):
    error = _error(write_flow, "steps:\n  - name: a\n    request: {method: FETCH, url: /a}\n")
    assert "steps[0].request.method" in error.message
    assert error.location.line == 7


def test_two_bodies_are_refused(write_flow):
    error = _error(write_flow, "steps:\n  - name: a\n    request:\n      method: POST\n      url: /a\n      json: {a: 1}\n      form: {b: 2}\n")
    assert "at most one body" in error.message
    assert (error.location.line, error.location.column) == (11, 7)


def test_retry_on_a_create_step_is_refused(write_flow):
    error = _error(
        write_flow,
        "steps:\n  - name: make\n    effect: create\n    request: {method: POST, url: /a}\n    retry: {attempts: 3}\n",
    )
    assert "must not be retried" in error.message and "safe_to_repeat" in (error.hint or "")
    assert error.location.line == 9


def test_retry_allowed_when_marked_safe(write_flow):
    flow = load_flow(
        write_flow(HEAD + "steps:\n  - name: make\n    effect: create\n    safe_to_repeat: true\n    request: {method: POST, url: /a}\n    retry: {attempts: 3}\n")
    )
    retry = flow.steps[0].retry
    assert retry is not None and retry.attempts == 3 and retry.transient  # repeated on 502-504 and lost connections


def test_template_syntax_error_points_at_the_value(write_flow):
    error = _error(write_flow, "steps:\n  - name: a\n    request:\n      method: POST\n      url: /a\n      json: {x: [1, '{{ vars.a + }}']}\n")
    assert "template syntax" in error.message
    assert error.location.line == 10


def test_expression_in_braces_gets_a_hint(write_flow):
    error = _error(write_flow, "steps:\n  - name: a\n    request: {method: GET, url: /a}\n    capture: {x: '{{ response.body.id }}'}\n")
    assert "without {{ }}" in error.message and "response.body.id" in (error.hint or "")


def test_duplicate_step_names(write_flow):
    error = _error(write_flow, "steps:\n  - name: a\n    request: {method: GET, url: /a}\n  - name: a\n    request: {method: GET, url: /b}\n")
    assert "used twice" in error.message and error.location.line == 8


def test_for_each_needs_steps_and_no_request(write_flow):
    error = _error(write_flow, "steps:\n  - name: a\n    for_each: order.items\n    request: {method: GET, url: /a}\n")
    assert "has both request and for_each" in error.message
    error = _error(write_flow, "steps:\n  - name: a\n    for_each: order.items\n")
    assert "needs nested 'steps'" in error.message


def test_step_without_request(write_flow):
    error = _error(write_flow, "steps:\n  - name: a\n    when: 'true'\n")
    assert "needs one of request, set, or for_each" in error.message


def test_yaml_syntax_error_has_position(write_flow):
    error = _error(write_flow, "steps:\n  - name: a\n    request: {method: GET, url: /a\n")
    assert error.location is not None and error.location.line >= 7


def test_wrong_api_version(write_flow):
    path = write_flow(HEAD.replace("orderspec/v1", "orderspec/v9") + "steps:\n  - name: a\n    request: {method: GET, url: /a}\n")
    with pytest.raises(FlowSourceError) as info:
        load_flow(path)
    assert info.value.location.line == 1 and "apiVersion" in info.value.message


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(FlowSourceError, match="nope.yaml"):
        load_flow(tmp_path / "nope.yaml")


def test_builtin_flows_load():
    from orderspec._resources import flow_path

    for system in ("ctq", "3yourmind-service-panel", "3yourmind-user-panel", "tophoto"):
        if flow_path(system).exists():
            assert load_flow(flow_path(system)).steps


def test_misspelt_file_key_is_named(write_flow):
    error = _error(write_flow, "steps:\n  - name: a\n    request:\n      method: PUT\n      url: /u\n      content: {paht: x.bin}\n")
    assert error.message.startswith("unknown key 'paht'") and "path" in error.message
    assert (error.location.line, error.location.column) == (10, 17)


def test_for_each_name_may_not_hide_the_context(write_flow):
    error = _error(write_flow, "steps:\n  - name: a\n    for_each: order.items\n    as: order\n    steps:\n      - name: b\n        request: {method: GET, url: /b}\n")
    assert "would hide" in error.message and error.location.line == 8
