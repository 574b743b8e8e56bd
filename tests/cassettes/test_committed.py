"""The cassettes of this repository: one per example spec, clean, replayed offline, and re-recorded byte for byte."""

from __future__ import annotations

import filecmp
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from orderspec.cassettes import check_cassettes
from orderspec.testing import replay_spec

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "specs" / "examples").glob("*.yaml"))
CASSETTES = ROOT / "cassettes"

# Credentials of the sandboxes, and patterns of real ones: none may ever be committed in a cassette.
FORBIDDEN = re.compile(
    r"Authorization: *(Token|Bearer) +[A-Za-z0-9]{16,}|X-Amz-Signature=[0-9a-f]{16,}|sandbox-(token|secret|org)|c2FuZGJveDpzYW5kYm94LXNlY3JldA"
)


def name_of(spec: Path) -> str:
    return str(yaml.safe_load(spec.read_text(encoding="utf-8"))["metadata"]["name"])


def test_every_example_has_its_cassette_and_nothing_else_is_there() -> None:
    assert sorted(path.name for path in CASSETTES.glob("*.yaml")) == sorted(f"{name_of(spec)}.yaml" for spec in EXAMPLES)


@pytest.mark.parametrize("spec", EXAMPLES, ids=lambda spec: spec.stem)
def test_each_committed_cassette_replays_to_its_recorded_order(spec: Path) -> None:
    replayed = replay_spec(spec)
    assert replayed.cassette == CASSETTES / f"{name_of(spec)}.yaml"
    assert replayed.recorded is not None and replayed.recorded.command == "apply" and replayed.recorded.sandbox
    assert replayed.outcome == replayed.recorded
    assert replayed.outcome.order_number and replayed.outcome.quote is not None


def test_the_committed_cassettes_are_clean() -> None:
    report = check_cassettes([CASSETTES])
    assert len(report.files) == len(EXAMPLES)
    assert report.ok, "\n".join(map(str, report.findings))
    for path in CASSETTES.glob("*.yaml"):
        assert not FORBIDDEN.search(path.read_text(encoding="utf-8")), path


def test_recording_the_examples_again_gives_the_committed_bytes(tmp_path: Path) -> None:
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("CTQ_", "TOPHOTO_", "ORDERSPEC_"))}
    done = subprocess.run(
        [sys.executable, "-m", "orderspec", "apply", "--sandbox", "--yes", "--record", "--cassettes", str(tmp_path), "specs/examples"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    names = sorted(path.name for path in CASSETTES.glob("*.yaml"))
    assert sorted(path.name for path in tmp_path.glob("*.yaml")) == names
    _, mismatch, errors = filecmp.cmpfiles(CASSETTES, tmp_path, names, shallow=False)
    assert (mismatch, errors) == ([], []), f"re-recorded cassettes differ: {mismatch} (record them again and review the diff)"
