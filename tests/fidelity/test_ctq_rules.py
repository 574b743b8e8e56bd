"""CTQ takes one post-processing per item: ``validate`` refuses a second one, located, before anything is sent."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from orderspec import validate_paths

EXAMPLES = Path(__file__).resolve().parents[2] / "specs" / "examples"


def _spec(tmp_path: Path, post_processing: str, system: str = "ctq") -> Path:
    """The CTQ example with its first item's post-processing list replaced (line 34 of the file)."""
    shutil.copytree(EXAMPLES / "models", tmp_path / "models")
    text = (EXAMPLES / "ctq-bracket.yaml").read_text(encoding="utf-8")
    assert "    post_processing: [Dyeing]\n" in text
    text = text.replace("    post_processing: [Dyeing]\n", f"    post_processing: {post_processing}\n")
    text = text.replace("  system: ctq\n", f"  system: {system}\n")
    path = tmp_path / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _line_of(path: Path, needle: str) -> int:
    return next(number for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def test_two_post_processings_are_refused_at_the_list(tmp_path: Path) -> None:
    path = _spec(tmp_path, "[Dyeing, Sand blasting]")
    report = validate_paths([path])
    [result] = report.results
    [problem] = result.problems
    assert problem.message == "CTQ accepts one post-processing per item: keep one name in this list"
    assert problem.json_path == "$.items[0].post_processing"
    line = _line_of(path, "post_processing: [Dyeing, Sand blasting]")
    assert (problem.location.line, problem.location.column) == (line, 22)


def test_the_cli_reports_file_line_column_and_fails(tmp_path: Path) -> None:
    path = _spec(tmp_path, "\n      - Dyeing\n      - Sand blasting")
    result = subprocess.run(
        [sys.executable, "-m", "orderspec", "validate", "--format", "json", str(path)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    [problem] = [p for spec in json.loads(result.stdout)["specs"] for p in spec["problems"]]
    assert problem["message"] == "CTQ accepts one post-processing per item: keep one name in this list"
    assert (problem["line"], problem["column"]) == (_line_of(path, "- Dyeing"), 7)


def test_one_post_processing_or_none_is_fine(tmp_path: Path) -> None:
    assert validate_paths([_spec(tmp_path / "one", "[Dyeing]")]).ok
    assert validate_paths([_spec(tmp_path / "none", "[]")]).ok


def test_a_repeated_name_is_reported_once_as_a_repeat(tmp_path: Path) -> None:
    [problem] = validate_paths([_spec(tmp_path, "[Dyeing, Dyeing]")]).results[0].problems
    assert problem.message == "'Dyeing' is listed twice"


def test_other_systems_take_several_post_processings(tmp_path: Path) -> None:
    path = _spec(tmp_path, "[Dyeing, Sand blasting]", system="3yourmind-user-panel")
    messages = [p.message for p in validate_paths([path]).results[0].problems]
    assert not any("post-processing" in message for message in messages)
