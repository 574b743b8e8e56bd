"""Which files ``validate_paths`` takes as specs, and in which order."""

from __future__ import annotations

from pathlib import Path

import pytest

from orderspec.errors import UsageError
from orderspec.spec import validate_paths

from .conftest import USER_PANEL, WriteSpec


def test_kind_order_line_forms(write_spec: WriteSpec, folder: Path) -> None:
    write_spec(USER_PANEL.replace("name: test-order", "name: a"), name="a.yaml")
    write_spec(USER_PANEL.replace("name: test-order", "name: b").replace("kind: Order", 'kind: "Order"  # quoted'), name="b.yml")
    (folder / "c.yaml").write_bytes(USER_PANEL.replace("name: test-order", "name: c").replace("\n", "\r\n").encode())
    kind_first = "kind: Order\n" + USER_PANEL.replace("name: test-order", "name: d").replace("kind: Order\n", "")
    (folder / "d.yaml").write_bytes(b"\xef\xbb\xbf" + kind_first.encode())  # saved with a byte order mark
    write_spec("apiVersion: orderspec/v1\nmetadata:\n  kind: Order\n", name="nested.yaml")
    write_spec("kind: Orders\n", name="plural.yaml")
    report = validate_paths([folder])
    assert [Path(result.file).name for result in report.results] == ["a.yaml", "b.yml", "c.yaml", "d.yaml"]
    assert report.ok
    assert sorted(Path(name).name for name in report.skipped) == ["custom.yaml", "nested.yaml", "plural.yaml"]


def test_hidden_folders_are_not_searched(write_spec: WriteSpec, folder: Path) -> None:
    write_spec(USER_PANEL, name=".state/spec.yaml")
    write_spec(USER_PANEL, name="sub/.hidden.yaml")
    assert validate_paths([folder]).results == ()


def test_same_file_twice_is_validated_once(write_spec: WriteSpec, folder: Path) -> None:
    path = write_spec(USER_PANEL)
    report = validate_paths([path, folder, str(path)])
    assert len(report.results) == 1 and report.ok


def test_files_come_in_name_order_before_subfolders(write_spec: WriteSpec, folder: Path) -> None:
    for name in ("b", "a", "c"):
        text = USER_PANEL.replace("name: test-order", f"name: {name}").replace(
            "models/", "../models/" if name == "b" else "models/"
        )
        write_spec(text, name=f"{name}/spec.yaml" if name == "b" else f"{name}.yaml")
    assert [Path(result.file).relative_to(folder).as_posix() for result in validate_paths([folder]).results] == [
        "a.yaml",
        "c.yaml",
        "b/spec.yaml",
    ]


def test_missing_path_is_a_usage_error(folder: Path) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        validate_paths([folder / "nope"])
    with pytest.raises(UsageError, match="name at least one"):
        validate_paths([])


def test_special_file_in_a_folder_is_reported_not_waited_on(folder: Path) -> None:
    import os

    os.mkfifo(folder / "pipe.yaml")
    report = validate_paths([folder])
    (result,) = report.results
    assert [(p.location.line, p.message) for p in result.problems] == [(1, f"{folder / 'pipe.yaml'} is not a regular file")]
    with pytest.raises(UsageError, match="is not a regular file"):
        validate_paths([folder / "pipe.yaml"])
