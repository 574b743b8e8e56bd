"""A folder of specs with entries that cannot be read is reported entry by entry, never waited on or passed over.

Tests run as root, who reads any file whatever its mode, so unreadable entries are made
the ways root meets them too: a symbolic link to nothing, a FIFO (opening it would wait
for a writer), and bytes that are not UTF-8.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "specs"
    shutil.copytree(ROOT / "specs" / "examples" / "models", folder / "models")
    shutil.copy(ROOT / "specs" / "examples" / "ctq-bracket.yaml", folder / "ctq-bracket.yaml")
    (folder / "dangling.yaml").symlink_to(tmp_path / "gone.yaml")
    os.mkfifo(folder / "pipe.yaml")
    (folder / "latin.yaml").write_bytes((ROOT / "specs" / "examples" / "ctq-bracket.yaml").read_bytes() + b"note: caf\xe9\n")
    return folder


def _orderspec(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-m", "orderspec", *args], cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert "Traceback" not in done.stderr and done.returncode != 70, done.stderr
    return done


def test_validate_reports_each_unreadable_entry_and_checks_the_rest(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    done = _orderspec("validate", "specs", cwd=tmp_path)
    assert done.returncode == 1
    assert "dangling.yaml:1:1: $: specs/dangling.yaml does not exist" in done.stdout
    assert "pipe.yaml:1:1: $: specs/pipe.yaml is not a regular file" in done.stdout
    assert "latin.yaml:" in done.stdout and "not UTF-8 text (invalid byte 0xe9)" in done.stdout
    assert "4 specs: 1 valid, 3 invalid" in done.stderr
    assert folder.joinpath("pipe.yaml").exists()


def test_plan_and_apply_refuse_a_folder_with_unreadable_entries_before_sending_anything(tmp_path: Path) -> None:
    _folder(tmp_path)
    for command in (["plan", "--sandbox"], ["apply", "--sandbox", "--yes"]):
        done = _orderspec(*command, "specs", cwd=tmp_path)
        assert done.returncode == 1, done.stderr
        assert "dangling.yaml" in done.stderr and "pipe.yaml" in done.stderr and "latin.yaml" in done.stderr
        assert "placed " not in done.stdout


def test_an_empty_folder_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "README.txt").write_text("no specs here", encoding="utf-8")
    for command in (["validate"], ["plan", "--sandbox"], ["apply", "--sandbox", "--yes"]):
        done = _orderspec(*command, "specs", cwd=tmp_path)
        assert done.returncode == 2 and "specs holds no YAML files" in done.stderr, done.stderr
