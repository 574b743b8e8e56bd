"""Template payloads in flows stay within their bounds, and templates in spec values stay data."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .properties import PLACES, _escaped, check_flow_template, check_spec_data
from .strategies import TEMPLATE_PAYLOADS, template_payloads


@pytest.mark.parametrize("payload", TEMPLATE_PAYLOADS)
def test_known_payloads_render_data_or_stop_with_a_location(payload: str, hostile, quick_templates: float, tmp_path) -> None:
    outcome = check_flow_template(payload, "set", tmp_path, hostile.base_url, quick_templates)
    assert outcome.ok, (outcome.verdict.value, outcome.detail)


def test_generated_payloads_in_every_place(hostile, quick_templates: float, tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = tmp_path_factory.mktemp("templates")

    @settings(settings.get_profile("fuzz-tests"), max_examples=60)
    @given(payload=template_payloads(), place=st.sampled_from(PLACES))
    def holds(payload: str, place: str) -> None:
        outcome = check_flow_template(payload, place, folder, hostile.base_url, quick_templates)
        assert outcome.ok, (outcome.verdict.value, outcome.detail)

    holds()


SPEC_FIELDS = ("notes", "reference", "customer.name")


def test_templates_in_spec_values_are_sent_as_written(hostile, tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = tmp_path_factory.mktemp("spec-data")

    @settings(settings.get_profile("fuzz-tests"), max_examples=15)
    @given(payload=st.sampled_from(TEMPLATE_PAYLOADS[:20]), place=st.sampled_from(SPEC_FIELDS))
    def holds(payload: str, place: str) -> None:
        outcome = check_spec_data(payload, place, folder, hostile.base_url, hostile.seen)
        assert outcome.ok, (outcome.verdict.value, outcome.detail)

    holds()


def test_the_check_sees_python_internals_in_a_value() -> None:
    assert _escaped({"value": "<class 'str'>"}) == "<class '"
    assert _escaped({"value": str(len)}) == "<built-in"
    assert _escaped({"value": "49", "list": [1, "x"]}) is None
    assert _escaped({"value": "<class 'jinja2.utils.Joiner'>"}) is None  # a global flows are given



def test_an_unsafe_attribute_jinja_meets_while_folding_constants_is_a_located_error(hostile, quick_templates: float, tmp_path) -> None:
    """Jinja evaluates constant parts while it compiles; the sandbox's refusal then came out as a crash."""
    from orderspec.engine import FlowSourceError

    from .properties import _flow_with

    payload = "{{ ''[0].__init__ ~ (1 | indent(2)) }}"
    outcome = check_flow_template(payload, "params", tmp_path, hostile.base_url, quick_templates)
    assert outcome.ok, outcome.detail
    import yaml

    from orderspec.engine import load_flow

    path = tmp_path / "flow.yaml"
    path.write_text(yaml.safe_dump(_flow_with("params", payload, "/echo/200")))
    with pytest.raises(FlowSourceError) as caught:
        load_flow(path)
    assert "not allowed in a flow" in caught.value.message and caught.value.location is not None


@pytest.mark.parametrize("template", ["{{ dict(qos=1, qos=2) }}", "{{ vars.x | default(a=1, a=2) }}"])
def test_a_keyword_argument_given_twice_is_a_located_error(template: str, tmp_path) -> None:
    """Python refuses the code Jinja generates for it; that came out as a crash of the flow's loading."""
    from .properties import check_flow_text

    text = f"apiVersion: orderspec/v1\nkind: Flow\nname: twice\nsteps:\n  - name: a\n    request: {{method: GET, url: /x, headers: {{X-A: '{template}'}}}}\n"
    assert check_flow_text(text.encode(), tmp_path).ok
    from orderspec.engine import FlowSourceError, load_flow

    with pytest.raises(FlowSourceError, match="keyword argument repeated") as caught:
        load_flow(tmp_path / "flow.yaml")
    assert caught.value.location is not None and caught.value.location.line == 6
