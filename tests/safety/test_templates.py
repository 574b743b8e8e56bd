"""A flow's templates cannot hang the run or exhaust its memory."""

from __future__ import annotations

import time
import tracemalloc

import pytest

from orderspec.engine import FlowSourceError, TemplateError, run_flow

BASE = {"target": {"base_url": "http://127.0.0.1:9"}}
PAYLOADS = [
    "9 ** (9 ** 9)",
    "'x' * 10000000000",
    "[0] * 10000000000",
    "10000000000 * 'x'",
    "lipsum(1000000)",
    "range(10000000000) | list",
    "'x' | center(10000000000)",
    "'x' | indent(10000000000, true)",
    "'%010000000000d' | format(1)",
    "'%010000000000d' % 1",
    "'{:>10000000000}'.format(1)",
    "'x'.ljust(10000000000)",
    "'x\\tx'.expandtabs(10000000000)",
    "('x' * 10000000) | replace('x', 'xxxxxxxxxx')",
    "('x' * 100) | join('y' * 1000000)",
    "{'a': 1} | tojson(indent=1000000000)",
]


@pytest.fixture
def quick_budget(monkeypatch: pytest.MonkeyPatch) -> float:
    monkeypatch.setattr("orderspec.engine._template.TEMPLATE_SECONDS", 0.5)
    return 0.5


def _set_flow(flow_of, expression: str):
    escaped = expression.replace('"', '\\"')
    return flow_of(f'steps:\n  - name: compute\n    set:\n      value: "{escaped}"\n')


@pytest.mark.parametrize("expression", PAYLOADS)
def test_resource_payloads_stop_with_a_located_error(flow_of, quick_budget, expression: str) -> None:
    flow = _set_flow(flow_of, expression)
    started = time.monotonic()
    tracemalloc.start()
    try:
        with pytest.raises(TemplateError) as caught:
            run_flow(flow, {"target": {"base_url": "http://127.0.0.1:9"}})
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 3
    assert peak < 64 << 20
    error = caught.value
    assert error.step == "compute" and error.location is not None and error.location.line == 8
    assert "set value" in error.message


@pytest.mark.parametrize(
    "template",
    [
        "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}",
        "{% for a in vars.big %}{% for b in vars.big %}{% endfor %}{% endfor %}",
        "{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s | length }}",
        "{% macro grow(s) %}{{ grow(s ~ s) }}{% endmacro %}{{ grow('x') }}",
        "{% macro down(n) %}{{ down(n + 1) }}{% endmacro %}{{ down(0) }}",
        "{% for i in range(100000) %}{{ 'x' * 1000 }}{% endfor %}",
    ],
)
def test_templates_that_loop_or_grow_stop_in_time(flow_of, quick_budget, template: str) -> None:
    flow = flow_of(f"steps:\n  - name: render\n    request: {{method: GET, url: /x, headers: {{X-Big: \"{template}\"}}}}\n")
    started = time.monotonic()
    with pytest.raises(TemplateError) as caught:
        run_flow(flow, {"target": {"base_url": "http://127.0.0.1:9"}, "vars": {"big": list(range(30000))}})
    assert time.monotonic() - started < quick_budget + 3
    assert caught.value.step == "render" and caught.value.location is not None


def test_a_run_goes_on_after_a_template_was_stopped(flow_of, quick_budget) -> None:
    """The budget of one evaluation does not leak into the next."""
    slow = _set_flow(flow_of, "range(10000) | map('string') | join | length")
    assert run_flow(slow, BASE).vars["value"] > 0
    with pytest.raises(TemplateError):
        run_flow(_set_flow(flow_of, "9 ** (9 ** 9)"), BASE)
    assert run_flow(_set_flow(flow_of, "2 ** 10"), BASE).vars["value"] == 1024


def test_ordinary_templates_still_work(flow_of) -> None:
    flow = _set_flow(flow_of, "(range(3) | list) + ['x' * 3] + [2 ** 8, '%05d' % 42, 'a' | center(5), [1, 2] | join('-')]")
    assert run_flow(flow, BASE).vars["value"] == [0, 1, 2, "xxx", 256, "00042", "  a  ", "1-2"]


@pytest.mark.parametrize("text", ["(" * 5000 + "1" + ")" * 5000, "[" * 5000 + "]" * 5000, "{% if true %}" * 3000 + "x" + "{% endif %}" * 3000])
def test_templates_nested_too_deeply_are_refused_when_the_flow_loads(flow_of, text: str) -> None:
    body = f"steps:\n  - name: deep\n    request: {{method: GET, url: /x, headers: {{X-Deep: '{{{{ {text} }}}}'}}}}\n"
    if text.startswith("{%"):
        body = f"steps:\n  - name: deep\n    request: {{method: GET, url: /x, headers: {{X-Deep: '{text}'}}}}\n"
    with pytest.raises(FlowSourceError) as caught:
        flow_of(body)
    assert "nested too deeply" in caught.value.message and caught.value.location is not None
