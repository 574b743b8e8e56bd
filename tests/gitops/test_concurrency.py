"""Two ``orderspec apply`` processes at once on the same specs: no spec is handled twice.

SQLite: both run in one checkout, on its state file. PostgreSQL: each runs in a checkout of
its own (as two CI runners would), sharing the database.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from orderspec.sandbox import FaultConfig, SandboxConfig

from .conftest import Repo, make_repo

COPIES = 4


def _checkout(sandbox, tmp_path: Path, state_url: str) -> tuple[Repo, Repo]:
    """Specs ctq-1..4 (each with its own quantity, to tell their orders apart) and the to.photo mug; two checkouts for PostgreSQL."""
    slow = SandboxConfig(faults=FaultConfig(latency_ms=40))
    urls = {"ctq": sandbox("ctq", slow).base_url, "tophoto": sandbox("tophoto", slow).base_url}
    first = make_repo(tmp_path / "runner-1", state_url, urls)
    source = yaml.safe_load(first.spec("ctq").read_text(encoding="utf-8"))
    first.spec("ctq").unlink()
    for number in range(1, COPIES + 1):
        source["metadata"]["name"] = f"ctq-{number}"
        source["items"][1]["quantity"] = number
        (first.specs / f"ctq-{number}.yaml").write_text(yaml.safe_dump(source, allow_unicode=True, sort_keys=False), encoding="utf-8")
    if state_url.startswith("sqlite"):
        return first, first
    shutil.copytree(first.folder, tmp_path / "runner-2")
    return first, Repo(tmp_path / "runner-2", state_url, dict(first.env), dict(urls))


NAMES = [f"ctq-{number}" for number in range(1, COPIES + 1)] + ["tophoto-mug"]


@pytest.mark.parametrize("wait", [False, True], ids=["skip", "wait"])
def test_two_applies_at_once_handle_each_spec_once(sandbox, tmp_path: Path, state_url: str, wait: bool) -> None:
    one, two = _checkout(sandbox, tmp_path, state_url)
    extra = ["--wait", "120"] if wait else []
    processes = [repo.process("apply", "--yes", *extra, "specs") for repo in (one, two)]
    results = [process.communicate(timeout=300) for process in processes]
    codes = [process.returncode for process in processes]
    outputs = "".join(out for out, _ in results)
    errors = "".join(err for _, err in results)

    placed = re.findall(r"^placed (\S+): order", outputs, re.MULTILINE)
    assert sorted(placed) == sorted(NAMES), outputs + errors  # every spec placed, by one of the two
    for name in NAMES:
        others = len(re.findall(rf"^unchanged {name}:", outputs, re.MULTILINE)) + len(re.findall(rf"skipped: {name} \(profile", errors))
        assert others == 1, outputs + errors  # the other apply left it alone: found it placed, or skipped it
    if wait:
        assert codes == [0, 0], errors
        assert "skipped:" not in errors
    else:
        for code, (_, err) in zip(codes, results):
            assert code == (1 if "skipped:" in err else 0), err

    ctq = one.orders("ctq")
    assert sorted(order["items"][1]["quantity"] for order in ctq) == list(range(1, COPIES + 1))
    assert len(one.orders("tophoto")) == 1
    again = two.orderspec("plan", "--detailed-exitcode", "specs")
    assert again.code == 0, again.output
