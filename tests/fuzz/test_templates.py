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
    assert _escaped({"value": "<class 'str'>"}) == "<class "
    assert _escaped({"value": str(len)}) == "<built-in"
    assert _escaped({"value": "49", "list": [1, "x"]}) is None

