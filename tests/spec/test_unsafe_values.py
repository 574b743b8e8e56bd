"""Values a terminal would act on, and numbers that are not numbers, are refused where they are written."""

from __future__ import annotations

from pathlib import Path

import pytest

from orderspec.errors import UsageError
from orderspec.spec import validate_paths

from .conftest import CTQ, WriteSpec, only_problem, where


@pytest.mark.parametrize(
    ("written", "char"),
    [
        ('"Jane\\e[2J Doe"', "U+001B"),  # clear screen
        ('"Jane\\rMallory"', "U+000D"),  # carriage return: overwrites the line shown
        ('"Jane\\u202eeoD"', "U+202E"),  # right-to-left override
        ('"Jane\\x9b2J"', "U+009B"),  # C1 control sequence introducer
    ],
)
def test_control_characters_in_values_are_refused(write_spec: WriteSpec, written: str, char: str) -> None:
    spec = write_spec(CTQ, replace=("  name: Jane Doe\n  email", f"  name: {written}\n  email"))
    problem = only_problem(spec)
    assert where(problem) == (8, 9, "$.customer.name", f"contains the control character {char}")
    assert problem.code == "value.control"


def test_tabs_and_line_breaks_stay_allowed(write_spec: WriteSpec) -> None:
    spec = write_spec(CTQ, replace=("  name: Jane Doe\n  email", '  name: "Jane\\tDoe"\n  company: "two\\nlines"\n  email'))
    report = validate_paths([spec])
    assert report.ok, report.problems
    assert report.orders[0].data["customer"]["company"] == "two\nlines"


@pytest.mark.parametrize("written", [".nan", ".inf"])
def test_amounts_that_are_not_numbers_are_refused(write_spec: WriteSpec, written: str) -> None:
    spec = write_spec(CTQ, replace=("max_total: 100", f"max_total: {written}"))
    problem = only_problem(spec)
    assert where(problem)[:3] == (29, 14, "$.budget.max_total")
    assert problem.code == "value.not_finite"


def test_an_empty_folder_is_reported(tmp_path: Path) -> None:
    (tmp_path / "specs").mkdir()
    with pytest.raises(UsageError) as caught:
        validate_paths([tmp_path / "specs"])
    assert str(caught.value).startswith(f"{tmp_path / 'specs'} holds no YAML files")
