"""``validate`` refuses a model or photo larger than its target documents it accepts (``SpecRules.max_upload_bytes``)."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from orderspec.spec import validate_paths
from orderspec.targets import systems

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "specs" / "examples"


def test_no_built_in_system_claims_a_limit_its_documents_do_not_give() -> None:
    # shared/targets.md: no CTQ Swagger, 3YOURMIND page or to.photo document names an upload size
    assert {name: system.rules.max_upload_bytes for name, system in systems().items()} == dict.fromkeys(systems())


def test_a_file_larger_than_the_target_accepts_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a target that documents a limit of 1000 bytes; the built-in ones document none
    ctq = systems()["ctq"]
    monkeypatch.setitem(systems(), "ctq", replace(ctq, rules=replace(ctq.rules, max_upload_bytes=1000)))
    shutil.copytree(EXAMPLES / "models", tmp_path / "models")
    shutil.copy(EXAMPLES / "ctq-bracket.yaml", tmp_path / "ctq-bracket.yaml")
    report = validate_paths([tmp_path / "ctq-bracket.yaml"])
    problems = [problem.to_dict() for problem in report.problems]
    assert [(p["path"], p["code"]) for p in problems] == [("$.items[0].file", "file.too_large")]  # bracket.stl: 1,284 bytes; cube.stl: 684
    assert problems[0]["message"] == "'models/bracket.stl' is 1,284 bytes; CTQ accepts files of at most 1,000 bytes"
    assert problems[0]["line"] > 1 and json.dumps(problems)
