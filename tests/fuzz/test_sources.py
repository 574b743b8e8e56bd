"""Mutated specs, flows, profiles and .http files: accepted, or refused with every error located; never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings

from .properties import SOURCE_CHECKS, Ran, Verdict, _validate_outcome, check_http_text, check_spec_text
from .strategies import mutated, seeds

CASES = {"spec": 120, "flow": 80, "profiles": 60, "http": 80}


@pytest.mark.parametrize("kind", list(CASES))
def test_the_seeds_themselves_are_accepted(kind: str, tmp_path: Path) -> None:
    for name, text in seeds(kind):
        assert SOURCE_CHECKS[kind](text, tmp_path / kind).ok, name


@pytest.mark.parametrize("kind", list(CASES))
def test_mutated_sources_are_accepted_or_refused_with_a_location(kind: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = tmp_path_factory.mktemp(kind)
    check = SOURCE_CHECKS[kind]

    @settings(settings.get_profile("fuzz-tests"), max_examples=CASES[kind])
    @given(case=mutated(kind))
    def holds(case: tuple[str, bytes]) -> None:
        name, text = case
        outcome = check(text, folder)
        assert outcome.ok, (name, outcome.verdict.value, outcome.detail)

    holds()


def test_an_unlocated_problem_is_reported(tmp_path: Path) -> None:
    """A spec problem whose line lies past the file's end would be no help: the check counts it."""
    tmp_path.joinpath("spec.yaml").write_text("a: 1\n")
    report = '{"valid": false, "specs": [{"problems": [{"file": "spec.yaml", "line": 40, "column": 1}]}]}'
    assert _validate_outcome(Ran(1, report, ""), tmp_path).verdict is Verdict.UNLOCATED
    assert _validate_outcome(Ran(70, "", "internal error: KeyError"), tmp_path).verdict is Verdict.TRACEBACK
    assert _validate_outcome(Ran(1, "", "error: spec.yaml:1:1: bad"), tmp_path).ok


def test_an_http_file_that_is_not_utf8_is_refused_with_its_line(tmp_path: Path) -> None:
    assert check_http_text(b"GET https://x.test/a\nX-H: \xff\n", tmp_path).ok
    assert check_spec_text(b"kind: Order\n\x00", tmp_path).ok


@pytest.mark.parametrize("value", ["0", "0.0", "9" * 12])
def test_a_timeout_a_flow_cannot_hold_is_a_warning_not_a_broken_flow(value: str, tmp_path: Path) -> None:
    from .properties import orderspec

    text = f"// @timeout {value}\nGET https://x.test/a\n".encode()
    assert check_http_text(text, tmp_path).ok
    ran = orderspec("import-http", "requests.http", cwd=tmp_path)
    assert ran.code == 0 and f"requests.http:1: warning: @timeout {value} is not converted" in ran.stderr
    assert "timeout" not in ran.stdout


@pytest.mark.parametrize(
    "statement",
    ['client.global.set("id", response.body.id))', 'client.global.set("id", (response.body.id)', 'client.global.set("id", response.body.id == == 1)'],
)
def test_a_handler_whose_expression_does_not_parse_is_a_warning_not_a_broken_flow(statement: str, tmp_path: Path) -> None:
    from .properties import orderspec

    text = f"GET https://x.test/a\n\n> {{%\n    {statement}\n%}}\n".encode()
    assert check_http_text(text, tmp_path).ok
    ran = orderspec("import-http", "requests.http", cwd=tmp_path)
    assert ran.code == 0 and "requests.http:4: warning: response handler statement not converted" in ran.stderr


def test_a_file_name_with_template_syntax_is_sent_as_named(tmp_path: Path) -> None:
    from orderspec.engine import load_flow

    from .properties import orderspec

    (tmp_path / "{% x #}.stl").write_bytes(b"solid")
    text = b"POST https://x.test/a\nContent-Type: application/octet-stream\n\n< ./{% x #}.stl\n"
    assert check_http_text(text, tmp_path).ok
    ran = orderspec("import-http", "requests.http", "-o", "flow.yaml", cwd=tmp_path)
    assert ran.code == 0, ran.stderr
    step = load_flow(tmp_path / "flow.yaml").steps[0]
    assert step.request.content is not None and step.request.content.path({}) == "{% x #}.stl"
